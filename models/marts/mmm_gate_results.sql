-- One row per segment x gate expectation: the published, contracted view of the Great
-- Expectations run in gate_segments.
with gate_segments as (
    select * from {{ ref('gate_segments') }}
),

final as (
    {{ contract_select('gate_segments') }}
)

select * from final
