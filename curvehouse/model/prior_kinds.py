"""Which kind of prior each channel's effect has, and its mean and sd, from the channel registry.

A paid channel has at most one of roi_prior_*, mroi_prior_* (marginal ROI over the window) and
contribution_share_prior_* (share of the fit weeks' outcome); none means the config's ROI prior.
Organic channels always have a share prior: the registry's or priors.organic_share_mean / _sd.
"""

from __future__ import annotations

import pandas as pd

from curvehouse.model.registry import registry_value
from curvehouse.model.spec import PriorSpec

__all__ = ["PRIOR_COLUMNS", "channel_prior", "prior_kind"]

# Prior kind -> its registry (mean, sd) columns.
PRIOR_COLUMNS = {
    "roi": ("roi_prior_mean", "roi_prior_sd"),
    "mroi": ("mroi_prior_mean", "mroi_prior_sd"),
    "share": ("contribution_share_prior_mean", "contribution_share_prior_sd"),
}


def prior_kind(registry: pd.DataFrame, channel: str, organic: bool = False) -> str:
    """roi | mroi | share: the kind whose registry columns the channel sets (ValueError if several;
    an organic channel with an ROI or mROI prior, which it cannot have without spend, too)."""
    given = [
        kind
        for kind, columns in PRIOR_COLUMNS.items()
        if any(registry_value(registry, channel, c, None) is not None for c in columns)
    ]
    if len(given) > 1:
        raise ValueError(f"channel {channel!r} sets more than one prior kind ({', '.join(given)}); set at most one")
    if organic and given and given[0] != "share":
        raise ValueError(f"organic channel {channel!r} has no spend, so no {given[0]} prior: give a share prior")
    return "share" if organic else (given[0] if given else "roi")


def channel_prior(
    registry: pd.DataFrame, channel: str, priors: PriorSpec, organic: bool = False
) -> tuple[str, float, float]:
    """(kind, mean, sd) of the channel's effect prior; a missing mean or sd falls back to the default."""
    kind = prior_kind(registry, channel, organic)
    if kind == "share":
        default = (priors.organic_share_mean, priors.organic_share_sd)
    else:
        default = (priors.roi_mean, priors.roi_sd)
    mean_col, sd_col = PRIOR_COLUMNS[kind]
    mean = float(registry_value(registry, channel, mean_col, default[0]))
    sd = float(registry_value(registry, channel, sd_col, default[1]))
    if not (mean > 0 and sd > 0):
        raise ValueError(f"channel {channel!r}: its {kind} prior needs a positive mean and sd; got {mean}, {sd}")
    return kind, mean, sd
