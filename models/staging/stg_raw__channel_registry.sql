-- depends_on: {{ ref('raw_input_checks') }}
-- The driver columns (channel_kind onwards) are optional in the raw file: absent or empty reads as
-- a paid, spend-driven channel with no unit and no marginal-ROI or contribution-share prior.
{%- set driver_columns = [
    'channel_kind', 'unit', 'exposure_driven', 'mroi_prior_mean', 'mroi_prior_sd',
    'contribution_share_prior_mean', 'contribution_share_prior_sd'
] %}
with source as (
    select *
    from {{ raw_input('channel_registry', [
        'channel', 'display_name', 'channel_group', 'live_since', 'is_primary', 'roi_prior_mean', 'roi_prior_sd',
        'adstock_max_lag'
    ] + driver_columns, optional_columns=driver_columns) }}
),

renamed as (
    select
        trim(cast(channel as varchar)) as channel,
        trim(cast(display_name as varchar)) as display_name,
        lower(trim(cast(channel_group as varchar))) as channel_group,
        cast(cast(live_since as timestamp) as date) as live_since,
        lower(trim(cast(is_primary as varchar))) in ('true', 't', '1', 'yes', 'y') as is_primary,
        cast({{ empty_as_null('roi_prior_mean') }} as double) as roi_prior_mean,
        cast({{ empty_as_null('roi_prior_sd') }} as double) as roi_prior_sd,
        cast({{ empty_as_null('adstock_max_lag') }} as integer) as adstock_max_lag,
        coalesce(lower({{ empty_as_null('channel_kind') }}), 'paid') as channel_kind,
        {{ empty_as_null('unit') }} as unit,
        coalesce(lower({{ empty_as_null('exposure_driven') }}) in ('true', 't', '1', 'yes', 'y'), false)
            as exposure_driven,
        cast({{ empty_as_null('mroi_prior_mean') }} as double) as mroi_prior_mean,
        cast({{ empty_as_null('mroi_prior_sd') }} as double) as mroi_prior_sd,
        cast({{ empty_as_null('contribution_share_prior_mean') }} as double) as contribution_share_prior_mean,
        cast({{ empty_as_null('contribution_share_prior_sd') }} as double) as contribution_share_prior_sd
    from source
)

select * from renamed
