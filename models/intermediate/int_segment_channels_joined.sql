-- One row per segment x channel that has any warehouse spend in the segment, joined to the
-- channel registry. The channel is live from the ISO week of its registry live_since.
with spend as (
    select * from {{ ref('stg_raw__channel_spend') }}
),

registry as (
    select * from {{ ref('stg_raw__channel_registry') }}
),

segment_channels as (
    select
        segment_id,
        channel,
        min(spend_date) as first_spend_date,
        max(spend_date) as last_spend_date
    from spend
    group by 1, 2
),

joined as (
    select
        segment_channels.segment_id,
        segment_channels.channel,
        registry.display_name,
        registry.channel_group,
        registry.is_primary,
        registry.live_since,
        {{ iso_week('registry.live_since') }} as live_week_start,
        segment_channels.first_spend_date,
        segment_channels.last_spend_date
    from segment_channels
    inner join registry on segment_channels.channel = registry.channel
)

select * from joined
