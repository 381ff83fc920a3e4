{#
  raw_input(table_name): the relation a staging model reads a raw input from.
  DuckDB: the file <raw_data_path>/<table_name>.csv or .parquet, every column as text
  (the raw_input_checks model has already validated types; staging casts).
  Optional tables that are absent read as an empty relation with the contract's columns.
  Other adapters: the dbt source raw.<table_name> (Snowflake: schema var raw_schema); on Snowflake an
  optional table that does not exist reads as the same empty relation.
#}
{% macro raw_input(table_name, columns, optional=false) %}
  {{ return(adapter.dispatch('raw_input', 'curvehouse')(table_name, columns, optional)) }}
{% endmacro %}

{% macro default__raw_input(table_name, columns, optional) %}
  {{ return(source('raw', table_name)) }}
{% endmacro %}

{% macro snowflake__raw_input(table_name, columns, optional) %}
  {%- set relation = source('raw', table_name) -%}
  {%- if optional and execute and flags.INTROSPECT
        and adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
    {%- set nulls = [] -%}
    {%- for c in columns -%}{%- do nulls.append('cast(null as varchar) as ' ~ column_ref(c)) -%}{%- endfor -%}
    {{ return('(select ' ~ nulls | join(', ') ~ ' where false)') }}
  {%- endif -%}
  {{ return(relation) }}
{% endmacro %}

{% macro duckdb__raw_input(table_name, columns, optional) %}
  {%- set folder = var('raw_data_path') | string -%}
  {%- set base = (folder.rstrip('/') ~ '/' ~ table_name) | replace("'", "''") -%}
  {%- set empty -%}
    (select {% for c in columns %}cast(null as varchar) as {{ adapter.quote(c) }}{{ ", " if not loop.last }}{% endfor %} where false)
  {%- endset -%}
  {%- if not execute -%}
    {{ return(empty) }}
  {%- endif -%}
  {%- set found = run_query("select count(*) filter (where file like '%.csv') as n_csv, count(*) filter (where file like '%.parquet') as n_parquet from glob('" ~ base ~ ".*')") -%}
  {%- set n_csv = found.columns[0].values()[0] -%}
  {%- set n_parquet = found.columns[1].values()[0] -%}
  {%- if n_csv > 0 -%}
    {%- set relation = "read_csv('" ~ base ~ ".csv', header = true, all_varchar = true)" -%}
  {%- elif n_parquet > 0 -%}
    {%- set relation = "read_parquet('" ~ base ~ ".parquet')" -%}
  {%- elif optional -%}
    {{ return(empty) }}
  {%- else -%}
    {{ exceptions.raise_compiler_error("Raw input '" ~ table_name ~ "' not found: expected " ~ table_name ~ ".csv or " ~ table_name ~ ".parquet in " ~ folder ~ " (rule: required_file)") }}
  {%- endif -%}
  {%- set quoted = [] -%}
  {%- for c in columns -%}{%- do quoted.append(adapter.quote(c)) -%}{%- endfor -%}
  {{ return("(select " ~ quoted | join(', ') ~ " from " ~ relation ~ ")") }}
{% endmacro %}
