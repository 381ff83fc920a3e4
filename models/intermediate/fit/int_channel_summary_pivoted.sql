-- Jinja-generated column lists: sqlfluff cannot lay out loop bodies or long macro calls.
-- noqa: disable=LT02,LT05,LT09
-- One row per run x channel: spend, contribution and ROI with 90% intervals, marginal ROI at
-- current spend, the curve's shape (half-saturation spend, saturation max, slope, inflection),
-- adstock half-life and current weekly spend, what drove the saturation (spend or impressions, with
-- the window's cost per impression), typed. mmm_channel_summary publishes it with the
-- saturation position against the ROI floor (from mmm_saturation_audit); mmm_curves and planning
-- read it from here.
-- The metric names come from curvehouse.posterior.artifact_names (macros/fit_artifact_names.sql).
-- An organic channel (details channel_kind 'organic') is fitted on its weekly volume in its own unit
-- (saturation_unit): its spend, ROI and spend-named columns are null, its *_volume columns and
-- marginal_response_per_unit_* hold those numbers in its unit; for paid channels those are null.
{%- set interval_metrics = fit_summary_intervals() %}
{%- set in_driver_unit = ['marginal_roi', 'half_saturation_spend'] %}
{%- set organic = "pivoted.channel_kind = 'organic'" %}
{%- set paid = "coalesce(pivoted.channel_kind, 'paid') != 'organic'" %}
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
        max({{ detail('channel_kind') }}) as channel_kind,
        max({{ detail('unit') }}) as unit,
        max({{ detail('saturation_unit') }}) as fitted_unit,
        max(cast({{ detail('cost_per_impression') }} as double)) as cost_per_impression,
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
        cast(coalesce(pivoted.channel_kind, 'paid') as varchar) as channel_kind,
        cast(case
            when pivoted.channel_kind = 'organic' then coalesce(pivoted.unit, 'volume')
            else coalesce(pivoted.fitted_unit, 'spend')
        end as varchar) as saturation_unit,
        cast(case when {{ paid }} then pivoted.spend end as double) as spend,
        {%- for column in interval_metrics.values() %}
        {%- for stat in ['mean', 'p05', 'p95'] %}
        {%- if column in in_driver_unit %}
        cast(case when {{ paid }} then pivoted.{{ column }}_{{ stat }} end as double) as {{ column }}_{{ stat }},
        {%- else %}
        cast(pivoted.{{ column }}_{{ stat }} as double) as {{ column }}_{{ stat }},
        {%- endif %}
        {%- endfor %}
        {%- endfor %}
        cast(case when {{ paid }} then pivoted.current_weekly_spend end as double) as current_weekly_spend,
        cast(case when {{ paid }} then pivoted.min_weekly_spend end as double) as min_weekly_spend,
        cast(case when {{ paid }} then pivoted.max_weekly_spend end as double) as max_weekly_spend,
        cast(case when {{ paid }} then pivoted.inflection_spend end as double) as inflection_spend,
        cast(case when {{ organic }} then pivoted.spend end as double) as volume,
        cast(case when {{ organic }} then pivoted.current_weekly_spend end as double) as current_weekly_volume,
        cast(case when {{ organic }} then pivoted.max_weekly_spend end as double) as max_weekly_volume,
        {%- for stat in ['mean', 'p05', 'p95'] %}
        cast(case when {{ organic }} then pivoted.half_saturation_spend_{{ stat }} end as double)
            as half_saturation_volume_{{ stat }},
        cast(case when {{ organic }} then pivoted.marginal_roi_{{ stat }} end as double)
            as marginal_response_per_unit_{{ stat }},
        {%- endfor %}
        cast(pivoted.cost_per_impression as double) as cost_per_impression,
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
