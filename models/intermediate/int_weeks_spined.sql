-- One row per segment x complete ISO week (Monday), from the segment's first to its last
-- complete week, flagged when inside the trailing modelling window (var window_weeks).
with calendars as (
    select * from {{ ref('int_segment_calendars') }}
),

week_offsets as (
    {{ week_series() }}
),

spined as (
    select
        calendars.segment_id,
        {{ add_weeks('calendars.first_week_start', 'week_offsets.week_offset') }} as week_start,
        {{ weeks_between('calendars.first_week_start', 'calendars.last_complete_week_start') }}
        - week_offsets.week_offset as weeks_before_last
    from calendars
    inner join week_offsets
        on week_offsets.week_offset
        <= {{ weeks_between('calendars.first_week_start', 'calendars.last_complete_week_start') }}
),

final as (
    select
        segment_id,
        week_start,
        weeks_before_last < {{ var('window_weeks') | int }} as is_in_window
    from spined
)

select * from final
