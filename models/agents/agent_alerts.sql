-- One row per open alert (mmm_alerts): what happened, who it goes to and by when.
with alerts as (
    select * from {{ ref('mmm_alerts') }}
),

alerts_due as (
    select
        alert_id,
        alert_kind,
        severity,
        segment_id,
        channel,
        message,
        route_to,
        raised_on,
        due_by,
        cast({{ dbt.datediff('raised_on', 'due_by', 'day') }} as integer) as days_to_due,
        observed_value,
        threshold,
        run_id
    from alerts
)

select * from alerts_due
