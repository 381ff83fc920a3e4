-- depends_on: {{ ref('raw_input_checks') }}
with source as (
    select *
    from {{ raw_input('channel_registry', [
        'channel', 'display_name', 'channel_group', 'live_since', 'is_primary', 'roi_prior_mean', 'roi_prior_sd',
        'adstock_max_lag'
    ]) }}
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
        cast({{ empty_as_null('adstock_max_lag') }} as integer) as adstock_max_lag
    from source
)

select * from renamed
