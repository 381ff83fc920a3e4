-- One row per segment x organic channel or non-media treatment x complete week. An organic
-- channel's volume is summed over the week's rows (weeks from its go-live week; a live week
-- without rows reads as zero volume, has_activity_rows false). A treatment's value is the mean
-- over the days reported in the week, on every week of the segment; a week without rows stays
-- null (a gap, never imputed: the treatment_gaps gate names such weeks inside the window).
with weeks as (
    select * from {{ ref('int_weeks_spined') }}
),

segment_channels as (
    select * from {{ ref('int_segment_activity_joined') }}
),

activity as (
    select * from {{ ref('stg_raw__channel_activity') }}
),

activity_weekly as (
    select
        segment_id,
        channel,
        {{ iso_week('activity_date') }} as week_start,
        sum(activity_value) as value_sum,
        avg(activity_value) as value_mean,
        count(*) as n_activity_rows
    from activity
    group by 1, 2, 3
),

channel_weeks as (
    select
        weeks.segment_id,
        segment_channels.channel,
        segment_channels.channel_kind,
        segment_channels.unit,
        weeks.week_start,
        weeks.is_in_window
    from weeks
    inner join segment_channels
        on weeks.segment_id = segment_channels.segment_id
        and (segment_channels.channel_kind = 'non_media' or weeks.week_start >= segment_channels.live_week_start)
),

spined as (
    select
        channel_weeks.segment_id,
        channel_weeks.channel,
        channel_weeks.channel_kind,
        channel_weeks.unit,
        channel_weeks.week_start,
        channel_weeks.is_in_window,
        case
            when channel_weeks.channel_kind = 'organic' then coalesce(activity_weekly.value_sum, 0)
            else activity_weekly.value_mean
        end as value,
        coalesce(activity_weekly.n_activity_rows, 0) as n_activity_rows,
        coalesce(activity_weekly.n_activity_rows, 0) > 0 as has_activity_rows
    from channel_weeks
    left join activity_weekly
        on channel_weeks.segment_id = activity_weekly.segment_id
        and channel_weeks.channel = activity_weekly.channel
        and channel_weeks.week_start = activity_weekly.week_start
)

select * from spined
