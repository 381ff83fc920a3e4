-- One row per segment x channel of the current curves (any source): where current weekly spend (as
-- planning measures it, mmm_planning_channels) sits against the channel's ROI floor (the saturation position of mmm_saturation_audit, the one
-- meaning every table uses, with its probability), the marginal ROI it is judged on, the curve's
-- mathematical inflection as its own column, and the headroom left to the top of the observed
-- weekly spend range. No draws, no spend rows: positions only.
with curves as (
    select * from {{ ref('mmm_curves') }}
    where is_current
),

channel_summary as (
    select * from {{ ref('int_channel_summary_pivoted') }}
    where is_current
),

audit as (
    select * from {{ ref('mmm_saturation_audit') }}
),

planning_channels as (
    select * from {{ ref('mmm_planning_channels') }}
),

curves_with_spend as (
    select
        curves.*,
        planning_channels.current_weekly_spend,
        case planning_channels.current_spend_basis
            when 'fit_summary'
                then 'mean weekly spend over the fit''s trailing '
                    || cast({{ setting('mmm', 'current_spend_weeks') | int }} as varchar)
                    || ' weeks'
            when 'warehouse_spend'
                then 'mean weekly warehouse spend over the last '
                    || cast({{ setting('planning', 'reporting_weeks') | int }} as varchar)
                    || ' weeks'
            when 'curve_spend' then 'mean weekly spend over the model''s date range'
        end as current_spend_basis,
        coalesce(
            channel_summary.inflection_spend,
            {{ planning_hill_inflection('curves.saturation_half_point', 'curves.hill_slope') }}
        ) as inflection_spend
    from curves
    left join channel_summary
        on curves.run_id = channel_summary.run_id
        and curves.segment_id = channel_summary.segment_id
        and curves.channel_name = channel_summary.channel
    left join planning_channels
        on curves.run_id = planning_channels.run_id
        and curves.segment_id = planning_channels.segment_id
        and curves.channel_name = planning_channels.channel
),

positions as (
    select
        curves_with_spend.segment_id,
        curves_with_spend.channel_name as channel,
        curves_with_spend.display_name,
        curves_with_spend.source as curve_source,
        curves_with_spend.model_id,
        curves_with_spend.run_id,
        curves_with_spend.current_weekly_spend,
        curves_with_spend.current_spend_basis,
        curves_with_spend.saturation_half_point,
        curves_with_spend.saturation_max,
        curves_with_spend.hill_slope,
        curves_with_spend.inflection_spend,
        curves_with_spend.current_weekly_spend / nullif(curves_with_spend.saturation_half_point, 0)
            as spend_to_half_point_ratio,
        audit.position as saturation_position,
        audit.prob_marginal_roi_above_floor,
        audit.roi_floor,
        audit.marginal_roi_mean,
        audit.marginal_roi_p10,
        audit.marginal_roi_p90,
        curves_with_spend.observed_spend_min,
        curves_with_spend.observed_spend_max,
        case
            when curves_with_spend.observed_spend_max is not null
                then greatest(curves_with_spend.observed_spend_max - curves_with_spend.current_weekly_spend, 0)
        end as headroom_weekly_spend,
        curves_with_spend.refreshed_at,
        curves_with_spend.staleness_days,
        curves_with_spend.staleness_days > {{ var('byomm_stale_after_days') | int }} as is_stale
    from curves_with_spend
    left join audit
        on curves_with_spend.run_id = audit.run_id
        and curves_with_spend.segment_id = audit.segment_id
        and curves_with_spend.channel_name = audit.channel
)

select * from positions
