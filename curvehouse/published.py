"""Read back what earlier builds published from the fit artifacts (history, current runs)."""

from __future__ import annotations

import pandas as pd

from curvehouse import constants as k

__all__ = ["existing_run_ids", "current_runs", "current_parameters"]


def existing_run_ids(history: pd.DataFrame | None) -> frozenset[str]:
    """Run ids already stored (published or rejected): fitting them again would change nothing."""
    if history is None or history.empty:
        return frozenset()
    return frozenset(history.loc[history["artifact"] == "run", "run_id"].unique())


def current_runs(history: pd.DataFrame | None) -> pd.DataFrame:
    """segment_id -> run_id of the latest published run per segment."""
    if history is None or history.empty:
        return pd.DataFrame(columns=["segment_id", "run_id"])
    runs = history[history["artifact"] == "run"]
    status = runs[runs["parameter"] == "status"][["run_id", "segment_id", "details"]]
    refreshed = runs[runs["parameter"] == "refreshed_at"][["run_id", "details"]].rename(columns={"details": "at"})
    published = status[status["details"] == k.STATUS_PUBLISHED].merge(refreshed, on="run_id")
    latest = published.sort_values("at").groupby("segment_id").tail(1)
    return latest[["segment_id", "run_id"]].reset_index(drop=True)


def current_parameters(history: pd.DataFrame | None) -> pd.DataFrame | None:
    """Posterior mean and sd per channel parameter of the current runs (refresh-mode priors)."""
    current = current_runs(history)
    if current.empty:
        return None
    params = history[(history["artifact"] == "parameter") & history["run_id"].isin(current["run_id"])]
    return params[["segment_id", "channel", "parameter", "mean", "sd"]].dropna(subset=["channel"])
