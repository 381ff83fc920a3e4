"""Hill saturation, safe at zero spend (no NaN gradients from 0**slope)."""

from __future__ import annotations

import jax.numpy as jnp

__all__ = ["hill", "hill_derivative", "hill_inflection"]


def hill(x: jnp.ndarray, half_point: jnp.ndarray, slope: jnp.ndarray) -> jnp.ndarray:
    """x**S / (x**S + K**S) in [0, 1), written as r / (1 + r) with r = (x / K)**S.

    Zero (and negative padding) maps to 0 through a where on a safe base, so gradients stay finite.
    """
    positive = x > 0
    log_ratio = jnp.log(jnp.where(positive, x, 1.0)) - jnp.log(half_point)
    ratio = jnp.where(positive, jnp.exp(slope * log_ratio), 0.0)
    return ratio / (1.0 + ratio)


def hill_derivative(x: jnp.ndarray, half_point: jnp.ndarray, slope: jnp.ndarray) -> jnp.ndarray:
    """d hill / dx = S r / (x (1 + r)**2); at x = 0 the one-sided limit (inf for S < 1, 1/K for S = 1)
    is replaced by the value at a tiny spend, which is what a planner can actually buy."""
    safe = jnp.maximum(x, 1e-6 * half_point)
    ratio = jnp.power(safe / half_point, slope)
    return slope * ratio / (safe * (1.0 + ratio) ** 2)


def hill_inflection(half_point: jnp.ndarray, slope: jnp.ndarray) -> jnp.ndarray:
    """Spend where the curve turns from convex to concave: K ((S-1)/(S+1))**(1/S) for S > 1, else 0."""
    base = jnp.clip((slope - 1.0) / (slope + 1.0), 0.0, None)
    return jnp.where(slope > 1.0, half_point * jnp.power(base, 1.0 / slope), 0.0)
