-- One row per segment x budget level x rank x channel: for var planning.frontier_levels total
-- weekly budgets (budget_min_ratio..budget_max_ratio of the current total), the best allocation
-- under the bounds (rank 1; SLSQP on the expected outcome with analytic gradients) and up to var
-- planning.frontier_top_k alternatives within var planning.frontier_tolerance (1%) of it (each one
-- the least or most a channel can get while staying within 1%), so planners see robust options.
-- Published from the Python model planning_frontier; contract_select types the columns from this mart's contract.
with planning_frontier as (
    select * from {{ ref('planning_frontier') }}
),

typed as (
    {{ contract_select('planning_frontier') }}
)

select * from typed
