-- One row per segment x ISO week that has outcome rows (KPI summed over the week's days).
with outcomes as (
    select * from {{ ref('stg_raw__outcomes') }}
),

aggregated as (
    select
        segment_id,
        {{ iso_week('outcome_date') }} as week_start,
        sum(outcome) as outcome,
        count(*) as n_outcome_rows
    from outcomes
    group by 1, 2
)

select * from aggregated
