-- One row per reallocation proposal in the optional raw input reallocation_proposals (date,
-- segment_id, channel_from, channel_to, weekly_amount, proposed_by), with its expected weekly lift
-- on the segment's current curves and an 80% interval.
-- Published from the Python model planning_proposals; contract_select types the columns from this mart's contract.
with planning_proposals as (
    select * from {{ ref('planning_proposals') }}
),

typed as (
    {{ contract_select('planning_proposals') }}
)

select * from typed
