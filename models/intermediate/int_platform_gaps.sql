-- One row per segment x live channel x week in the modelling window: warehouse vs
-- platform-reported spend. gap_ratio = |warehouse - platform| / platform (1.0 when the platform
-- reports nothing but the warehouse has spend; 0 when both are zero).
with channel_weeks as (
    select * from {{ ref('int_channel_weeks_spined') }}
),

platform_weekly as (
    select * from {{ ref('int_platform_spend_aggregated_to_weeks') }}
),

joined as (
    select
        channel_weeks.segment_id,
        channel_weeks.channel,
        channel_weeks.week_start,
        channel_weeks.spend as warehouse_spend,
        coalesce(platform_weekly.platform_spend, 0) as platform_spend
    from channel_weeks
    left join platform_weekly
        on channel_weeks.segment_id = platform_weekly.segment_id
        and channel_weeks.channel = platform_weekly.channel
        and channel_weeks.week_start = platform_weekly.week_start
    where channel_weeks.is_in_window
),

gaps as (
    select
        *,
        case
            when platform_spend > 0 then abs(warehouse_spend - platform_spend) / platform_spend
            when warehouse_spend > 0 then 1.0
            else 0.0
        end as gap_ratio
    from joined
)

select * from gaps
