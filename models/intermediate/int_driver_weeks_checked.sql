-- One row per segment x window week x driver whose weekly value the fit needs and that can be
-- missing: a non-media treatment (a week without any reported value) and an exposure-driven paid
-- channel that is fitted (a week with spend but no positive impressions). is_present is false for
-- such gaps; the driver_gaps gate names them and holds the segment back (never imputed).
with activity_weeks as (
    select * from {{ ref('int_activity_weeks_spined') }}
),

channel_weeks as (
    select * from {{ ref('int_channel_weeks_spined') }}
),

eligibility as (
    select * from {{ ref('int_channel_eligibility') }}
),

registry as (
    select * from {{ ref('stg_raw__channel_registry') }}
),

treatment_weeks as (
    select
        segment_id,
        'treatment' as driver_kind,
        channel,
        week_start,
        value,
        value is not null as is_present
    from activity_weeks
    where is_in_window
        and channel_kind = 'non_media'
),

impression_weeks as (
    select
        channel_weeks.segment_id,
        'impressions' as driver_kind,
        channel_weeks.channel,
        channel_weeks.week_start,
        channel_weeks.impressions as value,
        channel_weeks.spend = 0 or coalesce(channel_weeks.impressions, 0) > 0 as is_present
    from channel_weeks
    inner join registry on channel_weeks.channel = registry.channel
    inner join eligibility
        on channel_weeks.segment_id = eligibility.segment_id
        and channel_weeks.channel = eligibility.channel
    where channel_weeks.is_in_window
        and registry.exposure_driven
        and not eligibility.is_deferred
),

unioned as (
    select * from treatment_weeks
    union all
    select * from impression_weeks
)

select * from unioned
