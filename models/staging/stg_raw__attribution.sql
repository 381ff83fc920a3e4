-- depends_on: {{ ref('raw_input_checks') }}
with source as (
    select *
    from {{ raw_input('attribution', ['month', 'segment_id', 'channel', 'attributed_revenue'], optional=true) }}
),

renamed as (
    select
        cast(date_trunc('month', cast(cast({{ column_ref('month') }} as timestamp) as date)) as date)
            as attribution_month,
        trim(cast(segment_id as varchar)) as segment_id,
        trim(cast(channel as varchar)) as channel,
        cast(attributed_revenue as double) as attributed_revenue
    from source
)

select * from renamed
