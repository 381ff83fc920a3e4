-- One row per segment x channel of the current curves: what a media-strategy agent needs to
-- reason about a channel - its coefficient and curve, incremental ROI with interval, share of
-- incremental outcome, confidence, the data window and priors behind it - plus the segment's
-- model-level diagnostics repeated on every row. Coefficients only; no draws, no spend rows.
with curves as (
    select * from {{ ref('mmm_curves') }}
    where is_current
),

channel_summary as (
    select * from {{ ref('mmm_channel_summary') }}
    where is_current
),

runs as (
    select * from {{ ref('mmm_model_runs') }}
    where is_current
),

roi_priors as (
    select
        run_id,
        channel,
        prior_mean,
        prior_sd
    from {{ ref('mmm_channel_parameters') }}
    where is_current and parameter = 'roi'
),

registry as (
    select * from {{ ref('stg_raw__channel_registry') }}
),

positions as (
    select * from {{ ref('agent_saturation_positions') }}
),

channels_joined as (
    select
        curves.segment_id,
        curves.channel_name as channel,
        curves.display_name,
        coalesce(channel_summary.channel_group, registry.channel_group, 'unclassified') as channel_group,
        curves.source as curve_source,
        curves.model_id,
        curves.run_id,
        curves.saturation_max as coefficient,
        curves.saturation_half_point,
        curves.hill_slope,
        channel_summary.adstock_half_life_weeks_mean as adstock_half_life_weeks,
        curves.spend,
        curves.contribution_mean,
        curves.contribution_lower,
        curves.contribution_upper,
        coalesce(channel_summary.roi_mean, curves.contribution_mean / nullif(curves.spend, 0)) as roi_mean,
        coalesce(channel_summary.roi_p05, curves.contribution_lower / nullif(curves.spend, 0)) as roi_low,
        coalesce(channel_summary.roi_p95, curves.contribution_upper / nullif(curves.spend, 0)) as roi_high,
        curves.contribution_mean / nullif(sum(curves.contribution_mean) over (partition by curves.segment_id), 0)
            as contribution_share,
        positions.marginal_roi_mean,
        positions.saturation_position,
        curves.date_range_start as data_window_start,
        curves.date_range_end as data_window_end,
        case
            when roi_priors.prior_mean is not null
                then 'roi ~ mean ' || cast(round(roi_priors.prior_mean, 3) as varchar)
                    || ', sd ' || cast(round(roi_priors.prior_sd, 3) as varchar)
            else 'not stated by the ' || curves.source || ' model'
        end as roi_prior,
        runs.methodology_version,
        runs.r2_in_sample,
        runs.mape_in_sample,
        runs.r2_holdout,
        runs.mape_holdout,
        runs.max_rhat,
        runs.min_ess_bulk,
        runs.divergences,
        curves.refreshed_at,
        curves.staleness_days
    from curves
    left join channel_summary
        on curves.run_id = channel_summary.run_id and curves.channel_name = channel_summary.channel
    left join runs on curves.run_id = runs.run_id
    left join roi_priors on curves.run_id = roi_priors.run_id and curves.channel_name = roi_priors.channel
    left join registry on curves.channel_name = registry.channel
    left join positions on curves.segment_id = positions.segment_id and curves.channel_name = positions.channel
),

confidence_rated as (
    select
        *,
        (roi_high - roi_low) / nullif(abs(roi_mean), 0) as roi_relative_width,
        case
            when roi_low is null or roi_high is null then 'unknown'
            when (roi_high - roi_low) / nullif(abs(roi_mean), 0) <= 0.5 then 'high'
            when (roi_high - roi_low) / nullif(abs(roi_mean), 0) <= 1.0 then 'medium'
            else 'low'
        end as confidence
    from channels_joined
),

-- The columns, their order and types are the contract's (contract_select).
final as (
    {{ contract_select('confidence_rated') }}
)

select * from final
