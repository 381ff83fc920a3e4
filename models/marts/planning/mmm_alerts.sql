-- One alerts table: one row per open alert - gate failures, rejected fits, coefficient sign flips
-- vs the previous published run, fit quality below the floor (R2 < var planning.r2_floor), stale
-- curves, new-channel deferrals, MMM vs attribution disagreement, a methodology change since the
-- previous published run, and reallocation proposals above var planning.proposal_alert_threshold.
-- Published from the Python model planning_alerts; this mart casts the columns and carries the contract.
with planning_alerts as (
    select * from {{ ref('planning_alerts') }}
),

typed as (
    select
        cast(alert_id as varchar) as alert_id,
        cast(alert_kind as varchar) as alert_kind,
        cast(severity as varchar) as severity,
        cast(segment_id as varchar) as segment_id,
        cast(channel as varchar) as channel,
        cast(run_id as varchar) as run_id,
        cast(message as varchar) as message,
        cast(observed_value as double) as observed_value,
        cast(threshold as double) as threshold,
        cast(route_to as varchar) as route_to,
        cast(raised_on as date) as raised_on,
        cast(due_by as date) as due_by
    from planning_alerts
)

select * from typed
