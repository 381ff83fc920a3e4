-- One row per run x backtest fold x forecast week: the posterior predictive forecast of a fold
-- refitted on the weeks before its cutoff, against the actual outcome (curvehouse.fitting.backtests).
{%- set in_80 = column_ref('value') ~ ' between p10 and p90' %}
{%- set in_90 = column_ref('value') ~ ' between p05 and p95' %}
{%- set abs_pct_error -%}
        case
            when {{ column_ref('value') }} <> 0
                then abs({{ column_ref('value') }} - {{ column_ref('mean') }}) / abs({{ column_ref('value') }})
        end
{%- endset %}

with backtests as (
    select * from {{ ref('fit_segments') }}
    where artifact = 'backtest'
),

runs as (
    select
        run_id,
        is_current
    from {{ ref('mmm_model_runs') }}
),

joined as (
    select
        backtests.*,
        runs.is_current
    from backtests
    inner join runs on backtests.run_id = runs.run_id
),

-- The columns and types are the contract's (contract_select); fold, cutoff and horizon week come
-- from the row's details, the artifact's generic columns are renamed.
final as (
    {{ contract_select('joined', expressions={
        'fold': detail('fold'),
        'cutoff_date': detail('cutoff'),
        'horizon_week': detail('horizon_week'),
        'actual': column_ref('value'),
        'forecast_mean': column_ref('mean'),
        'forecast_p05': 'p05',
        'forecast_p10': 'p10',
        'forecast_p90': 'p90',
        'forecast_p95': 'p95',
        'in_interval_80': in_80,
        'in_interval_90': in_90,
        'abs_pct_error': abs_pct_error,
    }) }}
)

select * from final
