-- One row per segment x week of the modelling window, with the week's outcome or null when
-- the week has no outcome rows (a gap the outcome gate names; never imputed).
with weeks as (
    select * from {{ ref('int_weeks_spined') }}
),

outcomes_weekly as (
    select * from {{ ref('int_outcomes_aggregated_to_weeks') }}
),

joined as (
    select
        weeks.segment_id,
        weeks.week_start,
        outcomes_weekly.outcome,
        coalesce(outcomes_weekly.n_outcome_rows, 0) as n_outcome_rows
    from weeks
    left join outcomes_weekly
        on weeks.segment_id = outcomes_weekly.segment_id
        and weeks.week_start = outcomes_weekly.week_start
    where weeks.is_in_window
)

select * from joined
