-- The model's input, long: one row per cleared segment x window week x variable, where the
-- variable is the outcome, a fitted channel's spend (deferred channels left out), or a control.
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

unioned as (
    select * from outcome_rows
    union all
    select * from spend_rows
    union all
    select * from control_rows
)

select * from unioned
