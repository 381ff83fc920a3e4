-- One row per current segment x channel x draw: the curve parameters the runtime SQL functions
-- (mmm_response, mmm_marginal_roi, mmm_what_if) and every planning table evaluate.
-- Published from the Python model planning_curve_draws; this mart casts the columns and carries the contract.
with planning_curve_draws as (
    select * from {{ ref('planning_curve_draws') }}
),

typed as (
    select
        cast(run_id as varchar) as run_id,
        cast(segment_id as varchar) as segment_id,
        cast(channel as varchar) as channel,
        cast(draw as integer) as draw,
        cast(saturation_half_point as double) as saturation_half_point,
        cast(saturation_max as double) as saturation_max,
        cast(hill_slope as double) as hill_slope,
        cast(calibration_factor as double) as calibration_factor,
        cast(interval_source as varchar) as interval_source
    from planning_curve_draws
)

select * from typed
