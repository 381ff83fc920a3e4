{#
  column_ref(name): one of the project's own column names (or the validated var kpi_name) as SQL.
  DuckDB and default: quoted, exactly as the models always wrote it (DuckDB matches quoted names
  case-insensitively). Snowflake: bare, so it resolves to the upper-case column Snowflake stores
  for an unquoted name - raw tables created the usual way and Python model outputs (upper-cased by
  curvehouse.warehouse for this reason) both hold upper-case names; a quoted lower-case name would
  not match them. Only plain names are accepted, so nothing from data reaches SQL as code.
#}
{% macro column_ref(name) %}
  {%- if not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]{0,254}', name | string) -%}
    {{ exceptions.raise_compiler_error("column_ref: '" ~ name ~ "' is not a plain column name (letters, digits, underscore)") }}
  {%- endif -%}
  {{ return(adapter.dispatch('column_ref', 'curvehouse')(name | string)) }}
{% endmacro %}

{% macro default__column_ref(name) -%}
  {{ adapter.quote(name) }}
{%- endmacro %}

{% macro snowflake__column_ref(name) -%}
  {{ name }}
{%- endmacro %}
