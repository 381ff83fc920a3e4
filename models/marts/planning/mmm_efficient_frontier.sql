-- One row per segment x budget level x rank x channel: for var planning.frontier_levels total
-- weekly budgets (budget_min_ratio..budget_max_ratio of the current total), the best allocation
-- under the bounds (rank 1; SLSQP on the expected outcome with analytic gradients) and up to var
-- planning.frontier_top_k alternatives within var planning.frontier_tolerance (1%) of it (each one
-- the least or most a channel can get while staying within 1%), so planners see robust options.
-- Published from the Python model planning_frontier; this mart casts the columns and carries the contract.
with planning_frontier as (
    select * from {{ ref('planning_frontier') }}
),

typed as (
    select
        cast(run_id as varchar) as run_id,
        cast(segment_id as varchar) as segment_id,
        cast(budget_level as integer) as budget_level,
        cast(budget_ratio as double) as budget_ratio,
        cast(requested_weekly_budget as double) as requested_weekly_budget,
        cast(total_weekly_budget as double) as total_weekly_budget,
        cast(is_budget_capped as boolean) as is_budget_capped,
        cast(budget_flag as varchar) as budget_flag,
        cast(rank as integer) as rank,
        cast(alternative as varchar) as alternative,
        cast(channel as varchar) as channel,
        cast(weekly_spend as double) as weekly_spend,
        cast(spend_lower_bound as double) as spend_lower_bound,
        cast(spend_upper_bound as double) as spend_upper_bound,
        cast(is_at_bound as boolean) as is_at_bound,
        cast(contribution_mean as double) as contribution_mean,
        cast(expected_outcome_mean as double) as expected_outcome_mean,
        cast(expected_outcome_p10 as double) as expected_outcome_p10,
        cast(expected_outcome_p90 as double) as expected_outcome_p90,
        cast(incremental_outcome_mean as double) as incremental_outcome_mean,
        cast(incremental_outcome_p10 as double) as incremental_outcome_p10,
        cast(incremental_outcome_p90 as double) as incremental_outcome_p90,
        cast(gap_to_best as double) as gap_to_best,
        cast(current_mix_outcome_mean as double) as current_mix_outcome_mean,
        cast(equal_split_outcome_mean as double) as equal_split_outcome_mean,
        cast(interval_source as varchar) as interval_source
    from planning_frontier
)

select * from typed
