-- depends_on: {{ ref('raw_input_checks') }}
with source as (
    select *
    from {{ raw_input(
        'reallocation_proposals',
        ['date', 'segment_id', 'channel_from', 'channel_to', 'weekly_amount', 'proposed_by'],
        optional=true
    ) }}
),

renamed as (
    select
        cast(cast({{ column_ref('date') }} as timestamp) as date) as proposal_date,
        trim(cast(segment_id as varchar)) as segment_id,
        trim(cast(channel_from as varchar)) as channel_from,
        trim(cast(channel_to as varchar)) as channel_to,
        cast(weekly_amount as double) as weekly_amount,
        trim(cast(proposed_by as varchar)) as proposed_by
    from source
)

select * from renamed
