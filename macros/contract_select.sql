{#
  contract_select(relation, expressions={}): the typed select of a contracted model, generated from
  its own YAML contract - `cast(<column> as <data_type>) as <column>` for every column of the
  contract, in contract order, from `relation` (a CTE name or a relation). The contract is then the
  one place a published column's name, position and type are written.

  expressions: {column: SQL} for a column whose value is not the same-named column of `relation`
  (a rename, or a column redefined from itself such as nullif(warnings, '')); it is cast like
  the others. A key the contract lacks fails the compile, so a renamed contract column cannot
  leave its old expression behind unnoticed.

  contract_columns(): the contract's columns (dicts with name and data_type), in order.

  Where the columns come from: the current node (`model.columns`: dbt applies the model's YAML to
  the node, data types passed through the adapter's type aliases). While dbt parses (`execute`
  false) the YAML is not applied yet: contract_columns() is empty then and contract_select renders
  a placeholder select - parsing only records refs and config. In a dbt unit test the node is the
  test, whose manifest (dbt 1.11) holds neither the tested model's YAML nor a graph: there too
  contract_columns() is empty and contract_select selects every column of `relation` untyped (a
  unit test checks the columns it names, by name; the contract is enforced when the model builds),
  and a model computing columns in `expressions` fails there with a message saying so.
  A model without contract columns, or with a column lacking a data_type, fails to compile, naming
  the model. Names go through column_ref: quoted on DuckDB, bare (upper-case resolution) on
  Snowflake.
#}
{% macro contract_columns() %}
  {%- if not execute -%}
    {{ return([]) }}
  {%- endif -%}
  {%- set node = model -%}
  {%- if model.get('tested_node_unique_id') -%}
    {#- A dbt unit test: its manifest has neither the tested model's YAML nor (in 1.11) a graph. -#}
    {%- set node = (graph.get('nodes') or {}).get(model.tested_node_unique_id) -%}
    {%- if node is none -%}
      {{ return([]) }}
    {%- endif -%}
  {%- endif -%}
  {%- set columns = node.columns.values() | list -%}
  {%- if columns | length == 0 -%}
    {{ exceptions.raise_compiler_error("contract_select: model '" ~ node.name ~ "' has no contract columns: list every published column with its data_type in the model's YAML, under contract: {enforced: true}") }}
  {%- endif -%}
  {%- set untyped = columns | rejectattr('data_type') | map(attribute='name') | list -%}
  {%- if untyped -%}
    {{ exceptions.raise_compiler_error("contract_select: model '" ~ node.name ~ "' has columns without a data_type in its YAML: " ~ untyped | join(', ')) }}
  {%- endif -%}
  {{ return(columns) }}
{% endmacro %}

{% macro contract_select(relation, expressions={}) %}
  {%- if not execute -%}
    {{ return('select * from ' ~ relation) }}
  {%- endif -%}
  {%- set columns = contract_columns() -%}
  {%- if columns | length == 0 -%}
    {#- Only in a dbt unit test: untyped, every column of the relation (the test names the ones it checks). -#}
    {%- if expressions -%}
      {{ exceptions.raise_compiler_error("contract_select: a dbt unit test of '" ~ model.tested_node_unique_id ~ "' cannot read the model's contract, and the model computes " ~ expressions.keys() | join(', ') ~ " inside contract_select; compute them in a CTE before it to unit-test the model") }}
    {%- endif -%}
    {{ return('select * from ' ~ relation) }}
  {%- endif -%}
  {%- set names = columns | map(attribute='name') | list -%}
  {%- set unknown = expressions.keys() | reject('in', names) | list -%}
  {%- if unknown -%}
    {{ exceptions.raise_compiler_error("contract_select: model '" ~ model.name ~ "' computes columns its contract does not list: " ~ unknown | join(', ')) }}
  {%- endif -%}
  select
  {%- for column in columns %}
        cast({{ expressions.get(column.name, column_ref(column.name)) }} as {{ column.data_type }}) as {{ column_ref(column.name) }}{{ "," if not loop.last }}
  {%- endfor %}
    from {{ relation }}
{%- endmacro %}
