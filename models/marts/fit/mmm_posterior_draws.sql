-- Thinned posterior and prior draws, long: one row per run x draw x parameter x channel (or
-- control), so any question about uncertainty can be answered in SQL.
with draws as (
    select * from {{ ref('fit_segments') }}
    where artifact = 'draw'
),

runs as (
    select
        run_id,
        is_current
    from {{ ref('mmm_model_runs') }}
),

joined as (
    select
        draws.*,
        runs.is_current
    from draws
    inner join runs on draws.run_id = runs.run_id
),

-- The columns and types are the contract's (contract_select); gamma rows name a control, not a channel.
final as (
    {{ contract_select('joined', expressions={
        'channel': "case when parameter <> 'gamma' then channel end",
        'control_name': "case when parameter = 'gamma' then channel end",
    }) }}
)

select * from final
