-- One row per segment: its data granularity and the complete ISO weeks it covers.
-- Daily data: a first or last week that is not fully covered is dropped as incomplete.
-- Weekly data: every dated week counts. Weeks from the as-of week onwards are always dropped.
with spend as (
    select * from {{ ref('stg_raw__channel_spend') }}
),

outcomes as (
    select * from {{ ref('stg_raw__outcomes') }}
),

observed_dates as (
    select
        segment_id,
        spend_date as observed_date
    from spend
    union all
    select
        segment_id,
        outcome_date as observed_date
    from outcomes
),

outcome_dates_per_week as (
    select
        segment_id,
        {{ iso_week('outcome_date') }} as week_start,
        count(distinct outcome_date) as n_dates
    from outcomes
    group by 1, 2
),

granularity as (
    select
        segment_id,
        case when max(n_dates) > 1 then 'daily' else 'weekly' end as granularity
    from outcome_dates_per_week
    group by 1
),

bounds as (
    select
        segment_id,
        min(observed_date) as first_date,
        max(observed_date) as last_date
    from observed_dates
    group by 1
),

calendars as (
    select
        bounds.segment_id,
        granularity.granularity,
        bounds.first_date,
        bounds.last_date,
        case
            when granularity.granularity = 'daily' and bounds.first_date > {{ iso_week('bounds.first_date') }}
                then {{ add_weeks(iso_week('bounds.first_date'), 1) }}
            else {{ iso_week('bounds.first_date') }}
        end as first_week_start,
        case
            when granularity.granularity = 'daily'
                and bounds.last_date < {{ add_days(iso_week('bounds.last_date'), 6) }}
                then {{ add_weeks(iso_week('bounds.last_date'), -1) }}
            else {{ iso_week('bounds.last_date') }}
        end as last_data_week_start,
        {{ add_weeks(iso_week(as_of_date()), -1) }} as last_week_before_as_of
    from bounds
    inner join granularity on bounds.segment_id = granularity.segment_id
),

final as (
    select
        segment_id,
        granularity,
        first_date,
        last_date,
        first_week_start,
        least(last_data_week_start, last_week_before_as_of) as last_complete_week_start
    from calendars
)

select * from final
