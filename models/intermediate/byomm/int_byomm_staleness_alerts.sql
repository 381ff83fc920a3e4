-- One row per BYOMM model (segment x source x model_id) whose latest version was refreshed more
-- than var byomm_stale_after_days days before the as-of date. Unioned into the alerts table.
with curves_byomm as (
    select * from {{ ref('int_curves_byomm') }}
),

versions as (
    select distinct
        run_id,
        source,
        model_id,
        segment_id,
        refreshed_at,
        loaded_at
    from curves_byomm
),

versions_latest as (
    select
        *,
        row_number() over (
            partition by segment_id, source, model_id order by {{ curve_version_order() }}
        ) = 1 as is_latest_version
    from versions
),

versions_aged as (
    select
        *,
        {{ staleness_days('refreshed_at') }} as staleness_days
    from versions_latest
    where is_latest_version
),

alerts as (
    select
        'stale_curves' as alert_kind,
        'warning' as severity,
        segment_id,
        model_id,
        source,
        run_id,
        refreshed_at,
        staleness_days,
        'Curves of ' || source || ' model ' || model_id || ' for segment ' || segment_id
        || ' were refreshed on ' || cast(cast(refreshed_at as date) as varchar) || ', '
        || cast(staleness_days as varchar) || ' days ago (stale after '
        || cast({{ var('byomm_stale_after_days') | int }} as varchar) || ' days): land a newer export.' as message
    from versions_aged
    where staleness_days > {{ var('byomm_stale_after_days') | int }}
)

select * from alerts
