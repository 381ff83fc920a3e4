"""The Hill saturation curve, its derivative and its inflection: the one implementation in the package.

DESIGN.md convention: a channel's response per week at a sustained weekly spend s, in outcome
currency, is ``saturation_max * s**S / (s**S + K**S)``, where K (``half_point``) is the weekly spend
that reaches half of saturation_max and S is the slope. The model, its posterior summaries,
planning, the BYOMM readers and the report all evaluate the curve here so they cannot drift apart.
The SQL macros in macros/hill.sql are checked against it on a grid (tests/unit/test_hill_sql.py).
The demo generator keeps its own copy on purpose (curvehouse/demo/_curves.py) because it is the
truth the model is checked against.

Pure array functions. Any JAX array among the arguments (a tracer under jit included) gives
jax.numpy arithmetic; otherwise it is numpy. Importing this module does not import JAX, because
planning and BYOMM run without it.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

__all__ = ["hill", "hill_derivative", "hill_inflection", "hill_response"]


def _namespace(*values: Any) -> Any:
    """jax.numpy if any value is a JAX array, else numpy (if JAX was never imported there is none)."""
    jax = sys.modules.get("jax")
    if jax is not None and any(isinstance(v, jax.Array) for v in values):
        return jax.numpy
    return np


def hill(spend: Any, half_point: Any, slope: Any) -> Any:
    """Saturation share ``s**S / (s**S + K**S)`` in [0, 1), written as ``r / (1 + r)`` with ``r = (s / K)**S``.

    ``r`` is computed in log space on a safe base, and spend <= 0 (zero spend and negative padding)
    maps to 0 through a where. That keeps the model's gradients finite at zero spend, where
    ``0**S`` has none.
    """
    xp = _namespace(spend, half_point, slope)
    positive = spend > 0
    log_ratio = xp.log(xp.where(positive, spend, 1.0)) - xp.log(half_point)
    ratio = xp.where(positive, xp.exp(slope * log_ratio), 0.0)
    return ratio / (1.0 + ratio)


def hill_response(spend: Any, half_point: Any, saturation_max: Any, slope: Any) -> Any:
    """Response per week at sustained weekly spend: ``saturation_max * hill(spend, half_point, slope)``."""
    return saturation_max * hill(spend, half_point, slope)


def hill_derivative(spend: Any, half_point: Any, slope: Any) -> Any:
    """d hill / d spend = ``S r / (s (1 + r)**2)``, with ``r = (s / K)**S``.

    Spend is floored at 1e-6 K. At zero spend the one-sided limit is infinite for S < 1 (and 1/K
    for S = 1), so this returns the value at the smallest spend a planner can actually buy.
    Multiply by saturation_max to get the marginal response (marginal ROI).
    """
    xp = _namespace(spend, half_point, slope)
    safe = xp.maximum(spend, 1e-6 * half_point)
    ratio = xp.power(safe / half_point, slope)
    return slope * ratio / (safe * (1.0 + ratio) ** 2)


def hill_inflection(half_point: Any, slope: Any) -> Any:
    """Spend where the curve turns from convex to concave: ``K ((S-1)/(S+1))**(1/S)`` for S > 1, else 0."""
    xp = _namespace(half_point, slope)
    base = xp.clip((slope - 1.0) / (slope + 1.0), 0.0, None)
    return xp.where(slope > 1.0, half_point * xp.power(base, 1.0 / xp.maximum(slope, 1e-9)), 0.0)
