{# iso_week(date_expr): the Monday starting the ISO week of a date. #}
{% macro iso_week(date_expr) %}
  {{ return(adapter.dispatch('iso_week', 'curvehouse')(date_expr)) }}
{% endmacro %}

{% macro default__iso_week(date_expr) -%}
  cast(date_trunc('week', {{ date_expr }}) as date)
{%- endmacro %}

{% macro snowflake__iso_week(date_expr) -%}
  dateadd(day, 1 - dayofweekiso({{ date_expr }}), cast({{ date_expr }} as date))
{%- endmacro %}

{# add_weeks(date_expr, n): a date n weeks later (n may be an expression). #}
{% macro add_weeks(date_expr, n) %}
  {{ return(adapter.dispatch('add_weeks', 'curvehouse')(date_expr, n)) }}
{% endmacro %}

{% macro default__add_weeks(date_expr, n) -%}
  cast({{ date_expr }} + to_days(cast(7 * ({{ n }}) as integer)) as date)
{%- endmacro %}

{% macro snowflake__add_weeks(date_expr, n) -%}
  dateadd(day, 7 * ({{ n }}), {{ date_expr }})
{%- endmacro %}

{# weeks_between(start_expr, end_expr): whole weeks from one Monday to another, as an integer
   (Snowflake: the cast keeps the quotient's decimal scale out of any text built from it). #}
{% macro weeks_between(start_expr, end_expr) %}
  {{ return(adapter.dispatch('weeks_between', 'curvehouse')(start_expr, end_expr)) }}
{% endmacro %}

{% macro default__weeks_between(start_expr, end_expr) -%}
  cast(datediff('day', {{ start_expr }}, {{ end_expr }}) / 7 as integer)
{%- endmacro %}

{% macro snowflake__weeks_between(start_expr, end_expr) -%}
  cast(floor(datediff(day, {{ start_expr }}, {{ end_expr }}) / 7) as integer)
{%- endmacro %}

{# as_of_date(): the run's reference date (var as_of_date, default today). #}
{% macro as_of_date() -%}
  {%- if var('as_of_date', none) -%}
    cast('{{ var("as_of_date") | replace("'", "") }}' as date)
  {%- else -%}
    current_date
  {%- endif -%}
{%- endmacro %}
