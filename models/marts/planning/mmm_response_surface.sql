-- Stored predictions, one row per segment x scenario x channel: total weekly budget levels (var
-- planning.budget_min_ratio..budget_max_ratio of the current total, step budget_step) x allocation
-- mixes (the current mix, each channel tilted up and down by tilt_share, and a space-filling Sobol
-- sample of the simplex), at least var planning.surface_min_scenarios scenarios per segment.
-- Published from the Python model planning_surface; contract_select types the columns from this mart's contract.
with planning_surface as (
    select * from {{ ref('planning_surface') }}
),

typed as (
    {{ contract_select('planning_surface') }}
)

select * from typed
