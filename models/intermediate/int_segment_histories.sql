-- One row per segment: how many complete weeks have both spend and outcome rows.
with weeks as (
    select * from {{ ref('int_weeks_spined') }}
),

channel_weeks as (
    select * from {{ ref('int_channel_weeks_spined') }}
),

outcomes_weekly as (
    select * from {{ ref('int_outcomes_aggregated_to_weeks') }}
),

spend_weeks as (
    select
        segment_id,
        week_start
    from channel_weeks
    group by 1, 2
    having sum(n_spend_rows) > 0
),

histories as (
    select
        weeks.segment_id,
        count(*) as n_weeks_spined,
        count(case when spend_weeks.week_start is not null and outcomes_weekly.week_start is not null then 1 end)
            as n_weeks_history,
        count(case when weeks.is_in_window then 1 end) as n_weeks_in_window,
        min(weeks.week_start) as first_week,
        max(weeks.week_start) as last_week
    from weeks
    left join spend_weeks
        on weeks.segment_id = spend_weeks.segment_id
        and weeks.week_start = spend_weeks.week_start
    left join outcomes_weekly
        on weeks.segment_id = outcomes_weekly.segment_id
        and weeks.week_start = outcomes_weekly.week_start
    group by 1
)

select * from histories
