-- depends_on: {{ ref('raw_input_checks') }}
with source as (
    select * from {{ raw_input('controls', ['date', 'segment_id', 'control', 'value'], optional=true) }}
),

renamed as (
    select
        cast(cast({{ column_ref('date') }} as timestamp) as date) as control_date,
        trim(cast(segment_id as varchar)) as segment_id,
        trim(cast(control as varchar)) as control_name,
        cast({{ column_ref('value') }} as double) as control_value
    from source
)

select * from renamed
