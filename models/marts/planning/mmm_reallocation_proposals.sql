-- One row per reallocation proposal in the optional raw input reallocation_proposals (date,
-- segment_id, channel_from, channel_to, weekly_amount, proposed_by), with its expected weekly lift
-- on the segment's current curves and an 80% interval.
-- Published from the Python model planning_proposals; this mart casts the columns and carries the contract.
with planning_proposals as (
    select * from {{ ref('planning_proposals') }}
),

typed as (
    select
        cast(proposal_date as date) as proposal_date,
        cast(segment_id as varchar) as segment_id,
        cast(channel_from as varchar) as channel_from,
        cast(channel_to as varchar) as channel_to,
        cast(weekly_amount as double) as weekly_amount,
        cast(proposed_by as varchar) as proposed_by,
        cast(run_id as varchar) as run_id,
        cast(applied_weekly_amount as double) as applied_weekly_amount,
        cast(expected_lift_mean as double) as expected_lift_mean,
        cast(expected_lift_p10 as double) as expected_lift_p10,
        cast(expected_lift_p90 as double) as expected_lift_p90,
        cast(from_marginal_roi_mean as double) as from_marginal_roi_mean,
        cast(to_marginal_roi_mean as double) as to_marginal_roi_mean,
        cast(is_above_threshold as boolean) as is_above_threshold,
        cast(flag as varchar) as flag,
        cast(interval_source as varchar) as interval_source
    from planning_proposals
)

select * from typed
