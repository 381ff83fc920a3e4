-- depends_on: {{ ref('raw_input_checks') }}
with source as (
    select * from {{ raw_input('platform_spend', ['date', 'segment_id', 'channel', 'platform_spend']) }}
),

renamed as (
    select
        cast(cast({{ column_ref('date') }} as timestamp) as date) as spend_date,
        trim(cast(segment_id as varchar)) as segment_id,
        trim(cast(channel as varchar)) as channel,
        cast(platform_spend as double) as platform_spend
    from source
)

select * from renamed
