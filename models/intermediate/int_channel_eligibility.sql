-- One row per segment x channel (paid, from spend rows, and organic, from channel_activity rows):
-- weeks live up to the segment's last complete week and whether the channel is deferred (fewer
-- than var min_channel_weeks weeks since go-live). Non-media treatments are never deferred.
with paid_channels as (
    select * from {{ ref('int_segment_channels_joined') }}
),

activity_channels as (
    select * from {{ ref('int_segment_activity_joined') }}
),

calendars as (
    select * from {{ ref('int_segment_calendars') }}
),

segment_channels as (
    select
        segment_id,
        channel,
        display_name,
        channel_group,
        'paid' as channel_kind,
        live_since,
        live_week_start
    from paid_channels
    union all
    select
        segment_id,
        channel,
        display_name,
        channel_group,
        channel_kind,
        live_since,
        live_week_start
    from activity_channels
    where channel_kind = 'organic'
),

eligibility as (
    select
        segment_channels.segment_id,
        segment_channels.channel,
        segment_channels.display_name,
        segment_channels.channel_group,
        segment_channels.channel_kind,
        segment_channels.live_since,
        segment_channels.live_week_start,
        greatest(
            {{ weeks_between('segment_channels.live_week_start', 'calendars.last_complete_week_start') }} + 1, 0
        ) as weeks_live,
        {{ var('min_channel_weeks') | int }} as weeks_required,
        {{ add_weeks('segment_channels.live_week_start', var('min_channel_weeks') | int) }} as eligible_from_date
    from segment_channels
    inner join calendars on segment_channels.segment_id = calendars.segment_id
),

final as (
    select
        *,
        weeks_live < weeks_required as is_deferred
    from eligibility
)

select * from final
