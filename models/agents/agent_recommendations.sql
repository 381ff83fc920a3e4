-- One row per recommendation: the saturation audit's net-zero move per channel and the recommended
-- scenario's spend per channel, each with the reason in words. Weekly dollars unless the column
-- name says quarter (13 weeks).
with audit as (
    select * from {{ ref('mmm_saturation_audit') }}
),

scenarios as (
    select * from {{ ref('mmm_scenarios') }}
    where is_recommended
),

audit_moves as (
    select
        segment_id,
        'saturation_audit_move' as recommendation_kind,
        channel,
        cast(null as varchar) as scenario,
        current_weekly_spend,
        recommended_weekly_spend,
        recommended_move as weekly_change,
        13 * recommended_move as quarter_change,
        expected_roi_of_move_mean,
        expected_roi_of_move_p10,
        expected_roi_of_move_p90,
        confidence,
        channel || ' is ' || position || ' its ROI floor ' || cast(round(roi_floor, 2) as varchar)
            || ' (marginal ROI ' || cast(round(marginal_roi_mean, 2) as varchar) || ' at '
            || cast(round(current_weekly_spend, 0) as varchar) || '/week): '
            || case
                when recommended_move > 0 then 'add ' || cast(round(recommended_move, 0) as varchar)
                when recommended_move < 0 then 'cut ' || cast(round(-recommended_move, 0) as varchar)
                else 'hold at'
            end
            || ' per week, expected ROI of the move ' || cast(round(expected_roi_of_move_mean, 2) as varchar)
            || ' (80% ' || cast(round(expected_roi_of_move_p10, 2) as varchar) || '-'
            || cast(round(expected_roi_of_move_p90, 2) as varchar) || '), confidence ' || confidence
            || coalesce('; to tighten it: ' || experiment, '') as reason,
        run_id
    from audit
),

scenario_moves as (
    select
        segment_id,
        'recommended_scenario' as recommendation_kind,
        channel,
        scenario,
        current_weekly_spend,
        weekly_spend as recommended_weekly_spend,
        spend_change as weekly_change,
        13 * spend_change as quarter_change,
        cast(null as double) as expected_roi_of_move_mean,
        cast(null as double) as expected_roi_of_move_p10,
        cast(null as double) as expected_roi_of_move_p90,
        cast(null as varchar) as confidence,
        'Scenario ' || scenario || ' (' || scenario_description || ') has the highest expected incremental outcome: '
            || cast(round(delta_vs_current_mean, 0) as varchar) || '/week vs current (80% '
            || cast(round(delta_vs_current_p10, 0) as varchar) || ' to '
            || cast(round(delta_vs_current_p90, 0) as varchar) || '), materialises in about '
            || cast(round(weeks_to_materialise, 1) as varchar) || ' weeks; risk: ' || coalesce(risk, 'not stated')
            || coalesce('; flips if ' || flipping_assumption, '') as reason,
        run_id
    from scenarios
),

recommendations as (
    select * from audit_moves
    union all
    select * from scenario_moves
)

select * from recommendations
