-- Jinja-generated column lists: sqlfluff cannot lay out loop bodies or long macro calls.
-- noqa: disable=LT02,LT05,LT09
-- One row per run x channel: spend, contribution and ROI with 90% intervals, marginal ROI at
-- current spend, the curve's shape (half-saturation spend, saturation max, slope, inflection),
-- adstock half-life and current weekly spend, typed. mmm_channel_summary publishes it with the
-- saturation position against the ROI floor (from mmm_saturation_audit); mmm_curves and planning
-- read it from here.
-- The metric names come from curvehouse.posterior.artifact_names (macros/fit_artifact_names.sql).
{%- set interval_metrics = fit_summary_intervals() %}
{%- set scalar_metrics = fit_summary_scalars() %}
with summary as (
    select * from {{ ref('fit_segments') }}
    where artifact = 'summary'
),

runs as (
    select * from {{ ref('mmm_model_runs') }}
),

registry as (
    select * from {{ ref('stg_raw__channel_registry') }}
),

pivoted as (
    select
        run_id,
        segment_id,
        channel,
        {%- for parameter, column in interval_metrics.items() %}
        max(case when parameter = '{{ parameter }}' then mean end) as {{ column }}_mean,
        max(case when parameter = '{{ parameter }}' then p05 end) as {{ column }}_p05,
        max(case when parameter = '{{ parameter }}' then p95 end) as {{ column }}_p95,
        {%- endfor %}
        {%- for parameter, column in scalar_metrics.items() %}
        max(case when parameter = '{{ parameter }}' then {{ column_ref('value') }} end) as {{ column }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from summary
    group by 1, 2, 3
),

final as (
    select
        cast(pivoted.run_id as varchar) as run_id,
        cast(pivoted.segment_id as varchar) as segment_id,
        cast(pivoted.channel as varchar) as channel,
        cast(registry.display_name as varchar) as display_name,
        cast(registry.channel_group as varchar) as channel_group,
        cast(pivoted.spend as double) as spend,
        {%- for column in interval_metrics.values() %}
        cast(pivoted.{{ column }}_mean as double) as {{ column }}_mean,
        cast(pivoted.{{ column }}_p05 as double) as {{ column }}_p05,
        cast(pivoted.{{ column }}_p95 as double) as {{ column }}_p95,
        {%- endfor %}
        cast(pivoted.current_weekly_spend as double) as current_weekly_spend,
        cast(pivoted.min_weekly_spend as double) as min_weekly_spend,
        cast(pivoted.max_weekly_spend as double) as max_weekly_spend,
        cast(pivoted.inflection_spend as double) as inflection_spend,
        runs.data_window_start,
        runs.data_window_end,
        runs.methodology_version,
        runs.r2_in_sample,
        runs.status,
        runs.is_current
    from pivoted
    inner join runs on pivoted.run_id = runs.run_id
    left join registry on pivoted.channel = registry.channel
)

select * from final
