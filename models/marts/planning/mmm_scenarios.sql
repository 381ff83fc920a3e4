-- One row per segment x scenario x channel, all at the current total weekly budget: current; A =
-- +var planning.scenario_shift (25%) to brand channels, offset from the most saturated performance
-- channels; B = +25% to performance, offset from brand channels, lowest ROI first; C = hold the
-- mix.
-- Published from the Python model planning_scenarios; this mart casts the columns and carries the contract.
with planning_scenarios as (
    select * from {{ ref('planning_scenarios') }}
),

typed as (
    select
        cast(run_id as varchar) as run_id,
        cast(segment_id as varchar) as segment_id,
        cast(scenario as varchar) as scenario,
        cast(scenario_description as varchar) as scenario_description,
        cast(channel as varchar) as channel,
        cast(channel_group as varchar) as channel_group,
        cast(current_weekly_spend as double) as current_weekly_spend,
        cast(weekly_spend as double) as weekly_spend,
        cast(spend_change as double) as spend_change,
        cast(total_weekly_budget as double) as total_weekly_budget,
        cast(channel_contribution_mean as double) as channel_contribution_mean,
        cast(incremental_outcome_mean as double) as incremental_outcome_mean,
        cast(incremental_outcome_p10 as double) as incremental_outcome_p10,
        cast(incremental_outcome_p90 as double) as incremental_outcome_p90,
        cast(delta_vs_current_mean as double) as delta_vs_current_mean,
        cast(delta_vs_current_p10 as double) as delta_vs_current_p10,
        cast(delta_vs_current_p90 as double) as delta_vs_current_p90,
        cast(delta_vs_current_pct as double) as delta_vs_current_pct,
        cast(channel_weeks_to_materialise as double) as channel_weeks_to_materialise,
        cast(weeks_to_materialise as double) as weeks_to_materialise,
        cast(prob_worse_than_current as double) as prob_worse_than_current,
        cast(risk_channel as varchar) as risk_channel,
        cast(risk as varchar) as risk,
        cast(reversibility as varchar) as reversibility,
        cast(is_recommended as boolean) as is_recommended,
        cast(flipping_assumption as varchar) as flipping_assumption,
        cast(shift_note as varchar) as shift_note,
        cast(interval_source as varchar) as interval_source
    from planning_scenarios
)

select * from typed
