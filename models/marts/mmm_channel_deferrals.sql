-- One row per segment x channel left out of the fit because it went live fewer than
-- var min_channel_weeks weeks ago; listed until it has enough history.
with eligibility as (
    select * from {{ ref('int_channel_eligibility') }}
),

deferred as (
    select
        *,
        'live for ' || cast(weeks_live as varchar) || ' complete weeks; a channel needs '
        || cast(weeks_required as varchar) || ' before it is fitted' as reason
    from eligibility
    where is_deferred
),

-- The columns and types are the contract's (contract_select).
final as (
    {{ contract_select('deferred') }}
)

select * from final
