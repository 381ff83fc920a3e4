"""Organic channels in the model's channel axis: media without spend, in their own unit.

Organic rows of the long input (variable_kind 'organic', variable_name the registry channel, value
the weekly volume in its unit) join the channels after the paid ones, with zero spend. Their lag
stack is built from volume / mean active volume, so the Hill half point times x_scale is in the
channel's own unit, and their effect is always a contribution share (curvehouse.model.effects).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from curvehouse import constants as k
from curvehouse.model.effects import EFFECT_KINDS
from curvehouse.model.registry import registry_value

if TYPE_CHECKING:  # data.py imports this module
    from curvehouse.model.data import ModelData

__all__ = [
    "ORGANIC",
    "PAID",
    "driver_values",
    "organic_channels",
    "organic_mask",
    "organic_units",
    "prior_kinds_of",
]

PAID = "paid"
ORGANIC = "organic"


def organic_channels(long: pd.DataFrame, paid: tuple[str, ...]) -> tuple[str, ...]:
    """Sorted names of the organic channels in the long input (none that also has spend rows)."""
    names = long.loc[long["variable_kind"] == ORGANIC, "variable_name"].unique()
    return tuple(sorted(set(names) - set(paid)))


def organic_mask(channel_kinds: tuple[str, ...], n_channels: int) -> np.ndarray:
    """(C,) True for organic channels; all False where the kinds are not given (a paid-only input)."""
    return np.array([kind == ORGANIC for kind in channel_kinds] + [False] * (n_channels - len(channel_kinds)))


def driver_values(spend: np.ndarray, lagged: np.ndarray, x_scale: np.ndarray, organic: np.ndarray) -> np.ndarray:
    """(S, T, C) what drives each channel's curve per week: spend for paid channels (the currency every
    spend curve is in), the weekly volume in its own unit for organic ones (the lag stack's current week
    times x_scale)."""
    volume = lagged[..., 0] * x_scale[:, None, :]
    return np.where(organic[None, None, :], volume, spend)


def organic_units(registry: pd.DataFrame, data: ModelData) -> dict[str, str | None]:
    """Organic channel -> the registry's unit of its volume (None where it gives none)."""
    return {
        c: registry_value(registry, c, "unit", None)
        for c, organic in zip(data.channels, data.is_organic, strict=True)
        if organic
    }


def prior_kinds_of(priors: dict[str, np.ndarray], data: ModelData) -> dict[str, str]:
    """Channel -> roi | mroi | share, the kind of its effect's prior (all roi without effect_kind)."""
    if k.EFFECT_KIND not in priors:
        return {c: "roi" for c in data.channels}
    codes = np.asarray(priors[k.EFFECT_KIND])[0]
    return {c: EFFECT_KINDS[int(code)] for c, code in zip(data.channels, codes, strict=True)}
