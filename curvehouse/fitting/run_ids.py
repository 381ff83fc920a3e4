"""The deterministic run id of a segment's fit: same input and methodology, same id.

A build skips a segment whose run id is already stored, so an unchanged segment is not fitted again.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from curvehouse.model.experiments import experiments_text
from curvehouse.model.registry import exposure_driven_channels
from curvehouse.model.spec import ModelSpec

__all__ = ["REGISTRY_FIT_COLUMNS", "run_id_for"]

# Registry columns the fit reads: a change to them is a change of method, so it makes a new run.
REGISTRY_FIT_COLUMNS = ("channel", "channel_group", "roi_prior_mean", "roi_prior_sd", "adstock_max_lag")
# Optional registry columns the fit reads: hashed only where some channel of the segment sets one, so
# a registry without them gives the run ids it gave before they existed.
OPTIONAL_FIT_COLUMNS = (
    "channel_kind",
    "unit",
    "mroi_prior_mean",
    "mroi_prior_sd",
    "contribution_share_prior_mean",
    "contribution_share_prior_sd",
)


def run_id_for(
    segment_rows: pd.DataFrame,
    spec: ModelSpec,
    registry: pd.DataFrame,
    experiments: pd.DataFrame | None = None,
    centred_on: str | None = None,
) -> str:
    """Deterministic run id: the segment's model input, the methodology version, the registry's
    priors and lags of the segment's channels and, when it has any, the segment's experiments
    (curvehouse.model.experiments.segment_experiments), hashed; in refresh mode also the run it is
    centred on (the same weeks refreshed from another run are another fit); the segment's channels
    flagged exposure_driven, when any are. Without experiments or flags and outside refresh mode the
    id is the one it was before they existed."""
    rows = segment_rows.sort_values(["week_start", "variable_kind", "variable_name"])
    text = rows[["week_start", "variable_kind", "variable_name", "value"]].to_csv(index=False, float_format="%.6f")
    channels = set(rows.loc[rows["variable_kind"].isin(("spend", "organic")), "variable_name"])
    mine = registry[registry["channel"].isin(channels)]
    optional = [c for c in OPTIONAL_FIT_COLUMNS if c in mine.columns and _set_anywhere(mine[c])]
    used = mine.reindex(columns=[*REGISTRY_FIT_COLUMNS, *optional])
    priors = used.sort_values("channel").to_csv(index=False, float_format="%.6f")
    key = f"{spec.version}\n{priors}\n{text}"
    exposure = sorted(exposure_driven_channels(registry) & channels)
    if exposure:  # absent when no channel is flagged, so unflagged run ids are unchanged
        key += f"\nexposure_driven {','.join(exposure)}"
    if experiments is not None and not experiments.empty:
        key += f"\nexperiments\n{experiments_text(experiments)}"
    if spec.fit_mode == "refresh" and centred_on:
        key += f"\ncentred on {centred_on}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _set_anywhere(values: pd.Series) -> bool:
    """Whether some value is set to other than its default (null, empty text, channel_kind 'paid')."""
    text = values.dropna().astype(str).str.strip().str.lower()
    return bool((~text.isin(("", "paid"))).any())
