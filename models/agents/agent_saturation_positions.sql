-- One row per segment x channel of the current curves (any source): where current weekly spend
-- sits on the channel's saturation curve, its marginal ROI there, and the headroom left to the
-- top of the observed weekly spend range. No draws, no spend rows: positions only.
{%- set band = (var('mmm').get('at_inflection_band', 0.15)) | float %}
with curves as (
    select * from {{ ref('mmm_curves') }}
    where is_current
),

channel_summary as (
    select * from {{ ref('mmm_channel_summary') }}
    where is_current
),

curves_with_spend as (
    select
        curves.*,
        channel_summary.run_id is not null as has_fit_summary,
        coalesce(
            channel_summary.current_weekly_spend,
            curves.spend / nullif(({{ dbt.datediff('curves.date_range_start', 'curves.date_range_end', 'day') }} + 1) / 7.0, 0)
        ) as current_weekly_spend,
        case
            when channel_summary.run_id is not null
                then 'mean weekly spend over the trailing ' || cast({{ var('mmm').get('current_spend_weeks', 13) | int }} as varchar) || ' weeks'
            else 'mean weekly spend over the model''s date range'
        end as current_spend_basis,
        channel_summary.marginal_roi_mean as fit_marginal_roi_mean,
        channel_summary.marginal_roi_p05 as fit_marginal_roi_p05,
        channel_summary.marginal_roi_p95 as fit_marginal_roi_p95,
        channel_summary.inflection_spend as fit_inflection_spend,
        channel_summary.saturation_position as fit_saturation_position
    from curves
    left join channel_summary
        on curves.run_id = channel_summary.run_id
        and curves.segment_id = channel_summary.segment_id
        and curves.channel_name = channel_summary.channel
),

curves_evaluated as (
    select
        *,
        coalesce(
            fit_inflection_spend,
            case
                when hill_slope > 1
                    then saturation_half_point * power((hill_slope - 1) / (hill_slope + 1), 1 / hill_slope)
                else 0
            end
        ) as inflection_spend,
        -- d/ds of saturation_max * s^S / (s^S + K^S), per unit of weekly spend
        case
            when current_weekly_spend > 0 then
                hill_slope * power(current_weekly_spend, hill_slope - 1) * power(saturation_half_point, hill_slope)
                / power(power(current_weekly_spend, hill_slope) + power(saturation_half_point, hill_slope), 2)
        end as marginal_response_per_max
    from curves_with_spend
),

positions as (
    select
        segment_id,
        channel_name as channel,
        display_name,
        source as curve_source,
        model_id,
        run_id,
        current_weekly_spend,
        current_spend_basis,
        saturation_half_point,
        saturation_max,
        hill_slope,
        inflection_spend,
        current_weekly_spend / nullif(saturation_half_point, 0) as spend_to_half_point_ratio,
        coalesce(
            fit_saturation_position,
            case
                when hill_slope <= 1 or inflection_spend <= 0 then 'past_inflection'
                when current_weekly_spend < (1 - {{ band }}) * inflection_spend then 'pre_inflection'
                when current_weekly_spend <= (1 + {{ band }}) * inflection_spend then 'at_inflection'
                else 'past_inflection'
            end
        ) as saturation_position,
        coalesce(fit_marginal_roi_mean, saturation_max * marginal_response_per_max) as marginal_roi_mean,
        coalesce(fit_marginal_roi_p05, saturation_max_p05 * marginal_response_per_max) as marginal_roi_p05,
        coalesce(fit_marginal_roi_p95, saturation_max_p95 * marginal_response_per_max) as marginal_roi_p95,
        observed_spend_min,
        observed_spend_max,
        case when observed_spend_max is not null then greatest(observed_spend_max - current_weekly_spend, 0) end
            as headroom_weekly_spend,
        refreshed_at,
        staleness_days,
        staleness_days > {{ var('byomm_stale_after_days') | int }} as is_stale
    from curves_evaluated
)

select * from positions
