"""Recovery of a generator's known truth by fitted channel estimates, over the weeks each fit saw.

A fit covers a trailing window (var ``window_weeks``), which can be shorter than the generated
history, so the true ROI and contribution it is scored against are summed over that window from the
truth's weekly media contributions: true ROI = true contribution in the window / spend in the window.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["ESTIMATE_COLUMNS", "published_estimates", "recovery", "recovery_table"]

# What recovery() needs per fitted segment x channel.
ESTIMATE_COLUMNS = (
    "segment_id",
    "channel",
    "roi_mean",
    "roi_p05",
    "roi_p95",
    "contribution_mean",
    "spend",
    "window_start",
    "window_end",
)


def _true_weekly(truth: dict) -> pd.DataFrame:
    """segment_id, channel, week_start, true contribution: the truth's weekly media, long."""
    rows = [
        (segment, channel, week["week_start"], value)
        for segment, seg in truth["segments"].items()
        for week in seg["weekly"]
        for channel, value in week["media"].items()
    ]
    frame = pd.DataFrame(rows, columns=["segment_id", "channel", "week_start", "true_contribution"])
    frame["week_start"] = pd.to_datetime(frame["week_start"])
    return frame


def recovery_table(estimates: pd.DataFrame, truth: dict) -> pd.DataFrame:
    """One row per estimated segment x channel: the estimates (ESTIMATE_COLUMNS), the true
    contribution and ROI over the same window, whether the true ROI lies in the 90% interval, and the
    channel's share of the segment's media contribution, estimated and true."""
    missing = sorted(set(ESTIMATE_COLUMNS) - set(estimates.columns))
    if missing:
        raise ValueError(f"estimates lack column(s) {missing}")
    both = estimates.assign(
        window_start=pd.to_datetime(estimates["window_start"]), window_end=pd.to_datetime(estimates["window_end"])
    )
    weekly = _true_weekly(truth).merge(
        both[["segment_id", "channel", "window_start", "window_end"]], on=["segment_id", "channel"]
    )
    inside = weekly[(weekly["week_start"] >= weekly["window_start"]) & (weekly["week_start"] <= weekly["window_end"])]
    true = inside.groupby(["segment_id", "channel"], as_index=False)["true_contribution"].sum()
    both = both.merge(true, on=["segment_id", "channel"], how="inner")
    both["true_roi"] = both["true_contribution"] / both["spend"]
    both["roi_in_90"] = (both["roi_p05"] <= both["true_roi"]) & (both["true_roi"] <= both["roi_p95"])
    by_segment = both.groupby("segment_id")
    both["share"] = both["contribution_mean"] / by_segment["contribution_mean"].transform("sum")
    both["true_share"] = both["true_contribution"] / by_segment["true_contribution"].transform("sum")
    return both


def recovery(estimates: pd.DataFrame, truth: dict) -> dict[str, float]:
    """Mean absolute relative ROI error, the share of pairs whose true ROI lies in the 90% interval,
    the interval's mean width relative to the true ROI (how much the fit narrowed it: a prior with
    sd = half its mean spans 1.53 times the mean), and the mean absolute error of each channel's share of its
    segment's media contribution (shares over the estimated channels, in truth and estimate alike),
    absolute and relative to the true share."""
    table = recovery_table(estimates, truth)
    return {
        "roi_mare": float((np.abs(table["roi_mean"] - table["true_roi"]) / table["true_roi"]).mean()),
        "roi_coverage90": float(table["roi_in_90"].mean()),
        "roi_width90": float(((table["roi_p95"] - table["roi_p05"]) / table["true_roi"]).mean()),
        "share_mae": float(np.abs(table["share"] - table["true_share"]).mean()),
        "share_mare": float((np.abs(table["share"] - table["true_share"]) / table["true_share"]).mean()),
    }


def published_estimates(duckdb_path: Path) -> pd.DataFrame:
    """The current published runs' channel estimates (mmm_channel_summary) of a built DuckDB file."""
    import duckdb

    if not Path(duckdb_path).is_file():
        raise FileNotFoundError(f"{duckdb_path}: no such DuckDB file (run the build first)")
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        try:
            return con.sql(
                "select segment_id, channel, roi_mean, roi_p05, roi_p95, contribution_mean, spend, "
                "data_window_start as window_start, data_window_end as window_end "
                "from mmm_channel_summary where is_current and status = 'published' order by segment_id, channel"
            ).df()
        except duckdb.CatalogException as exc:
            raise FileNotFoundError(f"{duckdb_path} has no mmm_channel_summary table (run the build first)") from exc
