-- One row per current segment x channel x draw: the curve parameters the runtime SQL functions
-- (mmm_response, mmm_marginal_roi, mmm_what_if) and every planning table evaluate.
-- Published from the Python model planning_curve_draws; contract_select types the columns from this mart's contract.
with planning_curve_draws as (
    select * from {{ ref('planning_curve_draws') }}
),

typed as (
    {{ contract_select('planning_curve_draws') }}
)

select * from typed
