-- One row per run x channel: spend, contribution and ROI with 90% intervals, marginal ROI at
-- current spend, the curve's shape (half-saturation spend, saturation max, slope, inflection
-- spend), adstock half-life, current weekly spend, and the saturation position there against the
-- ROI floor with its probability: the one position meaning, taken from mmm_saturation_audit for the
-- runs whose curves are the segment's current curves (null for the others).
with summary as (
    select * from {{ ref('int_channel_summary_pivoted') }}
),

audit as (
    select * from {{ ref('mmm_saturation_audit') }}
),

joined as (
    select
        summary.*,
        audit.position as saturation_position,
        audit.prob_marginal_roi_above_floor,
        audit.roi_floor
    from summary
    left join audit
        on summary.run_id = audit.run_id
        and summary.segment_id = audit.segment_id
        and summary.channel = audit.channel
),

-- The columns and types are the contract's (contract_select).
final as (
    {{ contract_select('joined') }}
)

select * from final
