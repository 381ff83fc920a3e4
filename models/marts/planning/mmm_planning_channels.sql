-- One row per current curve version x segment x channel: the inputs every planning table uses - the
-- curve (weekly-spend Hill convention), current weekly spend, the spend bounds the optimizer and
-- scenarios keep to (observed weekly range, narrowed by var planning.channel_bounds, never
-- widened), adstock, ROI floor, and the segment's calibration (the factor that makes the current
-- allocation reproduce the observed average weekly outcome over the reporting window).
-- Published from the Python model planning_channels; contract_select types the columns from this mart's contract.
-- depends_on: {{ ref('mmm_planning_curve_draws') }}
{{ config(post_hook=[
    "{{ planning_function_sql('mmm_response') }}",
    "{{ planning_function_sql('mmm_marginal_roi') }}",
    "{{ planning_function_sql('mmm_what_if') }}",
]) }}
with planning_channels as (
    select * from {{ ref('planning_channels') }}
),

typed as (
    {{ contract_select('planning_channels') }}
)

select * from typed
