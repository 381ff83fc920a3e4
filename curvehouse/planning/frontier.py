"""The efficient frontier: for each total weekly budget, the best allocation and robust alternatives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse.planning.config import PlanningSpec
from curvehouse.planning.curves import CurveSet, interval80
from curvehouse.planning.optimize import Allocation, alternatives, best_allocation, feasible_budget, project, to_cents

__all__ = ["reference_allocations", "efficient_frontier", "best_at"]


def reference_allocations(curves: CurveSet, budget: float) -> tuple[np.ndarray, np.ndarray]:
    """The current mix scaled to the budget and an equal split of it, each projected into the bounds."""
    total = curves.current_total
    share = curves.current_c / total if total > 0 else np.full(curves.n_channels, 1.0 / curves.n_channels)
    current = project(share * budget, budget, curves.lower_c, curves.upper_c)
    equal = project(np.full(curves.n_channels, budget / curves.n_channels), budget, curves.lower_c, curves.upper_c)
    return current, equal


def efficient_frontier(curves: CurveSet, spec: PlanningSpec) -> pd.DataFrame:
    """One row per budget level x rank x channel (see mmm_efficient_frontier).

    Levels are solved from the smallest budget up, each warm-started from the previous optimum
    (projected onto the larger budget, so every channel keeps at least its spend): the expected
    outcome is therefore non-decreasing in the budget.
    """
    rows = []
    previous: np.ndarray | None = None
    base = curves.calibration * curves.base
    for level, ratio in enumerate(spec.frontier_ratios(), start=1):
        requested = round(ratio * curves.current_total, 2)
        budget, flag = feasible_budget(requested, curves.lower_c, curves.upper_c)
        current, equal = reference_allocations(curves, budget)
        starts = [current, equal] + ([previous] if previous is not None else [])
        best = best_allocation(curves, budget, curves.lower_c, curves.upper_c, starts)
        previous = best.spend_c
        options = [best] + alternatives(
            curves, best, budget, curves.lower_c, curves.upper_c, spec.frontier_tolerance, spec.frontier_top_k
        )
        cents = [to_cents(a.spend_c, budget, curves.lower_c, curves.upper_c) for a in options]
        draws = curves.contributions(np.vstack(cents))  # (n_options, d, c)
        incr_mean, incr_p10, incr_p90 = interval80(draws.sum(axis=2), axis=1)
        best_value = incr_mean[0]
        references = {
            name: curves.expected_incremental(s) + base for name, s in (("current", current), ("equal", equal))
        }
        for rank, (option, spend_c) in enumerate(zip(options, cents, strict=True), start=1):
            i = rank - 1
            for c, channel in enumerate(curves.channels):
                rows.append(
                    {
                        "budget_level": level,
                        "budget_ratio": ratio,
                        "requested_weekly_budget": requested,
                        "total_weekly_budget": round(float(spend_c.sum()), 2),
                        "is_budget_capped": flag is not None,
                        "budget_flag": flag,
                        "rank": rank,
                        "alternative": option.label,
                        "channel": channel,
                        "weekly_spend": spend_c[c],
                        "spend_lower_bound": curves.lower_c[c],
                        "spend_upper_bound": curves.upper_c[c],
                        "is_at_bound": bool(
                            min(abs(spend_c[c] - curves.lower_c[c]), abs(spend_c[c] - curves.upper_c[c])) < 0.01
                        ),
                        "contribution_mean": draws[i, :, c].mean(),
                        "expected_outcome_mean": base + incr_mean[i],
                        "expected_outcome_p10": base + incr_p10[i],
                        "expected_outcome_p90": base + incr_p90[i],
                        "incremental_outcome_mean": incr_mean[i],
                        "incremental_outcome_p10": incr_p10[i],
                        "incremental_outcome_p90": incr_p90[i],
                        "gap_to_best": max((best_value - incr_mean[i]) / abs(best_value), 0.0) if best_value else 0.0,
                        "current_mix_outcome_mean": references["current"],
                        "equal_split_outcome_mean": references["equal"],
                    }
                )
    frame = pd.DataFrame(rows)
    frame.insert(0, "segment_id", curves.segment_id)
    frame.insert(0, "run_id", curves.run_id)
    frame["interval_source"] = curves.interval_source
    return frame


def best_at(curves: CurveSet, budget: float, lower_c: np.ndarray, upper_c: np.ndarray) -> Allocation:
    """The best allocation of one budget within given bounds (the audit's constrained move)."""
    budget, _ = feasible_budget(budget, lower_c, upper_c)
    share = (
        curves.current_c / curves.current_total
        if curves.current_total > 0
        else np.full(curves.n_channels, 1.0 / curves.n_channels)
    )
    starts = [share * budget, np.full(curves.n_channels, budget / curves.n_channels)]
    best = best_allocation(curves, budget, lower_c, upper_c, starts)
    spend = to_cents(best.spend_c, budget, lower_c, upper_c)
    return Allocation(spend, curves.expected_incremental(spend))
