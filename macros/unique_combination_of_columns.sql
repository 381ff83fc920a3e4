{#
  unique_combination_of_columns(model, combination_of_columns): a model's grain. Returns one row
  per combination of the columns that occurs more than once, in one group-by over the table (no
  concatenated key, so it stays one pass at 1,000 segments, and a null in a grain column is a
  value like any other rather than hiding the row). Names go through column_ref.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
  {%- if combination_of_columns is string or not combination_of_columns -%}
    {{ exceptions.raise_compiler_error("unique_combination_of_columns: combination_of_columns must be a non-empty list of column names") }}
  {%- endif -%}
  {%- set columns = [] -%}
  {%- for name in combination_of_columns -%}
    {%- do columns.append(column_ref(name)) -%}
  {%- endfor %}
select
    {{ columns | join(',\n    ') }},
    count(*) as n_records
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
