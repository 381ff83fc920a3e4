-- One row per built-in model run, published or rejected. Exactly one published run per segment
-- is current: the most recently refreshed. A rejected run never displaces it.
with runs as (
    select * from {{ ref('int_fit_runs_pivoted') }}
),

flagged as (
    select
        *,
        '{{ var("builtin_source_name", "builtin") }}' as source,
        status = 'published' and row_number() over (
            partition by segment_id
            order by case when status = 'published' then 0 else 1 end, cast(refreshed_at as timestamp) desc, run_id desc
        ) = 1 as is_current
    from runs
),

-- The columns and types are the contract's (contract_select); an empty warnings text is null.
final as (
    {{ contract_select('flagged', expressions={'warnings': "nullif(warnings, '')"}) }}
)

select * from final
