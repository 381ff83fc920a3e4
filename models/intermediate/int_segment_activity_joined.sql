-- One row per segment x organic channel or non-media treatment that has channel_activity rows in
-- the segment, joined to the channel registry. Live from the ISO week of its registry live_since.
with activity as (
    select * from {{ ref('stg_raw__channel_activity') }}
),

registry as (
    select * from {{ ref('stg_raw__channel_registry') }}
),

segment_channels as (
    select
        segment_id,
        channel,
        min(activity_date) as first_activity_date,
        max(activity_date) as last_activity_date
    from activity
    group by 1, 2
),

joined as (
    select
        segment_channels.segment_id,
        segment_channels.channel,
        registry.display_name,
        registry.channel_group,
        registry.channel_kind,
        registry.unit,
        registry.live_since,
        {{ iso_week('registry.live_since') }} as live_week_start,
        segment_channels.first_activity_date,
        segment_channels.last_activity_date
    from segment_channels
    inner join registry on segment_channels.channel = registry.channel
    where registry.channel_kind in ('organic', 'non_media')
)

select * from joined
