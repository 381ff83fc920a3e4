-- One row per current segment: the expected weekly outcome of the current allocation, computed at
-- query time from the curve draws in plain SQL (a view). It is the worked example of a what-if in
-- SQL: replace current_weekly_spend with any allocation to evaluate it between stored scenarios.
{{ config(materialized='view') }}

with draws as (
    select * from {{ ref('mmm_planning_curve_draws') }}
),

channels as (
    select * from {{ ref('mmm_planning_channels') }}
),

per_draw as (
    select
        draws.segment_id,
        draws.draw,
        sum(
            draws.calibration_factor
            * {{ planning_hill(
                'channels.current_weekly_spend', 'draws.saturation_half_point', 'draws.saturation_max',
                'draws.hill_slope'
            ) }}
        ) as incremental
    from draws
    inner join channels
        on draws.segment_id = channels.segment_id
        and draws.channel = channels.channel
    group by 1, 2
),

segments as (
    select
        segment_id,
        max(run_id) as run_id,
        sum(current_weekly_spend) as total_weekly_budget,
        max(calibration_factor * coalesce(base_outcome_weekly, 0)) as base_outcome,
        max(observed_outcome_weekly) as observed_outcome_weekly,
        max(interval_source) as interval_source
    from channels
    group by 1
),

summarised as (
    select
        segment_id,
        avg(incremental) as incremental_outcome_mean,
        percentile_cont(0.1) within group (order by incremental) as incremental_outcome_p10,
        percentile_cont(0.9) within group (order by incremental) as incremental_outcome_p90
    from per_draw
    group by 1
),

joined as (
    select
        segments.*,
        segments.base_outcome + summarised.incremental_outcome_mean as expected_outcome_mean,
        segments.base_outcome + summarised.incremental_outcome_p10 as expected_outcome_p10,
        segments.base_outcome + summarised.incremental_outcome_p90 as expected_outcome_p90,
        summarised.incremental_outcome_mean,
        summarised.incremental_outcome_p10,
        summarised.incremental_outcome_p90
    from segments
    inner join summarised on segments.segment_id = summarised.segment_id
),

-- The columns and types are the contract's (contract_select).
final as (
    {{ contract_select('joined') }}
)

select * from final
