-- One row per built-in model run, published or rejected. Exactly one published run per segment
-- is current: the most recently refreshed. A rejected run never displaces it.
with runs as (
    select * from {{ ref('int_fit_runs_pivoted') }}
),

typed as (
    select
        cast(run_id as varchar) as run_id,
        cast(segment_id as varchar) as segment_id,
        '{{ var("builtin_source_name", "builtin") }}' as source,
        cast(refreshed_at as timestamp) as refreshed_at,
        cast(data_window_start as date) as data_window_start,
        cast(data_window_end as date) as data_window_end,
        cast(n_weeks as integer) as n_weeks,
        cast(n_channels as integer) as n_channels,
        cast(channels as varchar) as channels,
        cast(methodology_version as varchar) as methodology_version,
        cast(methodology as varchar) as methodology,
        cast(pooling as varchar) as pooling,
        cast(noise as varchar) as noise,
        cast(fit_mode as varchar) as fit_mode,
        cast(chains as integer) as chains,
        cast(warmup as integer) as warmup,
        cast(draws as integer) as draws,
        cast(seed as bigint) as seed,
        cast(fit_seconds as double) as fit_seconds,
        cast(max_rhat as double) as max_rhat,
        cast(min_ess_bulk as double) as min_ess_bulk,
        cast(min_ess_tail as double) as min_ess_tail,
        cast(divergences as integer) as divergences,
        cast(r2_in_sample as double) as r2_in_sample,
        cast(mape_in_sample as double) as mape_in_sample,
        cast(r2_holdout as double) as r2_holdout,
        cast(mape_holdout as double) as mape_holdout,
        cast(holdout_weeks as integer) as holdout_weeks,
        cast(holdout_method as varchar) as holdout_method,
        cast(holdout_pareto_k as double) as holdout_pareto_k,
        cast(status as varchar) as status,
        cast(status_reason as varchar) as status_reason,
        cast(nullif(warnings, '') as varchar) as warnings
    from runs
),

flagged as (
    select
        *,
        status = 'published' and row_number() over (
            partition by segment_id
            order by case when status = 'published' then 0 else 1 end, refreshed_at desc, run_id desc
        ) = 1 as is_current
    from typed
)

select * from flagged
