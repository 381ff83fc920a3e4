"""MMM vs attribution, per channel and month: both raw numbers side by side, never one blended number."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse.planning.config import PlanningSpec

__all__ = ["weeks_to_months", "agreement_matrix", "LEVELS"]

LEVELS = ("agree", "flag", "escalate")


def weeks_to_months(weekly: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Weekly values (columns keys + week_start + value) split across calendar months by day (1/7 per
    day) and summed; only months whose every day is covered by a week of the group are kept."""
    if weekly.empty:
        return pd.DataFrame(columns=keys + ["month", "value"])
    frame = weekly[keys + ["week_start", "value"]].copy()
    frame["week_start"] = pd.to_datetime(frame["week_start"])
    days = frame.loc[frame.index.repeat(7)].copy()
    days["day"] = days["week_start"] + pd.to_timedelta(np.tile(np.arange(7), len(frame)), unit="D")
    days["value"] = days["value"] / 7.0
    days["month"] = days["day"].dt.to_period("M").dt.to_timestamp()
    monthly = days.groupby(keys + ["month"], as_index=False).agg(value=("value", "sum"), n_days=("day", "nunique"))
    complete = monthly["n_days"] == monthly["month"].dt.days_in_month
    return monthly.loc[complete, keys + ["month", "value"]].reset_index(drop=True)


def agreement_matrix(mmm_monthly: pd.DataFrame, attribution: pd.DataFrame, spec: PlanningSpec) -> pd.DataFrame:
    """Join MMM monthly contributions (segment_id, channel, month, mmm_contribution, run_id, source, mmm_basis)
    with attribution (segment_id, channel, month, attributed_revenue); grade each month and count runs of
    flagged months per segment x channel (a gap in months restarts the count)."""
    columns = [
        "run_id",
        "segment_id",
        "source",
        "month",
        "channel",
        "mmm_contribution",
        "mmm_basis",
        "attributed_revenue",
        "difference",
        "relative_disagreement",
        "agreement_level",
        "consecutive_flagged_months",
    ]
    if mmm_monthly.empty or attribution.empty:
        return pd.DataFrame(columns=columns)
    attribution = attribution.assign(month=pd.to_datetime(attribution["month"]).dt.to_period("M").dt.to_timestamp())
    mmm = mmm_monthly.assign(month=pd.to_datetime(mmm_monthly["month"]))
    joined = mmm.merge(attribution, on=["segment_id", "channel", "month"], how="inner")
    joined["difference"] = joined["attributed_revenue"] - joined["mmm_contribution"]
    with np.errstate(divide="ignore", invalid="ignore"):
        joined["relative_disagreement"] = np.where(
            joined["mmm_contribution"] != 0, joined["difference"].abs() / joined["mmm_contribution"].abs(), np.nan
        )
    joined = joined.sort_values(["segment_id", "channel", "month"]).reset_index(drop=True)
    rel = joined["relative_disagreement"]
    # An MMM zero against a non-zero attribution is as far apart as the numbers can be.
    unbounded = rel.isna() & (joined["attributed_revenue"] != 0)
    flagged = (rel > spec.disagreement_flag) | unbounded
    runs = []
    previous_key, previous_month, count = None, None, 0
    for key, month, is_flagged in zip(
        zip(joined["segment_id"], joined["channel"], strict=True), joined["month"], flagged, strict=True
    ):
        contiguous = (
            key == previous_key and previous_month is not None and month == previous_month + pd.offsets.MonthBegin(1)
        )
        count = (count + 1 if contiguous else 1) if is_flagged else 0
        runs.append(count)
        previous_key, previous_month = key, month
    joined["consecutive_flagged_months"] = runs
    escalate = (rel > spec.disagreement_escalate) | unbounded | (joined["consecutive_flagged_months"] >= 2)
    joined["agreement_level"] = np.where(escalate, "escalate", np.where(flagged, "flag", "agree"))
    return joined[columns]
