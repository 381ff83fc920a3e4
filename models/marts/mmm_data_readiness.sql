-- One row per segment: a 1-5 score on each of the five MMM data dimensions, the weakest score
-- as the overall readiness, and in words what is missing wherever a score is below 4.
{%- set target_weeks = var('readiness_target_weeks') | int %}
with histories as (
    select * from {{ ref('int_segment_histories') }}
),

calendars as (
    select * from {{ ref('int_segment_calendars') }}
),

channel_weeks as (
    select * from {{ ref('int_channel_weeks_spined') }}
),

outcome_weeks as (
    select * from {{ ref('int_outcome_weeks') }}
),

controls as (
    select * from {{ ref('int_controls_weekly') }}
),

spend_coverage as (
    select
        segment_id,
        avg(case when has_spend_rows then 1.0 else 0.0 end) as spend_week_share,
        {{ dbt.listagg("distinct case when not has_spend_rows then channel end", "', '") }} as channels_with_gaps
    from channel_weeks
    where is_in_window
    group by 1
),

impressions_by_channel as (
    select
        segment_id,
        channel,
        sum(n_impression_rows) * 1.0 / nullif(sum(n_spend_rows), 0) as impression_row_share
    from channel_weeks
    where is_in_window
    group by 1, 2
),

impressions_coverage as (
    select
        segment_id,
        avg(case when impression_row_share >= 0.9 then 1.0 else 0.0 end) as impressions_channel_share,
        {{ dbt.listagg(
            "case when coalesce(impression_row_share, 0) < 0.9 then channel end", "', '", "order by channel"
        ) }}
            as channels_without_impressions
    from impressions_by_channel
    group by 1
),

outcome_coverage as (
    select
        segment_id,
        avg(case when outcome is not null then 1.0 else 0.0 end) as outcome_week_share,
        count(case when outcome is null then 1 end) as n_weeks_missing_outcome
    from outcome_weeks
    group by 1
),

control_coverage as (
    select
        segment_id,
        control_name,
        avg(case when control_value is not null then 1.0 else 0.0 end) as week_share
    from controls
    where control_kind = 'user'
    group by 1, 2
),

controls_counted as (
    select
        segment_id,
        count(case when week_share >= 0.9 then 1 end) as n_user_controls
    from control_coverage
    group by 1
),

scored as (
    select
        histories.segment_id,
        calendars.granularity,
        histories.n_weeks_history,
        case
            when histories.n_weeks_history >= {{ (target_weeks * 1.5) | int }} then 5
            when histories.n_weeks_history >= {{ target_weeks }} then 4
            when histories.n_weeks_history >= {{ (target_weeks * 0.75) | int }} then 3
            when histories.n_weeks_history >= {{ (target_weeks * 0.5) | int }} then 2
            else 1
        end as history_score,
        coalesce(spend_coverage.spend_week_share, 0) as spend_week_share,
        case
            when spend_coverage.spend_week_share >= 0.99 then 5
            when spend_coverage.spend_week_share >= 0.95 then 4
            when spend_coverage.spend_week_share >= 0.90 then 3
            when spend_coverage.spend_week_share >= 0.75 then 2
            else 1
        end as spend_score,
        spend_coverage.channels_with_gaps,
        coalesce(impressions_coverage.impressions_channel_share, 0) as impressions_channel_share,
        case
            when impressions_coverage.impressions_channel_share >= 0.9 then 5
            when impressions_coverage.impressions_channel_share >= 0.6 then 4
            when impressions_coverage.impressions_channel_share >= 0.4 then 3
            when impressions_coverage.impressions_channel_share > 0 then 2
            else 1
        end as impressions_score,
        impressions_coverage.channels_without_impressions,
        coalesce(outcome_coverage.outcome_week_share, 0) as outcome_week_share,
        coalesce(outcome_coverage.n_weeks_missing_outcome, 0) as n_weeks_missing_outcome,
        case
            when outcome_coverage.outcome_week_share >= 1.0 then 5
            when outcome_coverage.outcome_week_share >= 0.98 then 4
            when outcome_coverage.outcome_week_share >= 0.90 then 3
            when outcome_coverage.outcome_week_share >= 0.75 then 2
            else 1
        end as outcome_score,
        coalesce(controls_counted.n_user_controls, 0) as n_user_controls,
        case
            when coalesce(controls_counted.n_user_controls, 0) >= 3 then 5
            when controls_counted.n_user_controls = 2 then 4
            when controls_counted.n_user_controls = 1 then 3
            else 2
        end as controls_score
    from histories
    inner join calendars on histories.segment_id = calendars.segment_id
    left join spend_coverage on histories.segment_id = spend_coverage.segment_id
    left join impressions_coverage on histories.segment_id = impressions_coverage.segment_id
    left join outcome_coverage on histories.segment_id = outcome_coverage.segment_id
    left join controls_counted on histories.segment_id = controls_counted.segment_id
),

explained as (
    select
        *,
        case when history_score < 4 then
                cast(n_weeks_history as varchar) || ' weeks of history; {{ target_weeks }} recommended'
        end as history_missing,
        case when spend_score < 4 then
                'live channels lack spend rows in ' || cast(round(100 * (1 - spend_week_share), 1) as varchar)
                || '% of weeks (' || coalesce(channels_with_gaps, '') || ')'
        end as spend_missing,
        case when impressions_score < 4 then
                'no impressions or reach for ' || coalesce(channels_without_impressions, 'any channel')
        end as impressions_missing,
        case when outcome_score < 4 then
                cast(n_weeks_missing_outcome as varchar) || ' weeks of the window have no outcome'
        end as outcome_missing,
        case when controls_score < 4 then
                cast(n_user_controls as varchar)
                || ' user controls with full coverage; add promotions, competitor activity, launches or macro events'
        end as controls_missing
    from scored
),

summarised as (
    select
        *,
        least(history_score, spend_score, impressions_score, outcome_score, controls_score) as readiness_score,
        round((history_score + spend_score + impressions_score + outcome_score + controls_score) / 5.0, 1)
            as mean_score,
        nullif(rtrim({{ dbt.concat([
            "coalesce(history_missing || '; ', '')",
            "coalesce(spend_missing || '; ', '')",
            "coalesce(impressions_missing || '; ', '')",
            "coalesce(outcome_missing || '; ', '')",
            "coalesce(controls_missing || '; ', '')"
        ]) }}, '; '), '') as what_is_missing
    from explained
),

-- The columns and types are the contract's (contract_select).
final as (
    {{ contract_select('summarised') }}
)

select * from final
