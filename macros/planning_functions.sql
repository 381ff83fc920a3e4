{#
  Runtime planning functions, created by the build (post-hooks of mmm_planning_channels) in the
  schema of the planning marts, so an agent or BI tool can ask "what outcome for this allocation?"
  and "what marginal ROI at this spend?" in plain SQL, between the stored scenarios, without a
  re-fit. They evaluate mmm_planning_curve_draws exactly as the Python planning code does
  (posterior mean and 10th / 90th percentiles over the draws). Documented with example queries in
  macros/_planning__macros.yml and README.md.

    mmm_response(segment_id, channel, weekly_spend)      -> expected calibrated weekly contribution
    mmm_marginal_roi(segment_id, channel, weekly_spend)  -> expected extra outcome per extra unit of spend
    mmm_what_if(segment_id, channels, weekly_spends)     -> one row: the allocation's outcome with an
                                                            80% interval (channels left out spend 0)
  DuckDB: SQL macros (scalar and table). Snowflake: SQL UDFs and a SQL UDTF (arrays as arguments).
  The curve itself is planning_hill / planning_hill_marginal (macros/hill.sql).
#}

{# planning_function_sql(name): the statement that creates one runtime function (post-hook).
   One body per function; only the wrapper (DuckDB macro or Snowflake UDF), the schema
   qualifier and the way an array argument becomes rows differ by adapter. #}
{% macro planning_function_sql(name) %}
  {%- set where = planning_function_schema() -%}
  {%- set draws = where ~ '.mmm_planning_curve_draws' -%}
  {%- if name in ('mmm_response', 'mmm_marginal_roi') -%}
    {%- set curve = planning_hill if name == 'mmm_response' else planning_hill_marginal -%}
    {%- set body -%}
    select avg(calibration_factor * {{ curve('p_spend', 'saturation_half_point', 'saturation_max', 'hill_slope') }})
    from {{ draws }}
    where segment_id = p_segment and channel = p_channel
    {%- endset -%}
  {%- elif name == 'mmm_what_if' -%}
    {%- set body = planning_what_if_body(draws, where ~ '.mmm_planning_channels') -%}
  {%- else -%}
    {{ exceptions.raise_compiler_error("planning_function_sql: unknown function " ~ name) }}
  {%- endif -%}
  {{ return(adapter.dispatch('planning_function_create', 'curvehouse')(where ~ '.' ~ name, name, body)) }}
{% endmacro %}

{# planning_what_if_body(draws, channels): one row for an allocation of weekly spend. #}
{% macro planning_what_if_body(draws, channels) -%}
with allocation as (
    {{ adapter.dispatch('planning_allocation_rows', 'curvehouse')() }}
),
planned as (
    select * from {{ channels }} where segment_id = p_segment
),
per_draw as (
    select
        draws.draw,
        sum(draws.calibration_factor * {{ planning_hill('coalesce(allocation.weekly_spend, 0)', 'draws.saturation_half_point', 'draws.saturation_max', 'draws.hill_slope') }}) as incremental
    from {{ draws }} as draws
    left join allocation on draws.channel = allocation.channel
    where draws.segment_id = p_segment
    group by 1
),
checks as (
    select
        sum(allocation.weekly_spend) as total_weekly_budget,
        count(case when planned.channel is null then 1 end) as n_unknown_channels,
        count(case when planned.channel is not null and (allocation.weekly_spend < planned.observed_spend_min - 0.005
            or allocation.weekly_spend > planned.observed_spend_max + 0.005) then 1 end) as n_channels_outside_observed_range
    from allocation
    left join planned on allocation.channel = planned.channel
),
base as (
    select max(calibration_factor * coalesce(base_outcome_weekly, 0)) as base_outcome, max(run_id) as run_id,
        max(interval_source) as interval_source
    from planned
)
select
    p_segment as segment_id,
    base.run_id,
    checks.total_weekly_budget,
    base.base_outcome + avg(per_draw.incremental) as expected_outcome_mean,
    base.base_outcome + percentile_cont(0.1) within group (order by per_draw.incremental) as expected_outcome_p10,
    base.base_outcome + percentile_cont(0.9) within group (order by per_draw.incremental) as expected_outcome_p90,
    avg(per_draw.incremental) as incremental_outcome_mean,
    percentile_cont(0.1) within group (order by per_draw.incremental) as incremental_outcome_p10,
    percentile_cont(0.9) within group (order by per_draw.incremental) as incremental_outcome_p90,
    checks.n_channels_outside_observed_range,
    checks.n_unknown_channels,
    base.interval_source
from per_draw, checks, base
group by base.run_id, checks.total_weekly_budget, base.base_outcome, checks.n_channels_outside_observed_range,
    checks.n_unknown_channels, base.interval_source
{%- endmacro %}

{# planning_function_schema(): where the functions and the tables they read live. #}
{% macro planning_function_schema() %}
  {{ return(adapter.dispatch('planning_function_schema', 'curvehouse')()) }}
{% endmacro %}

{% macro default__planning_function_schema() %}
  {{ return(this.schema) }}
{% endmacro %}

{% macro snowflake__planning_function_schema() %}
  {{ return(this.database ~ '.' ~ this.schema) }}
{% endmacro %}

{# planning_allocation_rows(): the (channel, weekly_spend) pairs of p_channels / p_spends. #}
{% macro default__planning_allocation_rows() -%}
    select unnest(p_channels) as channel, cast(unnest(p_spends) as double) as weekly_spend
{%- endmacro %}

{% macro snowflake__planning_allocation_rows() -%}
    select names.value::varchar as channel, spends.value::float as weekly_spend
    from table(flatten(input => p_channels)) as names
    inner join table(flatten(input => p_spends)) as spends on names.index = spends.index
{%- endmacro %}

{# planning_function_create(qualified, name, body): DuckDB scalar / table macros. #}
{% macro default__planning_function_create(qualified, name, body) -%}
  {%- if name == 'mmm_what_if' -%}
create or replace macro {{ qualified }}(p_segment, p_channels, p_spends) as table
{{ body }}
  {%- else -%}
create or replace macro {{ qualified }}(p_segment, p_channel, p_spend) as (
{{ body }}
)
  {%- endif -%}
{%- endmacro %}

{# Snowflake: SQL UDFs and a SQL UDTF with typed arguments (arrays for the allocation). #}
{% macro snowflake__planning_function_create(qualified, name, body) -%}
  {%- if name == 'mmm_what_if' -%}
create or replace function {{ qualified }}(p_segment varchar, p_channels array, p_spends array)
returns table (
    segment_id varchar, run_id varchar, total_weekly_budget float,
    expected_outcome_mean float, expected_outcome_p10 float, expected_outcome_p90 float,
    incremental_outcome_mean float, incremental_outcome_p10 float, incremental_outcome_p90 float,
    n_channels_outside_observed_range integer, n_unknown_channels integer, interval_source varchar
)
  {%- else -%}
create or replace function {{ qualified }}(p_segment varchar, p_channel varchar, p_spend float)
returns float
  {%- endif %}
as $$
{{ body }}
$$
{%- endmacro %}
