{{ config(materialized='incremental', on_schema_change='fail', full_refresh=false) }}
-- Every BYOMM model version ever loaded: one row per version x channel, run_id = load_id (a
-- hash of the landed files). Append-only: a version already stored is never loaded again, so an
-- unchanged landing folder adds nothing and keeps its first loaded_at; versions stay here as
-- history when their file is replaced, rejected or removed. Never rebuilt (full_refresh=false):
-- `dbt build --full-refresh` keeps every version; `curvehouse reset` drops them deliberately.
with byomm_ingest as (
    select * from {{ ref('byomm_ingest') }}
),

versions_typed as (
    select
        -- ids and names
        cast(load_id as varchar) as run_id,
        cast(model_id as varchar) as model_id,
        cast(source as varchar) as source,
        cast(segment_id as varchar) as segment_id,
        cast(channel_name as varchar) as channel_name,
        cast(display_name as varchar) as display_name,
        -- dates
        cast(refreshed_at as timestamp) as refreshed_at,
        cast(date_range_start as date) as date_range_start,
        cast(date_range_end as date) as date_range_end,
        -- curve (weekly spend convention, outcome currency)
        cast(curve_family as varchar) as curve_family,
        cast(saturation_half_point as double) as saturation_half_point,
        cast(saturation_half_point_p05 as double) as saturation_half_point_p05,
        cast(saturation_half_point_p95 as double) as saturation_half_point_p95,
        cast(saturation_max as double) as saturation_max,
        cast(saturation_max_p05 as double) as saturation_max_p05,
        cast(saturation_max_p95 as double) as saturation_max_p95,
        cast(hill_slope as double) as hill_slope,
        cast(hill_slope_p05 as double) as hill_slope_p05,
        cast(hill_slope_p95 as double) as hill_slope_p95,
        -- money over the date range
        cast(contribution_mean as double) as contribution_mean,
        cast(contribution_lower as double) as contribution_lower,
        cast(contribution_upper as double) as contribution_upper,
        cast(spend as double) as spend,
        cast(total_revenue as double) as total_revenue,
        -- observed weekly spend
        cast(observed_spend_min as double) as observed_spend_min,
        cast(observed_spend_max as double) as observed_spend_max,
        -- provenance
        cast(loaded_at as timestamp) as loaded_at,
        cast(source_path as varchar) as source_path,
        cast(source_extras as varchar) as source_extras,
        cast(load_warnings as varchar) as load_warnings
    from byomm_ingest
),

versions_new as (
    select * from versions_typed
    {% if is_incremental() %}
    where run_id not in (select run_id from {{ this }})
    {% endif %}
)

select * from versions_new
