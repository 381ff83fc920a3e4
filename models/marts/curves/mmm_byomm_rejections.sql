-- One row per BYOMM landing entry the latest build could not load: the published, contracted
-- view of byomm_landing_rejections. A rejected entry loads nothing, so the last good curves of
-- its model stay current in mmm_curves.
with byomm_landing_rejections as (
    select * from {{ ref('byomm_landing_rejections') }}
),

final as (
    {{ contract_select('byomm_landing_rejections') }}
)

select * from final
