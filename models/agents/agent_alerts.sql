-- One row per open alert (mmm_alerts): what happened, who it goes to and by when.
with alerts as (
    select * from {{ ref('mmm_alerts') }}
),

alerts_due as (
    select
        *,
        {{ dbt.datediff('raised_on', 'due_by', 'day') }} as days_to_due
    from alerts
),

-- The columns, their order and types are the contract's (contract_select).
final as (
    {{ contract_select('alerts_due') }}
)

select * from final
