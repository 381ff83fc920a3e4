-- The model's input, long: one row per cleared segment x window week x variable, where the
-- variable is the outcome, a fitted channel's spend (deferred channels left out), a control, an
-- organic channel's weekly volume (deferred ones left out), a non-media treatment's weekly mean,
-- or an exposure-driven paid channel's weekly impressions.
with cleared as (
    select * from {{ ref('int_segments_cleared_for_fit') }}
),

weeks as (
    select * from {{ ref('int_weeks_spined') }}
),

outcome_weeks as (
    select * from {{ ref('int_outcome_weeks') }}
),

channel_weeks as (
    select * from {{ ref('int_channel_weeks_spined') }}
),

eligibility as (
    select * from {{ ref('int_channel_eligibility') }}
),

controls as (
    select * from {{ ref('int_controls_weekly') }}
),

activity_weeks as (
    select * from {{ ref('int_activity_weeks_spined') }}
),

registry as (
    select * from {{ ref('stg_raw__channel_registry') }}
),

window_weeks as (
    select
        weeks.segment_id,
        weeks.week_start
    from weeks
    inner join cleared on weeks.segment_id = cleared.segment_id
    where weeks.is_in_window
),

outcome_rows as (
    select
        window_weeks.segment_id,
        window_weeks.week_start,
        'outcome' as variable_kind,
        'outcome' as variable_name,
        outcome_weeks.outcome as value
    from window_weeks
    inner join outcome_weeks
        on window_weeks.segment_id = outcome_weeks.segment_id
        and window_weeks.week_start = outcome_weeks.week_start
),

spend_rows as (
    select
        window_weeks.segment_id,
        window_weeks.week_start,
        'spend' as variable_kind,
        channel_weeks.channel as variable_name,
        channel_weeks.spend as value
    from window_weeks
    inner join channel_weeks
        on window_weeks.segment_id = channel_weeks.segment_id
        and window_weeks.week_start = channel_weeks.week_start
    inner join eligibility
        on channel_weeks.segment_id = eligibility.segment_id
        and channel_weeks.channel = eligibility.channel
    where not eligibility.is_deferred
),

control_rows as (
    select
        window_weeks.segment_id,
        window_weeks.week_start,
        'control' as variable_kind,
        controls.control_name as variable_name,
        controls.control_value as value
    from window_weeks
    inner join controls
        on window_weeks.segment_id = controls.segment_id
        and window_weeks.week_start = controls.week_start
),

organic_rows as (
    select
        window_weeks.segment_id,
        window_weeks.week_start,
        'organic' as variable_kind,
        activity_weeks.channel as variable_name,
        activity_weeks.value
    from window_weeks
    inner join activity_weeks
        on window_weeks.segment_id = activity_weeks.segment_id
        and window_weeks.week_start = activity_weeks.week_start
    inner join eligibility
        on activity_weeks.segment_id = eligibility.segment_id
        and activity_weeks.channel = eligibility.channel
    where activity_weeks.channel_kind = 'organic'
        and not eligibility.is_deferred
),

treatment_rows as (
    select
        window_weeks.segment_id,
        window_weeks.week_start,
        'treatment' as variable_kind,
        activity_weeks.channel as variable_name,
        activity_weeks.value
    from window_weeks
    inner join activity_weeks
        on window_weeks.segment_id = activity_weeks.segment_id
        and window_weeks.week_start = activity_weeks.week_start
    where activity_weeks.channel_kind = 'non_media'
),

impression_rows as (
    select
        spend_rows.segment_id,
        spend_rows.week_start,
        'impressions' as variable_kind,
        spend_rows.variable_name,
        -- a week without spend had no exposure; a week with spend but no impressions stays null
        -- (the driver_gaps gate names it)
        case
            when channel_weeks.spend = 0 then coalesce(channel_weeks.impressions, 0) else channel_weeks.impressions
        end as value
    from spend_rows
    inner join channel_weeks
        on spend_rows.segment_id = channel_weeks.segment_id
        and spend_rows.variable_name = channel_weeks.channel
        and spend_rows.week_start = channel_weeks.week_start
    inner join registry on spend_rows.variable_name = registry.channel
    where registry.exposure_driven
),

unioned as (
    select * from outcome_rows
    union all
    select * from spend_rows
    union all
    select * from control_rows
    union all
    select * from organic_rows
    union all
    select * from treatment_rows
    union all
    select * from impression_rows
)

select * from unioned
