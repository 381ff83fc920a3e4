-- Built-in curves of published runs in the unified curve convention (mmm_curves columns):
-- response per week at sustained weekly spend s = saturation_max * s^slope / (s^slope + half^slope).
-- Paid channels only: mmm_curves feeds budget planning, which never moves budget to organic channels.
with summary as (
    select * from {{ ref('int_channel_summary_pivoted') }}
    where status = 'published' and channel_kind = 'paid'  -- organic channels have no spend curve to plan
),

runs as (
    select * from {{ ref('mmm_model_runs') }}
),

revenue as (
    select
        run_id,
        sum(value_mean) as total_revenue
    from {{ ref('mmm_decomposition_weekly') }}
    where component = 'actual'
    group by 1
),

unified as (
    select
        summary.run_id,
        'builtin' as model_id,
        'builtin' as source,
        summary.segment_id,
        runs.refreshed_at,
        summary.data_window_start as date_range_start,
        summary.data_window_end as date_range_end,
        summary.channel as channel_name,
        summary.display_name,
        'hill' as curve_family,
        summary.half_saturation_spend_mean as saturation_half_point,
        summary.half_saturation_spend_p05 as saturation_half_point_p05,
        summary.half_saturation_spend_p95 as saturation_half_point_p95,
        summary.saturation_max_mean as saturation_max,
        summary.saturation_max_p05,
        summary.saturation_max_p95,
        summary.hill_slope_mean as hill_slope,
        summary.hill_slope_p05,
        summary.hill_slope_p95,
        summary.contribution_mean,
        summary.contribution_p05 as contribution_lower,
        summary.contribution_p95 as contribution_upper,
        summary.spend,
        revenue.total_revenue,
        summary.min_weekly_spend as observed_spend_min,
        summary.max_weekly_spend as observed_spend_max,
        runs.refreshed_at as loaded_at,
        cast(null as varchar) as source_path,
        'methodology ' || runs.methodology_version || '; R2 ' || cast(round(runs.r2_in_sample, 3) as varchar)
            as source_extras,
        runs.warnings as load_warnings
    from summary
    inner join runs on summary.run_id = runs.run_id
    left join revenue on summary.run_id = revenue.run_id
)

select * from unified
