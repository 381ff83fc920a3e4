{#
  week_series(): one row per possible week offset 0..(n-1), column week_offset.
  Joined against per-segment first/last weeks to build the weekly spine.
#}
{% macro week_series(n_weeks=2000) %}
  {{ return(adapter.dispatch('week_series', 'curvehouse')(n_weeks)) }}
{% endmacro %}

{% macro default__week_series(n_weeks) -%}
  select cast(week_offset as integer) as week_offset from range(0, {{ n_weeks }}) as t(week_offset)
{%- endmacro %}

{% macro snowflake__week_series(n_weeks) -%}
  select row_number() over (order by seq4()) - 1 as week_offset from table(generator(rowcount => {{ n_weeks }}))
{%- endmacro %}
