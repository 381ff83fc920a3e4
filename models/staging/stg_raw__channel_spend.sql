-- depends_on: {{ ref('raw_input_checks') }}
with source as (
    select * from {{ raw_input('channel_spend', ['date', 'segment_id', 'channel', 'spend', 'impressions']) }}
),

renamed as (
    select
        cast(cast({{ column_ref('date') }} as timestamp) as date) as spend_date,
        trim(cast(segment_id as varchar)) as segment_id,
        trim(cast(channel as varchar)) as channel,
        cast(spend as double) as spend,
        cast({{ empty_as_null('impressions') }} as double) as impressions
    from source
)

select * from renamed
