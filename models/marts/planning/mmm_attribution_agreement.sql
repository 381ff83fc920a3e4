-- One row per segment x month x channel where both the MMM and the attribution system (optional raw
-- input attribution) have a number: the raw numbers side by side, never blended.
-- Published from the Python model planning_agreement; contract_select types the columns from this mart's contract.
with planning_agreement as (
    select * from {{ ref('planning_agreement') }}
),

typed as (
    {{ contract_select('planning_agreement') }}
)

select * from typed
