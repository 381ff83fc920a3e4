"""One entry point per planning table, frames in and a frame out, so the dbt Python models stay thin.

``channels`` / ``draws`` are mmm_planning_channels / mmm_planning_curve_draws as pandas frames.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from curvehouse.planning import alerts as rules
from curvehouse.planning.agreement import agreement_matrix, weeks_to_months
from curvehouse.planning.audit import first_monday_after, saturation_audit
from curvehouse.planning.config import PlanningSpec
from curvehouse.planning.curves import CurveSet
from curvehouse.planning.frontier import efficient_frontier
from curvehouse.planning.inputs import build_curve_inputs, curve_sets
from curvehouse.planning.proposals import PROPOSAL_COLUMNS, evaluate_proposals
from curvehouse.planning.scenarios import plan_scenarios
from curvehouse.planning.schema import PLANNING_COLUMNS
from curvehouse.planning.surface import response_surface

__all__ = [
    "shaped",
    "per_segment",
    "channels_table",
    "curve_draws_table",
    "surface_table",
    "frontier_table",
    "scenario_table",
    "sensitivity_table",
    "audit_table",
    "proposal_table",
    "mmm_monthly",
    "agreement_table",
    "alerts_table",
]


def shaped(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with exactly the published table's columns, in contract order (also when empty)."""
    return frame.reindex(columns=list(PLANNING_COLUMNS[table]))


def per_segment(
    table: str, channels: pd.DataFrame, draws: pd.DataFrame, build: Callable[[CurveSet], pd.DataFrame]
) -> pd.DataFrame:
    """Apply ``build`` to every segment's curves and stack the results as the published table."""
    frames = [build(curves) for curves in curve_sets(channels, draws).values()]
    frames = [f.dropna(axis=1, how="all") for f in frames if not f.empty]  # all-null columns come back in shaped()
    return shaped(table, pd.concat(frames, ignore_index=True) if frames else pd.DataFrame())


def channels_table(channels: pd.DataFrame, builtin_draws: pd.DataFrame, spec: PlanningSpec) -> pd.DataFrame:
    return shaped("mmm_planning_channels", build_curve_inputs(channels, builtin_draws, spec)[0])


def curve_draws_table(channels: pd.DataFrame, builtin_draws: pd.DataFrame, spec: PlanningSpec) -> pd.DataFrame:
    return shaped("mmm_planning_curve_draws", build_curve_inputs(channels, builtin_draws, spec)[1])


def surface_table(channels: pd.DataFrame, draws: pd.DataFrame, spec: PlanningSpec) -> pd.DataFrame:
    return per_segment("mmm_response_surface", channels, draws, lambda c: response_surface(c, spec))


def frontier_table(channels: pd.DataFrame, draws: pd.DataFrame, spec: PlanningSpec) -> pd.DataFrame:
    return per_segment("mmm_efficient_frontier", channels, draws, lambda c: efficient_frontier(c, spec))


def scenario_table(channels: pd.DataFrame, draws: pd.DataFrame, spec: PlanningSpec) -> pd.DataFrame:
    return per_segment("mmm_scenarios", channels, draws, lambda c: plan_scenarios(c, spec)[0])


def sensitivity_table(channels: pd.DataFrame, draws: pd.DataFrame, spec: PlanningSpec) -> pd.DataFrame:
    return per_segment("mmm_scenario_sensitivity", channels, draws, lambda c: plan_scenarios(c, spec)[1])


def audit_table(channels: pd.DataFrame, draws: pd.DataFrame, spec: PlanningSpec) -> pd.DataFrame:
    """The audit; a segment's proposed experiment starts on the first Monday PROPOSAL_LEAD_DAYS after its data
    window (open where the window is unknown)."""
    ends = pd.to_datetime(channels.groupby("segment_id")["data_window_end"].max()).dropna()
    starts = {segment: first_monday_after(end.date()) for segment, end in ends.items()}
    return per_segment(
        "mmm_saturation_audit", channels, draws, lambda c: saturation_audit(c, spec, starts.get(c.segment_id))
    )


def proposal_table(
    proposals: pd.DataFrame, channels: pd.DataFrame, draws: pd.DataFrame, spec: PlanningSpec
) -> pd.DataFrame:
    evaluated = evaluate_proposals(proposals[PROPOSAL_COLUMNS], curve_sets(channels, draws), spec)
    return shaped("mmm_reallocation_proposals", evaluated)


def mmm_monthly(
    channels: pd.DataFrame, draws: pd.DataFrame, decomposition: pd.DataFrame, spine: pd.DataFrame
) -> pd.DataFrame:
    """The current model's monthly contribution per segment x channel: built-in runs from their weekly
    decomposition, BYOMM curves as the calibrated curve (posterior mean) at each week's spend."""
    frames = []
    sets = curve_sets(channels, draws)
    sources = channels.drop_duplicates("segment_id").set_index("segment_id")["source"]
    for segment, curves in sets.items():
        source = sources[segment]
        if source == "builtin":
            weekly = decomposition[
                (decomposition["run_id"] == curves.run_id) & (decomposition["component_kind"] == "channel")
            ]
            weekly = weekly.rename(columns={"value_mean": "value"})[["segment_id", "channel", "week_start", "value"]]
            basis = "decomposition"
        else:
            spend = spine[
                (spine["segment_id"] == segment) & spine["channel"].isin(curves.channels) & spine["is_in_window"]
            ]
            if spend.empty:
                continue
            wide = (
                spend.pivot(index="week_start", columns="channel", values="spend")
                .reindex(columns=list(curves.channels))
                .fillna(0.0)
            )
            value = curves.contributions(wide.to_numpy())[:, :, :].mean(axis=1)  # (weeks, c)
            weekly = pd.DataFrame(
                {
                    "segment_id": segment,
                    "channel": np.tile(curves.channels, len(wide)),
                    "week_start": np.repeat(wide.index.to_numpy(), curves.n_channels),
                    "value": value.ravel(),
                }
            )
            weekly = weekly[weekly["channel"].isin(spend["channel"].unique())]
            basis = "curve_at_weekly_spend"
        monthly = weeks_to_months(weekly, ["segment_id", "channel"])
        frames.append(
            monthly.rename(columns={"value": "mmm_contribution"}).assign(
                run_id=curves.run_id, source=source, mmm_basis=basis
            )
        )
    columns = ["segment_id", "channel", "month", "mmm_contribution", "run_id", "source", "mmm_basis"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def agreement_table(
    channels: pd.DataFrame,
    draws: pd.DataFrame,
    decomposition: pd.DataFrame,
    spine: pd.DataFrame,
    attribution: pd.DataFrame,
    spec: PlanningSpec,
) -> pd.DataFrame:
    attribution = attribution.rename(columns={"attribution_month": "month"})
    return shaped(
        "mmm_attribution_agreement",
        agreement_matrix(mmm_monthly(channels, draws, decomposition, spine), attribution, spec),
    )


def alerts_table(
    tables: dict[str, pd.DataFrame], spec: PlanningSpec, stale_after_days: float, as_of: date
) -> pd.DataFrame:
    """Every alert rule over the published tables, routed and dated."""
    runs, parameters = tables["runs"], tables["parameters"]
    return shaped(
        "mmm_alerts",
        rules.collect_alerts(
            [
                rules.gate_failure_alerts(tables["gate_results"]),
                rules.rejected_fit_alerts(runs),
                rules.sign_flip_alerts(runs, parameters),
                rules.fit_quality_alerts(runs, spec.r2_floor),
                rules.methodology_change_alerts(runs),
                rules.stale_curve_alerts(tables["staleness"], stale_after_days),
                rules.deferral_alerts(tables["deferrals"]),
                rules.disagreement_alerts(tables["agreement"], spec),
                rules.proposal_alerts(tables["proposals"], spec),
                rules.experiment_alerts(tables["experiments"]),
                rules.review_failure_alerts(tables["review"]),
            ],
            spec,
            as_of,
        ),
    )
