{#
  detail(key, column='details'): one field of a fit artifact row's JSON details, as text.
  The fit writes per-row attributes that have no column of their own in fit_segments (a review
  check's threshold and outcome, an experiment's id, a backtest's fold) as a JSON object in
  details (curvehouse.posterior.details.details_json); the marts read them with this macro, the
  same on DuckDB and Snowflake. Cast the text where a number or date is meant.
#}
{% macro detail(key, column='details') %}
  {%- if not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]{0,254}', key | string) -%}
    {{ exceptions.raise_compiler_error("detail: '" ~ key ~ "' is not a plain key (letters, digits, underscore)") }}
  {%- endif -%}
  {{ return(adapter.dispatch('detail', 'curvehouse')(key | string, column)) }}
{% endmacro %}

{% macro default__detail(key, column) -%}
  json_extract_string({{ column }}, '$.{{ key }}')
{%- endmacro %}

{% macro snowflake__detail(key, column) -%}
  parse_json({{ column }}):{{ key }}::varchar
{%- endmacro %}
