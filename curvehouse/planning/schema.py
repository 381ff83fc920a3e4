"""Published planning tables and their columns, in contract order (models/marts/planning/_planning__models.yml).

Every table function returns exactly these columns, also when it has no rows (shaped() adds the
all-null ones). The contract is the source: the marts type these columns from it (macro
contract_select), and tests/unit/test_contracts.py fails when this list and the contract differ.
The list stays here because the package runs on Snowflake without the project's YAML."""

__all__ = ["PLANNING_COLUMNS"]

PLANNING_COLUMNS: dict[str, tuple[str, ...]] = {
    "mmm_planning_channels": (
        "run_id", "segment_id", "model_id", "source", "channel", "display_name", "channel_group",
        "saturation_half_point", "saturation_max", "hill_slope", "current_weekly_spend",
        "current_spend_basis", "observed_spend_min", "observed_spend_max", "spend_lower_bound",
        "spend_upper_bound", "is_locked", "bound_note", "adstock_half_life_weeks", "weeks_to_materialise",
        "roi_floor", "calibration_factor", "calibration_note", "observed_outcome_weekly",
        "base_outcome_weekly", "reporting_window_start", "reporting_window_end", "data_window_start",
        "data_window_end", "refreshed_at", "staleness_days", "n_draws", "interval_source",
    ),
    "mmm_planning_curve_draws": (
        "run_id", "segment_id", "channel", "draw", "saturation_half_point", "saturation_max", "hill_slope",
        "calibration_factor", "interval_source",
    ),
    "mmm_response_surface": (
        "run_id", "segment_id", "scenario_id", "mix_kind", "tilted_channel", "budget_ratio",
        "total_weekly_budget", "channel", "weekly_spend", "spend_share", "contribution_mean",
        "contribution_p10", "contribution_p90", "channel_roi_mean", "is_channel_within_observed_range",
        "expected_outcome_mean", "expected_outcome_p10", "expected_outcome_p90", "incremental_outcome_mean",
        "incremental_outcome_p10", "incremental_outcome_p90", "roi_mean", "is_within_observed_range",
        "calibration_factor", "interval_source",
    ),
    "mmm_efficient_frontier": (
        "run_id", "segment_id", "budget_level", "budget_ratio", "requested_weekly_budget",
        "total_weekly_budget", "is_budget_capped", "budget_flag", "rank", "alternative", "channel",
        "weekly_spend", "spend_lower_bound", "spend_upper_bound", "is_at_bound", "contribution_mean",
        "expected_outcome_mean", "expected_outcome_p10", "expected_outcome_p90", "incremental_outcome_mean",
        "incremental_outcome_p10", "incremental_outcome_p90", "gap_to_best", "current_mix_outcome_mean",
        "equal_split_outcome_mean", "interval_source",
    ),
    "mmm_scenarios": (
        "run_id", "segment_id", "scenario", "scenario_description", "channel", "channel_group",
        "current_weekly_spend", "weekly_spend", "spend_change", "total_weekly_budget",
        "channel_contribution_mean", "incremental_outcome_mean", "incremental_outcome_p10",
        "incremental_outcome_p90", "delta_vs_current_mean", "delta_vs_current_p10", "delta_vs_current_p90",
        "delta_vs_current_pct", "channel_weeks_to_materialise", "weeks_to_materialise",
        "prob_worse_than_current", "risk_channel", "risk", "reversibility", "is_recommended",
        "flipping_assumption", "shift_note", "interval_source",
    ),
    "mmm_scenario_sensitivity": (
        "run_id", "segment_id", "channel", "half_point_shift", "incremental_outcome_current_mean",
        "incremental_outcome_a_mean", "incremental_outcome_b_mean", "incremental_outcome_c_mean",
        "recommended_scenario", "baseline_recommended_scenario", "flips",
    ),
    "mmm_saturation_audit": (
        "run_id", "segment_id", "channel", "channel_group", "current_weekly_spend", "marginal_roi_mean",
        "marginal_roi_p10", "marginal_roi_p90", "roi_floor", "inflection_spend", "floor_spend", "position",
        "prob_marginal_roi_above_floor", "recommended_move", "recommended_weekly_spend", "expected_roi_of_move_mean",
        "expected_roi_of_move_p10", "expected_roi_of_move_p90", "response_interval_width", "confidence",
        "is_most_uncertain", "experiment", "interval_source",
    ),
    "mmm_reallocation_proposals": (
        "proposal_date", "segment_id", "channel_from", "channel_to", "weekly_amount", "proposed_by", "run_id",
        "applied_weekly_amount", "expected_lift_mean", "expected_lift_p10", "expected_lift_p90",
        "from_marginal_roi_mean", "to_marginal_roi_mean", "is_above_threshold", "flag", "interval_source",
    ),
    "mmm_attribution_agreement": (
        "run_id", "segment_id", "source", "month", "channel", "mmm_contribution", "mmm_basis",
        "attributed_revenue", "difference", "relative_disagreement", "agreement_level",
        "consecutive_flagged_months",
    ),
    "mmm_alerts": (
        "alert_id", "alert_kind", "severity", "segment_id", "channel", "run_id", "message", "observed_value",
        "threshold", "route_to", "raised_on", "due_by",
    ),
}
