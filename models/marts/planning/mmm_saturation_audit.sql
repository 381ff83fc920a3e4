-- One row per segment x channel: where current weekly spend sits on its curve against the channel's
-- ROI floor (pre / at / past), the recommended move in dollars (net zero across channels: the best
-- allocation of the current total with each channel moving at most var
-- planning.audit_max_move_share of its spend, inside its bounds), the expected ROI of the move,
-- confidence from the width of the curve's 80% interval, and, for the most uncertain channel, the
-- experiment that would tighten it.
-- Published from the Python model planning_audit; contract_select types the columns from this mart's contract.
with planning_audit as (
    select * from {{ ref('planning_audit') }}
),

typed as (
    {{ contract_select('planning_audit') }}
)

select * from typed
