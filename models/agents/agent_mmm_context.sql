-- One row per segment x channel of the current curves: what a media-strategy agent needs to
-- reason about a channel - its coefficient and curve, incremental ROI with interval, share of
-- incremental outcome, confidence, the data window and priors behind it - plus the segment's
-- model-level diagnostics repeated on every row. Coefficients only; no draws, no spend rows.
-- Organic channels (channel_kind 'organic': no spend, so no ROI, never planned) come from the
-- built-in fit's channel summary: their contribution with its interval, their curve in their own unit
-- (saturation_unit), their share of the incremental outcome.
-- Plus one row per segment x non-media treatment of the current built-in run (channel_kind
-- non_media): its signed effect per unit with interval and its contribution over the window
-- against its reference value; no spend, ROI or curve.
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

treatment_parameters as (
    select
        run_id,
        segment_id,
        channel,
        max(case when parameter = 'treatment_effect' then mean end) as effect_mean,
        max(case when parameter = 'treatment_effect' then p05 end) as effect_low,
        max(case when parameter = 'treatment_effect' then p95 end) as effect_high,
        max(case when parameter = 'treatment_contribution' then mean end) as contribution_mean,
        max(case when parameter = 'treatment_contribution' then p05 end) as contribution_lower,
        max(case when parameter = 'treatment_contribution' then p95 end) as contribution_upper
    from {{ ref('mmm_channel_parameters') }}
    where is_current and channel_kind = 'non_media'
    group by 1, 2, 3
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
        curves.staleness_days,
        'paid' as channel_kind,
        coalesce(channel_summary.saturation_unit, 'spend') as saturation_unit,
        cast(null as double) as treatment_effect_mean,
        cast(null as double) as treatment_effect_low,
        cast(null as double) as treatment_effect_high
    from curves
    left join channel_summary
        on curves.run_id = channel_summary.run_id and curves.channel_name = channel_summary.channel
    left join runs on curves.run_id = runs.run_id
    left join roi_priors on curves.run_id = roi_priors.run_id and curves.channel_name = roi_priors.channel
    left join registry on curves.channel_name = registry.channel
    left join positions on curves.segment_id = positions.segment_id and curves.channel_name = positions.channel
),

organic_joined as (
    select
        channel_summary.segment_id,
        channel_summary.channel,
        coalesce(channel_summary.display_name, channel_summary.channel) as display_name,
        coalesce(channel_summary.channel_group, 'unclassified') as channel_group,
        'builtin' as curve_source,
        'builtin' as model_id,
        channel_summary.run_id,
        channel_summary.saturation_max_mean as coefficient,
        channel_summary.half_saturation_volume_mean as saturation_half_point,
        channel_summary.hill_slope_mean as hill_slope,
        channel_summary.adstock_half_life_weeks_mean as adstock_half_life_weeks,
        cast(null as double) as spend,
        channel_summary.contribution_mean,
        channel_summary.contribution_p05 as contribution_lower,
        channel_summary.contribution_p95 as contribution_upper,
        cast(null as double) as roi_mean,
        cast(null as double) as roi_low,
        cast(null as double) as roi_high,
        cast(null as double) as marginal_roi_mean,
        cast(null as varchar) as saturation_position,
        runs.data_window_start,
        runs.data_window_end,
        'contribution share prior (organic channel)' as roi_prior,
        runs.methodology_version,
        runs.r2_in_sample,
        runs.mape_in_sample,
        runs.r2_holdout,
        runs.mape_holdout,
        runs.max_rhat,
        runs.min_ess_bulk,
        runs.divergences,
        runs.refreshed_at,
        {{ staleness_days('runs.refreshed_at') }} as staleness_days,
        'organic' as channel_kind,
        channel_summary.saturation_unit,
        cast(null as double) as treatment_effect_mean,
        cast(null as double) as treatment_effect_low,
        cast(null as double) as treatment_effect_high
    from channel_summary
    inner join runs on channel_summary.run_id = runs.run_id
    where channel_summary.channel_kind = 'organic'
),

all_channels as (
    select * from channels_joined
    union all
    select * from organic_joined
),

shared as (
    select
        *,
        contribution_mean / nullif(sum(contribution_mean) over (partition by segment_id), 0) as contribution_share
    from all_channels
),

widths as (
    select
        *,
        (roi_high - roi_low) / nullif(abs(roi_mean), 0) as roi_relative_width,
        -- organic channels (no ROI): the same widths read on the contribution interval
        case
            when channel_kind = 'organic'
                then (contribution_upper - contribution_lower) / nullif(abs(contribution_mean), 0)
            else (roi_high - roi_low) / nullif(abs(roi_mean), 0)
        end as relative_width
    from shared
),

confidence_rated as (
    select
        *,
        case
            when channel_kind = 'organic' and (contribution_lower is null or contribution_upper is null) then 'unknown'
            when channel_kind != 'organic' and (roi_low is null or roi_high is null) then 'unknown'
            when relative_width <= 0.5 then 'high'
            when relative_width <= 1.0 then 'medium'
            else 'low'
        end as confidence
    from widths
),

treatments_rated as (
    select
        treatment_parameters.segment_id,
        treatment_parameters.channel,
        coalesce(registry.display_name, treatment_parameters.channel) as display_name,
        coalesce(registry.channel_group, 'unclassified') as channel_group,
        'builtin' as curve_source,
        'builtin' as model_id,
        treatment_parameters.run_id,
        cast(null as double) as coefficient,
        cast(null as double) as saturation_half_point,
        cast(null as double) as hill_slope,
        cast(null as double) as adstock_half_life_weeks,
        cast(null as double) as spend,
        treatment_parameters.contribution_mean,
        treatment_parameters.contribution_lower,
        treatment_parameters.contribution_upper,
        cast(null as double) as roi_mean,
        cast(null as double) as roi_low,
        cast(null as double) as roi_high,
        cast(null as double) as contribution_share,
        cast(null as double) as marginal_roi_mean,
        cast(null as varchar) as saturation_position,
        runs.data_window_start,
        runs.data_window_end,
        cast(null as varchar) as roi_prior,
        runs.methodology_version,
        runs.r2_in_sample,
        runs.mape_in_sample,
        runs.r2_holdout,
        runs.mape_holdout,
        runs.max_rhat,
        runs.min_ess_bulk,
        runs.divergences,
        runs.refreshed_at,
        {{ staleness_days('runs.refreshed_at') }} as staleness_days,
        'non_media' as channel_kind,
        cast(null as varchar) as saturation_unit,
        treatment_parameters.effect_mean as treatment_effect_mean,
        treatment_parameters.effect_low as treatment_effect_low,
        treatment_parameters.effect_high as treatment_effect_high,
        cast(null as double) as roi_relative_width,
        case
            when treatment_parameters.effect_low is null or treatment_parameters.effect_high is null then 'unknown'
            when (treatment_parameters.effect_high - treatment_parameters.effect_low)
                / nullif(abs(treatment_parameters.effect_mean), 0) <= 0.5 then 'high'
            when (treatment_parameters.effect_high - treatment_parameters.effect_low)
                / nullif(abs(treatment_parameters.effect_mean), 0) <= 1.0 then 'medium'
            else 'low'
        end as confidence
    from treatment_parameters
    inner join runs on treatment_parameters.run_id = runs.run_id
    left join registry on treatment_parameters.channel = registry.channel
),

-- The columns, their order and types are the contract's (contract_select), in each branch.
final as (
    {{ contract_select('confidence_rated') }}
    union all
    {{ contract_select('treatments_rated') }}
)

select * from final
