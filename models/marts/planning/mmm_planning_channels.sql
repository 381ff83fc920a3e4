-- One row per current curve version x segment x channel: the inputs every planning table uses - the
-- curve (weekly-spend Hill convention), current weekly spend, the spend bounds the optimizer and
-- scenarios keep to (observed weekly range, narrowed by var planning.channel_bounds, never
-- widened), adstock, ROI floor, and the segment's calibration (the factor that makes the current
-- allocation reproduce the observed average weekly outcome over the reporting window).
-- Published from the Python model planning_channels; this mart casts the columns and carries the contract.
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
    select
        cast(run_id as varchar) as run_id,
        cast(segment_id as varchar) as segment_id,
        cast(model_id as varchar) as model_id,
        cast(source as varchar) as source,
        cast(channel as varchar) as channel,
        cast(display_name as varchar) as display_name,
        cast(channel_group as varchar) as channel_group,
        cast(saturation_half_point as double) as saturation_half_point,
        cast(saturation_max as double) as saturation_max,
        cast(hill_slope as double) as hill_slope,
        cast(current_weekly_spend as double) as current_weekly_spend,
        cast(current_spend_basis as varchar) as current_spend_basis,
        cast(observed_spend_min as double) as observed_spend_min,
        cast(observed_spend_max as double) as observed_spend_max,
        cast(spend_lower_bound as double) as spend_lower_bound,
        cast(spend_upper_bound as double) as spend_upper_bound,
        cast(is_locked as boolean) as is_locked,
        cast(bound_note as varchar) as bound_note,
        cast(adstock_half_life_weeks as double) as adstock_half_life_weeks,
        cast(weeks_to_materialise as double) as weeks_to_materialise,
        cast(roi_floor as double) as roi_floor,
        cast(calibration_factor as double) as calibration_factor,
        cast(calibration_note as varchar) as calibration_note,
        cast(observed_outcome_weekly as double) as observed_outcome_weekly,
        cast(base_outcome_weekly as double) as base_outcome_weekly,
        cast(reporting_window_start as date) as reporting_window_start,
        cast(reporting_window_end as date) as reporting_window_end,
        cast(data_window_start as date) as data_window_start,
        cast(data_window_end as date) as data_window_end,
        cast(refreshed_at as timestamp) as refreshed_at,
        cast(staleness_days as integer) as staleness_days,
        cast(n_draws as integer) as n_draws,
        cast(interval_source as varchar) as interval_source
    from planning_channels
)

select * from typed
