{#
  The Hill curve in SQL, in the weekly-spend convention (DESIGN.md): response per week at a
  sustained weekly spend s is saturation_max * s^S / (s^S + K^S), with K the half-saturation weekly
  spend and S the slope. These macros are the one SQL implementation (the planning marts, the
  runtime planning functions and the agent views render them). tests/unit/test_hill_sql.py renders
  them through dbt and checks them against curvehouse.hill on a grid.
#}

{# planning_hill(spend, half_point, saturation_max, slope): weekly response, 0 at zero spend. #}
{% macro planning_hill(spend, half_point, saturation_max, slope) -%}
  ({{ saturation_max }} * power({{ spend }}, {{ slope }}) / (power({{ spend }}, {{ slope }}) + power({{ half_point }}, {{ slope }})))
{%- endmacro %}

{# planning_hill_marginal(...): d response / d spend = max * S * r / (s * (1 + r)^2), r = (s / K)^S,
   evaluated at no less than 1e-6 K (the one-sided limit at 0 is infinite for S < 1). #}
{% macro planning_hill_marginal(spend, half_point, saturation_max, slope) -%}
  {%- set s = 'greatest(' ~ spend ~ ', 1e-6 * ' ~ half_point ~ ')' -%}
  ({{ saturation_max }} * {{ slope }} * power({{ s }} / {{ half_point }}, {{ slope }})
    / ({{ s }} * power(1 + power({{ s }} / {{ half_point }}, {{ slope }}), 2)))
{%- endmacro %}

{# planning_hill_inflection(half_point, slope): the spend where the curve turns from convex to
   concave, K * ((S - 1) / (S + 1))^(1 / S) for S > 1, else 0. #}
{% macro planning_hill_inflection(half_point, slope) -%}
  (case when {{ slope }} > 1 then {{ half_point }} * power(({{ slope }} - 1) / ({{ slope }} + 1), 1 / {{ slope }}) else 0 end)
{%- endmacro %}
