-- One row per segment that may be fitted: enough history and no failed error-severity gate
-- (under var gate_policy = warn a failed gate is recorded but does not hold the segment back).
with histories as (
    select * from {{ ref('int_segment_histories') }}
),

gate_results as (
    select * from {{ ref('gate_segments') }}
),

blocked as (
    select distinct segment_id
    from gate_results
    where not success
        and severity = 'error'
    {% if var('gate_policy') == 'warn' %}and gate = 'history'{% endif %}
),

cleared as (
    select
        histories.segment_id,
        histories.n_weeks_history,
        histories.first_week,
        histories.last_week
    from histories
    left join blocked on histories.segment_id = blocked.segment_id
    where blocked.segment_id is null
)

select * from cleared
