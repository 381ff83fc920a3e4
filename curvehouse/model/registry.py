"""Read one channel's settings from the registry frame the fit receives, with defaults.

The registry's driver columns (channel_kind, unit, exposure_driven, the marginal-ROI and
contribution-share priors) are optional: files written before them, and registries that tests
and benches build by hand, lack them. These accessors read an absent column, an absent channel
or an empty cell as the default, so callers never branch on which columns a frame has.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["channel_kind", "exposure_driven_channels", "is_exposure_driven", "registry_value"]


def registry_value(registry: pd.DataFrame | None, channel: str, column: str, default: Any = None) -> Any:
    """The registry's ``column`` for ``channel``; ``default`` when the column, the channel or the value is missing.

    Text cells that are blank count as missing too.
    """
    if registry is None or column not in registry or "channel" not in registry:
        return default
    rows = registry.loc[registry["channel"] == channel, column]
    if rows.empty:
        return default
    value = rows.iloc[0]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return default
    if isinstance(value, str) and not value.strip():
        return default
    return value


def channel_kind(registry: pd.DataFrame | None, channel: str) -> str:
    """'paid', 'organic' or 'non_media' (trimmed, lower-cased); 'paid' when not given."""
    return str(registry_value(registry, channel, "channel_kind", "paid")).strip().lower()


def is_exposure_driven(registry: pd.DataFrame | None, channel: str) -> bool:
    """Whether a paid channel's adstock and saturation act on impressions (false when not given)."""
    value = registry_value(registry, channel, "exposure_driven", False)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "t", "1", "yes", "y")
    return bool(value)


def exposure_driven_channels(registry: pd.DataFrame | None) -> frozenset[str]:
    """Paid channels flagged exposure_driven: their adstock and saturation act on impressions."""
    if registry is None or "channel" not in registry.columns:
        return frozenset()
    return frozenset(
        c for c in registry["channel"] if channel_kind(registry, c) == "paid" and is_exposure_driven(registry, c)
    )
