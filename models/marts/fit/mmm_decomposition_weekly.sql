-- One row per run x week x component: baseline, trend, seasonality, holidays, each control, each
-- channel, the fitted total and the actual outcome, in outcome currency per week.
with decomposition as (
    select * from {{ ref('fit_segments') }}
    where artifact = 'decomposition'
),

runs as (
    select
        run_id,
        is_current
    from {{ ref('mmm_model_runs') }}
),

joined as (
    select
        decomposition.*,
        runs.is_current
    from decomposition
    inner join runs on decomposition.run_id = runs.run_id
),

-- The columns and types are the contract's (contract_select); the artifact's generic columns renamed.
final as (
    {{ contract_select('joined', expressions={
        'component': 'parameter',
        'component_kind': 'details',
        'value_mean': column_ref('mean'),
        'value_p05': 'p05',
        'value_p95': 'p95',
    }) }}
)

select * from final
