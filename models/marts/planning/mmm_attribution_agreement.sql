-- One row per segment x month x channel where both the MMM and the attribution system (optional raw
-- input attribution) have a number: the raw numbers side by side, never blended.
-- Published from the Python model planning_agreement; this mart casts the columns and carries the contract.
with planning_agreement as (
    select * from {{ ref('planning_agreement') }}
),

typed as (
    select
        cast(run_id as varchar) as run_id,
        cast(segment_id as varchar) as segment_id,
        cast(source as varchar) as source,
        cast(month as date) as month,
        cast(channel as varchar) as channel,
        cast(mmm_contribution as double) as mmm_contribution,
        cast(mmm_basis as varchar) as mmm_basis,
        cast(attributed_revenue as double) as attributed_revenue,
        cast(difference as double) as difference,
        cast(relative_disagreement as double) as relative_disagreement,
        cast(agreement_level as varchar) as agreement_level,
        cast(consecutive_flagged_months as integer) as consecutive_flagged_months
    from planning_agreement
)

select * from typed
