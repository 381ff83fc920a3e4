{# curve_version_order(): newest model version first - by refresh, then load time, then run_id
   as a stable tie-break. Shared by every "latest / current version" ranking of curves. #}
{% macro curve_version_order() -%}
  refreshed_at desc, loaded_at desc, run_id desc
{%- endmacro %}

{# staleness_days(timestamp_expr): whole days from a refresh to the run's as-of date
   (var as_of_date, default today); 0 for a refresh on or after it. #}
{% macro staleness_days(timestamp_expr) -%}
  greatest({{ dbt.datediff('cast(' ~ timestamp_expr ~ ' as date)', as_of_date(), 'day') }}, 0)
{%- endmacro %}
