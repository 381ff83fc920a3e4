-- Stored predictions, one row per segment x scenario x channel: total weekly budget levels (var
-- planning.budget_min_ratio..budget_max_ratio of the current total, step budget_step) x allocation
-- mixes (the current mix, each channel tilted up and down by tilt_share, and a space-filling Sobol
-- sample of the simplex), at least var planning.surface_min_scenarios scenarios per segment.
-- Published from the Python model planning_surface; this mart casts the columns and carries the contract.
with planning_surface as (
    select * from {{ ref('planning_surface') }}
),

typed as (
    select
        cast(run_id as varchar) as run_id,
        cast(segment_id as varchar) as segment_id,
        cast(scenario_id as integer) as scenario_id,
        cast(mix_kind as varchar) as mix_kind,
        cast(tilted_channel as varchar) as tilted_channel,
        cast(budget_ratio as double) as budget_ratio,
        cast(total_weekly_budget as double) as total_weekly_budget,
        cast(channel as varchar) as channel,
        cast(weekly_spend as double) as weekly_spend,
        cast(spend_share as double) as spend_share,
        cast(contribution_mean as double) as contribution_mean,
        cast(contribution_p10 as double) as contribution_p10,
        cast(contribution_p90 as double) as contribution_p90,
        cast(channel_roi_mean as double) as channel_roi_mean,
        cast(is_channel_within_observed_range as boolean) as is_channel_within_observed_range,
        cast(expected_outcome_mean as double) as expected_outcome_mean,
        cast(expected_outcome_p10 as double) as expected_outcome_p10,
        cast(expected_outcome_p90 as double) as expected_outcome_p90,
        cast(incremental_outcome_mean as double) as incremental_outcome_mean,
        cast(incremental_outcome_p10 as double) as incremental_outcome_p10,
        cast(incremental_outcome_p90 as double) as incremental_outcome_p90,
        cast(roi_mean as double) as roi_mean,
        cast(is_within_observed_range as boolean) as is_within_observed_range,
        cast(calibration_factor as double) as calibration_factor,
        cast(interval_source as varchar) as interval_source
    from planning_surface
)

select * from typed
