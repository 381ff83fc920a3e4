-- One row per segment x gate expectation: the published, contracted view of the Great
-- Expectations run in gate_segments.
with gate_segments as (
    select * from {{ ref('gate_segments') }}
),

final as (
    select
        cast(segment_id as varchar) as segment_id,
        cast(gate as varchar) as gate,
        cast({{ column_ref('rule') }} as varchar) as {{ column_ref('rule') }},
        cast(expectation as varchar) as expectation,
        cast(severity as varchar) as severity,
        cast(success as boolean) as success,
        cast(observed_value as varchar) as observed_value,
        cast(element_count as bigint) as element_count,
        cast(unexpected_count as bigint) as unexpected_count,
        cast(offending_keys as varchar) as offending_keys,
        cast(message as varchar) as message,
        cast(validated_at as timestamp) as validated_at
    from gate_segments
)

select * from final
