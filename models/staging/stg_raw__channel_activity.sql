-- depends_on: {{ ref('raw_input_checks') }}
with source as (
    select * from {{ raw_input('channel_activity', ['date', 'segment_id', 'channel', 'value'], optional=true) }}
),

renamed as (
    select
        cast(cast({{ column_ref('date') }} as timestamp) as date) as activity_date,
        trim(cast(segment_id as varchar)) as segment_id,
        trim(cast(channel as varchar)) as channel,
        cast({{ column_ref('value') }} as double) as activity_value
    from source
)

select * from renamed
