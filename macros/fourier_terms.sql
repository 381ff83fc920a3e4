{#
  fourier_terms(week_expr, order): yearly Fourier controls as long rows.
  Emits `union all` blocks of (control_name, value) for k = 1..order:
  fourier_sin_k = sin(2*pi*k*t), fourier_cos_k = cos(2*pi*k*t), t = day of year of the
  mid-week Thursday / 365.25, so a week's phase does not depend on which day it starts.
  `relation` must expose segment_id and the week column.
#}
{% macro fourier_terms(relation, week_expr, order) %}
  {%- for k in range(1, (order | int) + 1) -%}
    {%- for fn in ['sin', 'cos'] %}
    select
        segment_id,
        {{ week_expr }} as week_start,
        'fourier_{{ fn }}_{{ k }}' as control_name,
        'seasonality' as control_kind,
        {{ fn }}(2 * pi() * {{ k }} * {{ day_of_year(add_days(week_expr, 3)) }} / 365.25) as control_value
    from {{ relation }}
    {{ "union all" if not (loop.last and k == (order | int)) }}
    {%- endfor -%}
  {%- endfor -%}
{% endmacro %}

{% macro day_of_year(date_expr) %}
  {{ return(adapter.dispatch('day_of_year', 'curvehouse')(date_expr)) }}
{% endmacro %}

{% macro default__day_of_year(date_expr) -%}
  dayofyear({{ date_expr }})
{%- endmacro %}

{% macro add_days(date_expr, n) %}
  {{ return(adapter.dispatch('add_days', 'curvehouse')(date_expr, n)) }}
{% endmacro %}

{% macro default__add_days(date_expr, n) -%}
  cast({{ date_expr }} + to_days(cast({{ n }} as integer)) as date)
{%- endmacro %}

{% macro snowflake__add_days(date_expr, n) -%}
  dateadd(day, {{ n }}, {{ date_expr }})
{%- endmacro %}
