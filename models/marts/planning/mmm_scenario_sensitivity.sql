-- One row per segment x channel x half-saturation shift (-20% and +20%, var
-- planning.sensitivity_shift): the scenarios re-evaluated with that channel's half-saturation point
-- shifted, the recommended scenario under the shift and whether it differs from the baseline
-- recommendation.
-- Published from the Python model planning_scenario_sensitivity; contract_select types the columns from this mart's contract.
with planning_scenario_sensitivity as (
    select * from {{ ref('planning_scenario_sensitivity') }}
),

typed as (
    {{ contract_select('planning_scenario_sensitivity') }}
)

select * from typed
