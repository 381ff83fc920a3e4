-- One row per segment x complete week x control (long): yearly Fourier terms (var
-- fourier_order), the holiday count from the holidays seed, and every user control as the mean
-- of its values over the days reported in that week (null when the week has none).
with weeks as (
    select * from {{ ref('int_weeks_spined') }}
),

holidays as (
    select * from {{ ref('holidays') }}
),

controls as (
    select * from {{ ref('stg_raw__controls') }}
),

fourier as (
    {{ fourier_terms('weeks', 'week_start', var('fourier_order')) }}
),

holiday_counts as (
    select
        weeks.segment_id,
        weeks.week_start,
        'holidays' as control_name,
        'holiday' as control_kind,
        cast(count(holidays.holiday_date) as double) as control_value
    from weeks
    left join holidays
        on weeks.week_start <= holidays.holiday_date
        and holidays.holiday_date <= {{ add_days('weeks.week_start', 6) }}
    group by 1, 2
),

user_controls_weekly as (
    select
        segment_id,
        {{ iso_week('control_date') }} as week_start,
        control_name,
        avg(control_value) as control_value
    from controls
    group by 1, 2, 3
),

user_control_names as (
    select distinct
        segment_id,
        control_name
    from controls
),

user_controls_spined as (
    select
        weeks.segment_id,
        weeks.week_start,
        user_control_names.control_name,
        'user' as control_kind,
        user_controls_weekly.control_value
    from weeks
    inner join user_control_names on weeks.segment_id = user_control_names.segment_id
    left join user_controls_weekly
        on weeks.segment_id = user_controls_weekly.segment_id
        and weeks.week_start = user_controls_weekly.week_start
        and user_control_names.control_name = user_controls_weekly.control_name
),

unioned as (
    select
        segment_id,
        week_start,
        control_name,
        control_kind,
        control_value
    from fourier
    union all
    select
        segment_id,
        week_start,
        control_name,
        control_kind,
        control_value
    from holiday_counts
    union all
    select
        segment_id,
        week_start,
        control_name,
        control_kind,
        control_value
    from user_controls_spined
)

select * from unioned
