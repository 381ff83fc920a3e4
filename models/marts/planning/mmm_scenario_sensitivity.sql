-- One row per segment x channel x half-saturation shift (-20% and +20%, var
-- planning.sensitivity_shift): the scenarios re-evaluated with that channel's half-saturation point
-- shifted, the recommended scenario under the shift and whether it differs from the baseline
-- recommendation.
-- Published from the Python model planning_scenario_sensitivity; this mart casts the columns and carries the contract.
with planning_scenario_sensitivity as (
    select * from {{ ref('planning_scenario_sensitivity') }}
),

typed as (
    select
        cast(run_id as varchar) as run_id,
        cast(segment_id as varchar) as segment_id,
        cast(channel as varchar) as channel,
        cast(half_point_shift as double) as half_point_shift,
        cast(incremental_outcome_current_mean as double) as incremental_outcome_current_mean,
        cast(incremental_outcome_a_mean as double) as incremental_outcome_a_mean,
        cast(incremental_outcome_b_mean as double) as incremental_outcome_b_mean,
        cast(incremental_outcome_c_mean as double) as incremental_outcome_c_mean,
        cast(recommended_scenario as varchar) as recommended_scenario,
        cast(baseline_recommended_scenario as varchar) as baseline_recommended_scenario,
        cast(flips as boolean) as flips
    from planning_scenario_sensitivity
)

select * from typed
