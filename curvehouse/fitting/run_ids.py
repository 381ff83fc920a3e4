"""The deterministic run id of a segment's fit: same input and methodology, same id.

A build skips a segment whose run id is already stored, so an unchanged segment is not fitted again.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from curvehouse.model.experiments import experiments_text
from curvehouse.model.spec import ModelSpec

__all__ = ["REGISTRY_FIT_COLUMNS", "run_id_for"]

# Registry columns the fit reads: a change to them is a change of method, so it makes a new run.
REGISTRY_FIT_COLUMNS = ("channel", "channel_group", "roi_prior_mean", "roi_prior_sd", "adstock_max_lag")


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
    centred on (the same weeks refreshed from another run are another fit). Without experiments
    and outside refresh mode the id is the one it was before either existed."""
    rows = segment_rows.sort_values(["week_start", "variable_kind", "variable_name"])
    text = rows[["week_start", "variable_kind", "variable_name", "value"]].to_csv(index=False, float_format="%.6f")
    channels = set(rows.loc[rows["variable_kind"] == "spend", "variable_name"])
    used = registry[registry["channel"].isin(channels)].reindex(columns=list(REGISTRY_FIT_COLUMNS))
    priors = used.sort_values("channel").to_csv(index=False, float_format="%.6f")
    key = f"{spec.version}\n{priors}\n{text}"
    if experiments is not None and not experiments.empty:
        key += f"\nexperiments\n{experiments_text(experiments)}"
    if spec.fit_mode == "refresh" and centred_on:
        key += f"\ncentred on {centred_on}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]
