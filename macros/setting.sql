{#
  setting(name, path): one methodology setting as this build uses it, e.g. setting('mmm',
  'current_spend_weeks'). A --vars override of var `name` wins where it names the key; every key it
  does not name keeps the project's value from dbt_project.yml (config `project_settings`). The
  same precedence as curvehouse.settings.merged_setting in the Python models; path may be dotted
  ('sampler.draws'). Raises if neither has the key (returns none while dbt parses, when configs
  are not readable yet).
#}
{% macro setting(name, path) %}
  {%- set keys = path.split('.') -%}
  {%- set project = config.get('project_settings') or {} -%}
  {%- for source in [var(name, {}), project.get(name) if project is mapping else {}] -%}
    {%- set found = namespace(value=source, ok=true) -%}
    {%- for key in keys -%}
      {%- if found.ok and found.value is mapping and key in found.value -%}
        {%- set found.value = found.value[key] -%}
      {%- else -%}
        {%- set found.ok = false -%}
      {%- endif -%}
    {%- endfor -%}
    {%- if found.ok -%}
      {{ return(found.value) }}
    {%- endif -%}
  {%- endfor -%}
  {%- if not execute -%}
    {{ return(none) }}  {#- parsing: configs are not read yet -#}
  {%- endif -%}
  {{ exceptions.raise_compiler_error("setting: " ~ name ~ "." ~ path ~ " is set neither in --vars nor in dbt_project.yml") }}
{% endmacro %}
