-- Jinja-generated column lists: sqlfluff cannot lay out loop bodies or long macro calls.
-- noqa: disable=LT02,LT05,LT09
-- One row per current segment x channel x spend point (41 points from 0 to the largest observed
-- weekly spend): expected calibrated weekly response and marginal ROI with 80% intervals, computed
-- at query time from mmm_planning_curve_draws (a view: it always reflects the current curves).
{{ config(materialized='view') }}
{%- set n_points = 41 %}

with draws as (
    select * from {{ ref('mmm_planning_curve_draws') }}
),

channels as (
    select * from {{ ref('mmm_planning_channels') }}
),

points as (
    {% for i in range(n_points) -%}
    select {{ i }} as point_index{{ " union all" if not loop.last }}
    {% endfor %}
),

spend_points as (
    select
        channels.segment_id,
        channels.channel,
        points.point_index,
        channels.observed_spend_max * points.point_index / {{ n_points - 1 }}.0 as weekly_spend
    from channels
    cross join points
),

evaluated as (
    select
        spend_points.segment_id,
        spend_points.channel,
        spend_points.point_index,
        spend_points.weekly_spend,
        draws.calibration_factor * {{ planning_hill('spend_points.weekly_spend', 'draws.saturation_half_point', 'draws.saturation_max', 'draws.hill_slope') }} as response,
        draws.calibration_factor * {{ planning_hill_marginal('spend_points.weekly_spend', 'draws.saturation_half_point', 'draws.saturation_max', 'draws.hill_slope') }} as marginal_roi
    from spend_points
    inner join draws
        on spend_points.segment_id = draws.segment_id
        and spend_points.channel = draws.channel
),

summarised as (
    select
        segment_id,
        channel,
        point_index,
        weekly_spend,
        avg(response) as response_mean,
        percentile_cont(0.1) within group (order by response) as response_p10,
        percentile_cont(0.9) within group (order by response) as response_p90,
        avg(marginal_roi) as marginal_roi_mean,
        percentile_cont(0.1) within group (order by marginal_roi) as marginal_roi_p10,
        percentile_cont(0.9) within group (order by marginal_roi) as marginal_roi_p90
    from evaluated
    group by 1, 2, 3, 4
),

joined as (
    select
        channels.run_id,
        summarised.*,
        summarised.weekly_spend <= channels.current_weekly_spend
            and channels.current_weekly_spend < summarised.weekly_spend + channels.observed_spend_max / {{ n_points - 1 }}.0
            as is_current_spend_point
    from summarised
    inner join channels
        on summarised.segment_id = channels.segment_id
        and summarised.channel = channels.channel
),

-- The columns and types are the contract's (contract_select).
final as (
    {{ contract_select('joined') }}
)

select * from final
