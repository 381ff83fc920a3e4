-- Thinned posterior and prior draws, long: one row per run x draw x parameter x channel (or
-- control), so any question about uncertainty can be answered in SQL.
with draws as (
    select * from {{ ref('fit_segments') }}
    where artifact = 'draw'
),

runs as (
    select run_id, is_current from {{ ref('mmm_model_runs') }}
),

final as (
    select
        cast(draws.run_id as varchar) as run_id,
        cast(draws.segment_id as varchar) as segment_id,
        cast(draws.draw_kind as varchar) as draw_kind,
        cast(draws.chain as integer) as chain,
        cast(draws.draw as integer) as draw,
        cast(draws.parameter as varchar) as parameter,
        cast(case when draws.parameter <> 'gamma' then draws.channel end as varchar) as channel,
        cast(case when draws.parameter = 'gamma' then draws.channel end as varchar) as control_name,
        cast(draws.{{ column_ref('value') }} as double) as {{ column_ref('value') }},
        runs.is_current
    from draws
    inner join runs on draws.run_id = runs.run_id
)

select * from final
