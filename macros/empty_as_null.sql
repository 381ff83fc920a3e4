{#
  empty_as_null(column): the column as trimmed text, null where it holds one of the empty
  tokens the raw input validator accepts for nullable values (curvehouse.inputs.schema.NULL_TOKENS).
#}
{% macro empty_as_null(column) -%}
  case
    when trim(cast({{ column }} as varchar)) in ('', 'NA', 'NaN', 'nan', 'null', 'NULL') then null
    else trim(cast({{ column }} as varchar))
  end
{%- endmacro %}
