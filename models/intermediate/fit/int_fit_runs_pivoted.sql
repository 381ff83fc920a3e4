-- Jinja-generated column lists: sqlfluff cannot lay out loop bodies or long macro calls.
-- noqa: disable=LT02,LT05,LT09
-- One row per built-in model run (published or rejected): the fit's run artifacts pivoted.
-- The metric names come from curvehouse.posterior.artifact_names (macros/fit_artifact_names.sql).
{%- set numbers = fit_run_numbers() %}
{%- set texts = fit_run_texts() %}
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
