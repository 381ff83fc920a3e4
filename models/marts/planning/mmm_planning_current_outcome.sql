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
        sum(draws.calibration_factor * {{ planning_hill('channels.current_weekly_spend', 'draws.saturation_half_point', 'draws.saturation_max', 'draws.hill_slope') }}) as incremental
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

final as (
    select
        cast(segments.run_id as varchar) as run_id,
        cast(segments.segment_id as varchar) as segment_id,
        cast(segments.total_weekly_budget as double) as total_weekly_budget,
        cast(segments.base_outcome + summarised.incremental_outcome_mean as double) as expected_outcome_mean,
        cast(segments.base_outcome + summarised.incremental_outcome_p10 as double) as expected_outcome_p10,
        cast(segments.base_outcome + summarised.incremental_outcome_p90 as double) as expected_outcome_p90,
        cast(summarised.incremental_outcome_mean as double) as incremental_outcome_mean,
        cast(summarised.incremental_outcome_p10 as double) as incremental_outcome_p10,
        cast(summarised.incremental_outcome_p90 as double) as incremental_outcome_p90,
        cast(segments.observed_outcome_weekly as double) as observed_outcome_weekly,
        cast(segments.interval_source as varchar) as interval_source
    from segments
    inner join summarised on segments.segment_id = summarised.segment_id
)

select * from final
