"""Reallocation proposals (optional raw input) evaluated on the current curves: expected weekly lift
with an 80% interval, cut back to the observed spend range where a proposal would leave it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from curvehouse.planning.config import PlanningSpec
from curvehouse.planning.curves import CurveSet, interval80

__all__ = ["proposal_lift", "evaluate_proposals", "PROPOSAL_COLUMNS"]

PROPOSAL_COLUMNS = ["proposal_date", "segment_id", "channel_from", "channel_to", "weekly_amount", "proposed_by"]


def proposal_lift(curves: CurveSet, channel_from: str, channel_to: str, amount: float) -> dict:
    """Lift of moving ``amount`` per week from one channel to another, within the bounds."""
    i, j = curves.index(channel_from), curves.index(channel_to)
    current = curves.current_c
    applied = min(amount, max(current[i] - curves.lower_c[i], 0.0), max(curves.upper_c[j] - current[j], 0.0))
    flag = None
    if applied < amount - 0.005:
        flag = (
            f"cut to {applied:,.2f} per week: {channel_from} may not go below {curves.lower_c[i]:,.2f} "
            f"nor {channel_to} above {curves.upper_c[j]:,.2f} (observed weekly range); not extrapolated"
        )
    moved = current.copy()
    moved[i] -= applied
    moved[j] += applied
    lift = curves.incremental(np.vstack([moved, current]))
    mean, p10, p90 = interval80(lift[0] - lift[1])
    marginal = curves.marginal(current[None])[0].mean(axis=0)
    return {
        "run_id": curves.run_id,
        "applied_weekly_amount": applied,
        "expected_lift_mean": mean,
        "expected_lift_p10": p10,
        "expected_lift_p90": p90,
        "from_marginal_roi_mean": marginal[i],
        "to_marginal_roi_mean": marginal[j],
        "flag": flag,
        "interval_source": curves.interval_source,
    }


def evaluate_proposals(proposals: pd.DataFrame, curve_sets: Mapping[str, CurveSet], spec: PlanningSpec) -> pd.DataFrame:
    """One row per proposal: its lift on its segment's current curves, or a flag saying why there is none."""
    rows = []
    for proposal in proposals[PROPOSAL_COLUMNS].to_dict("records"):
        row = {**proposal, "is_above_threshold": float(proposal["weekly_amount"]) > spec.proposal_alert_threshold}
        curves = curve_sets.get(proposal["segment_id"])
        missing = [
            ch
            for ch in (proposal["channel_from"], proposal["channel_to"])
            if curves is not None and ch not in curves.channels
        ]
        if curves is None:
            row["flag"] = f"segment {proposal['segment_id']} has no current curves: not evaluated"
        elif missing:
            row["flag"] = (
                f"channel(s) {', '.join(missing)} not in the current curves of {proposal['segment_id']}: not evaluated"
            )
        elif proposal["channel_from"] == proposal["channel_to"]:
            row["flag"] = "channel_from equals channel_to: nothing moves"
        else:
            row.update(
                proposal_lift(
                    curves, proposal["channel_from"], proposal["channel_to"], float(proposal["weekly_amount"])
                )
            )
        rows.append(row)
    columns = PROPOSAL_COLUMNS + [
        "run_id",
        "applied_weekly_amount",
        "expected_lift_mean",
        "expected_lift_p10",
        "expected_lift_p90",
        "from_marginal_roi_mean",
        "to_marginal_roi_mean",
        "is_above_threshold",
        "flag",
        "interval_source",
    ]
    return pd.DataFrame(rows, columns=columns)
