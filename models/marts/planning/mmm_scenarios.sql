-- One row per segment x scenario x channel, all at the current total weekly budget: current; A =
-- +var planning.scenario_shift (25%) to brand channels, offset from the most saturated performance
-- channels; B = +25% to performance, offset from brand channels, lowest ROI first; C = hold the
-- mix.
-- Published from the Python model planning_scenarios; contract_select types the columns from this mart's contract.
with planning_scenarios as (
    select * from {{ ref('planning_scenarios') }}
),

typed as (
    {{ contract_select('planning_scenarios') }}
)

select * from typed
