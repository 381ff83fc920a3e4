-- One row per segment x channel: where current weekly spend sits on its curve against the channel's
-- ROI floor (pre / at / past), the recommended move in dollars (net zero across channels: the best
-- allocation of the current total with each channel moving at most var
-- planning.audit_max_move_share of its spend, inside its bounds), the expected ROI of the move,
-- confidence from the width of the curve's 80% interval, and, for the most uncertain channel, the
-- experiment that would tighten it.
-- Published from the Python model planning_audit; this mart casts the columns and carries the contract.
with planning_audit as (
    select * from {{ ref('planning_audit') }}
),

typed as (
    select
        cast(run_id as varchar) as run_id,
        cast(segment_id as varchar) as segment_id,
        cast(channel as varchar) as channel,
        cast(channel_group as varchar) as channel_group,
        cast(current_weekly_spend as double) as current_weekly_spend,
        cast(marginal_roi_mean as double) as marginal_roi_mean,
        cast(marginal_roi_p10 as double) as marginal_roi_p10,
        cast(marginal_roi_p90 as double) as marginal_roi_p90,
        cast(roi_floor as double) as roi_floor,
        cast(inflection_spend as double) as inflection_spend,
        cast(floor_spend as double) as floor_spend,
        cast(position as varchar) as position,
        cast(prob_marginal_roi_above_floor as double) as prob_marginal_roi_above_floor,
        cast(recommended_move as double) as recommended_move,
        cast(recommended_weekly_spend as double) as recommended_weekly_spend,
        cast(expected_roi_of_move_mean as double) as expected_roi_of_move_mean,
        cast(expected_roi_of_move_p10 as double) as expected_roi_of_move_p10,
        cast(expected_roi_of_move_p90 as double) as expected_roi_of_move_p90,
        cast(response_interval_width as double) as response_interval_width,
        cast(confidence as varchar) as confidence,
        cast(is_most_uncertain as boolean) as is_most_uncertain,
        cast(experiment as varchar) as experiment,
        cast(interval_source as varchar) as interval_source
    from planning_audit
)

select * from typed
