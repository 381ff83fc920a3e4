{#
  raw_input(table_name, columns, optional=false, optional_columns=[]): the relation a staging
  model reads a raw input from, with the contract's columns (columns) in that order.
  DuckDB: the file <raw_data_path>/<table_name>.csv or .parquet, every column as text
  (the raw_input_checks model has already validated types; staging casts); the model still depends
  on the source raw.<table_name>, so lineage starts at sources on both targets.
  Optional tables that are absent read as an empty relation with the contract's columns.
  Optional columns (optional_columns, a subset of columns) that a file or table lacks read as
  null text, so files written before the column existed keep working.
  Other adapters: the dbt source raw.<table_name> (Snowflake: schema var raw_schema); on Snowflake an
  optional table that does not exist reads as the same empty relation.
#}
{% macro raw_input(table_name, columns, optional=false, optional_columns=[]) %}
  {{ return(adapter.dispatch('raw_input', 'curvehouse')(table_name, columns, optional, optional_columns)) }}
{% endmacro %}

{% macro default__raw_input(table_name, columns, optional, optional_columns) %}
  {{ return(source('raw', table_name)) }}
{% endmacro %}

{#- The columns of a select from relation_sql: present ones by name, absent optional ones as null text. -#}
{% macro raw_input_select(relation_sql, columns, present, quote) %}
  {%- set parts = [] -%}
  {%- for c in columns -%}
    {%- if c | lower in present -%}
      {%- do parts.append(quote(c)) -%}
    {%- else -%}
      {%- do parts.append('cast(null as varchar) as ' ~ quote(c)) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return('(select ' ~ parts | join(', ') ~ ' from ' ~ relation_sql ~ ')') }}
{% endmacro %}

{% macro snowflake__raw_input(table_name, columns, optional, optional_columns) %}
  {%- set relation = source('raw', table_name) -%}
  {%- if execute and flags.INTROSPECT and (optional or optional_columns) -%}
    {%- set found = adapter.get_relation(relation.database, relation.schema, relation.identifier) -%}
    {%- if found is none and optional -%}
      {%- set nulls = [] -%}
      {%- for c in columns -%}{%- do nulls.append('cast(null as varchar) as ' ~ column_ref(c)) -%}{%- endfor -%}
      {{ return('(select ' ~ nulls | join(', ') ~ ' where false)') }}
    {%- endif -%}
    {%- if found is not none and optional_columns -%}
      {%- set present = [] -%}
      {%- for col in adapter.get_columns_in_relation(found) -%}{%- do present.append(col.name | lower) -%}{%- endfor -%}
      {%- for c in columns -%}{%- if c not in optional_columns -%}{%- do present.append(c | lower) -%}{%- endif -%}{%- endfor -%}
      {{ return(raw_input_select(relation, columns, present, column_ref)) }}
    {%- endif -%}
  {%- endif -%}
  {{ return(relation) }}
{% endmacro %}

{% macro duckdb__raw_input(table_name, columns, optional, optional_columns) %}
  {#- The source node, for lineage and freshness; the relation read is the file. -#}
  {%- set _ = source('raw', table_name) -%}
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
  {%- set present = [] -%}
  {%- if optional_columns -%}
    {%- for name in run_query("select column_name from (describe select * from " ~ relation ~ ")").columns[0].values() -%}
      {%- do present.append(name | lower) -%}
    {%- endfor -%}
  {%- endif -%}
  {%- for c in columns -%}{%- if c not in optional_columns -%}{%- do present.append(c | lower) -%}{%- endif -%}{%- endfor -%}
  {{ return(raw_input_select(relation, columns, present, adapter.quote)) }}
{% endmacro %}
