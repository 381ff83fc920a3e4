-- One row per built-in model run (published or rejected): the fit's run artifacts pivoted.
{%- set numbers = ['n_weeks', 'n_channels', 'fit_seconds', 'divergences', 'max_rhat', 'min_ess_bulk',
                   'min_ess_tail', 'r2_in_sample', 'mape_in_sample', 'r2_holdout', 'mape_holdout',
                   'holdout_weeks', 'holdout_pareto_k', 'chains', 'warmup', 'draws', 'seed'] %}
{%- set texts = ['status', 'status_reason', 'warnings', 'holdout_method', 'refreshed_at', 'data_window_start',
                 'data_window_end', 'methodology_version', 'methodology', 'pooling', 'noise',
                 'fit_mode', 'channels'] %}
with run_artifacts as (
    select * from {{ ref('fit_segments') }}
    where artifact = 'run'
),

pivoted as (
    select
        run_id,
        segment_id,
        {%- for name in numbers %}
        max(case when parameter = '{{ name }}' then {{ column_ref('value') }} end) as {{ name }},
        {%- endfor %}
        {%- for name in texts %}
        max(case when parameter = '{{ name }}' then details end) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    from run_artifacts
    group by 1, 2
)

select * from pivoted
