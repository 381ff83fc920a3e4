-- One row per run x week x component: baseline, trend, seasonality, holidays, each control, each
-- channel, the fitted total and the actual outcome, in outcome currency per week.
with decomposition as (
    select * from {{ ref('fit_segments') }}
    where artifact = 'decomposition'
),

runs as (
    select run_id, is_current from {{ ref('mmm_model_runs') }}
),

final as (
    select
        cast(decomposition.run_id as varchar) as run_id,
        cast(decomposition.segment_id as varchar) as segment_id,
        cast(decomposition.week_start as date) as week_start,
        cast(decomposition.parameter as varchar) as component,
        cast(decomposition.details as varchar) as component_kind,
        cast(decomposition.channel as varchar) as channel,
        cast(decomposition.mean as double) as value_mean,
        cast(decomposition.p05 as double) as value_p05,
        cast(decomposition.p95 as double) as value_p95,
        runs.is_current
    from decomposition
    inner join runs on decomposition.run_id = runs.run_id
)

select * from final
