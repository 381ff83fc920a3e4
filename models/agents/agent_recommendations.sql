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
        channel || ': marginal ROI ' || coalesce(cast(round(marginal_roi_mean, 2) as varchar), 'n/a') || ' at '
        || coalesce(cast(cast(round(current_weekly_spend) as bigint) as varchar), 'n/a') || '/week is '
        || case position when 'pre' then 'above' when 'at' then 'at' else 'below' end
        || ' its ROI floor ' || coalesce(cast(round(roi_floor, 2) as varchar), 'n/a') || ' (' || position || '): '
        || case
            when recommended_move > 0
                then 'add ' || cast(cast(round(recommended_move) as bigint) as varchar) || ' per week'
            when recommended_move < 0
                then 'cut ' || cast(cast(round(-recommended_move) as bigint) as varchar) || ' per week'
            else 'hold spend'
        end
        || coalesce(', expected ROI of the move ' || cast(round(expected_roi_of_move_mean, 2) as varchar), '')
        || coalesce(
            ' (80% ' || cast(round(expected_roi_of_move_p10, 2) as varchar) || '-'
            || cast(round(expected_roi_of_move_p90, 2) as varchar) || ')', ''
        )
        || coalesce(', confidence ' || confidence, '')
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
        'Scenario ' || scenario || coalesce(' (' || scenario_description || ')', '')
        || ' has the highest expected incremental outcome: '
        || coalesce(cast(cast(round(delta_vs_current_mean) as bigint) as varchar), 'n/a') || '/week vs current'
        || coalesce(
            ' (80% ' || cast(cast(round(delta_vs_current_p10) as bigint) as varchar) || ' to '
            || cast(cast(round(delta_vs_current_p90) as bigint) as varchar) || ')', ''
        )
        || coalesce(', materialises in about ' || cast(round(weeks_to_materialise, 1) as varchar) || ' weeks', '')
        || '; risk: ' || coalesce(risk, 'not stated')
        || coalesce('; flips if ' || flipping_assumption, '') as reason,
        run_id
    from scenarios
),

recommendations as (
    select * from audit_moves
    union all
    select * from scenario_moves
),

-- The columns, their order and types are the contract's (contract_select).
final as (
    {{ contract_select('recommendations') }}
)

select * from final
