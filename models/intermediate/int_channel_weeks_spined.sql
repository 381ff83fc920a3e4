-- One row per segment x live channel x complete week: weekly spend zero-filled where a live
-- channel had no spend rows, with has_spend_rows kept so such weeks surface as gaps.
with weeks as (
    select * from {{ ref('int_weeks_spined') }}
),

segment_channels as (
    select * from {{ ref('int_segment_channels_joined') }}
),

spend_weekly as (
    select * from {{ ref('int_spend_aggregated_to_weeks') }}
),

live_channel_weeks as (
    select
        weeks.segment_id,
        segment_channels.channel,
        segment_channels.channel_group,
        weeks.week_start,
        weeks.is_in_window
    from weeks
    inner join segment_channels
        on weeks.segment_id = segment_channels.segment_id
        and weeks.week_start >= segment_channels.live_week_start
),

spined as (
    select
        live_channel_weeks.segment_id,
        live_channel_weeks.channel,
        live_channel_weeks.channel_group,
        live_channel_weeks.week_start,
        live_channel_weeks.is_in_window,
        coalesce(spend_weekly.spend, 0) as spend,
        spend_weekly.impressions,
        coalesce(spend_weekly.n_spend_rows, 0) as n_spend_rows,
        coalesce(spend_weekly.n_impression_rows, 0) as n_impression_rows,
        coalesce(spend_weekly.n_spend_rows, 0) > 0 as has_spend_rows
    from live_channel_weeks
    left join spend_weekly
        on live_channel_weeks.segment_id = spend_weekly.segment_id
        and live_channel_weeks.channel = spend_weekly.channel
        and live_channel_weeks.week_start = spend_weekly.week_start
)

select * from spined
