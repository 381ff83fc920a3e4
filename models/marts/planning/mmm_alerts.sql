-- One alerts table: one row per open alert - gate failures, rejected fits, coefficient sign flips
-- vs the previous published run, fit quality below the floor (R2 < var planning.r2_floor), stale
-- curves, new-channel deferrals, MMM vs attribution disagreement, a methodology change since the
-- previous published run, and reallocation proposals above var planning.proposal_alert_threshold.
-- Published from the Python model planning_alerts; contract_select types the columns from this mart's contract.
with planning_alerts as (
    select * from {{ ref('planning_alerts') }}
),

typed as (
    {{ contract_select('planning_alerts') }}
)

select * from typed
