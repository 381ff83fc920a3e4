-- Jinja-generated column lists: sqlfluff cannot lay out loop bodies or long macro calls.
-- noqa: disable=LT02,LT05,LT09
-- One row per run x channel x grid point: response per week at a sustained weekly spend, from 0
-- to the largest weekly spend observed in the window (never beyond), with marginal ROI; for an
-- exposure-driven channel the impressions curve at the window's cost per impression.
with curves as (
    select * from {{ ref('fit_segments') }}
    where artifact = 'curve'
),

runs as (
    select run_id, is_current from {{ ref('mmm_model_runs') }}
),

pivoted as (
    select
        run_id,
        segment_id,
        channel,
        cast({{ column_ref('draw') }} as integer) as point_index,
        coalesce(max({{ detail('channel_kind') }}), 'paid') as channel_kind,
        max({{ detail('unit') }}) as unit,
        max({{ detail('saturation_unit') }}) as fitted_unit,
        max(cast({{ detail('cost_per_impression') }} as double)) as cost_per_impression,
        max(spend_level) as driver_level,
        {%- for stat in ['mean', 'p05', 'p10', 'p90', 'p95'] %}
        max(case when parameter = 'response' then {{ stat }} end) as response_{{ stat }},
        max(case when parameter = 'marginal_roi' then {{ stat }} end) as marginal_{{ stat }}{{ "," if not loop.last }}
        {%- endfor %}
    from curves
    group by 1, 2, 3, 4
),

-- An organic channel's curve runs over its weekly volume in its own unit (saturation_unit): its
-- weekly_spend and marginal ROI are null, weekly_volume and marginal_response_per_unit hold them.
joined as (
    select
        pivoted.*,
        case
            when pivoted.channel_kind = 'organic' then coalesce(pivoted.unit, 'volume')
            else coalesce(pivoted.fitted_unit, 'spend')
        end as saturation_unit,
        case when pivoted.channel_kind != 'organic' then pivoted.driver_level end as weekly_spend,
        case when pivoted.channel_kind = 'organic' then pivoted.driver_level end as weekly_volume,
        {%- for stat in ['mean', 'p05', 'p10', 'p90', 'p95'] %}
        case when pivoted.channel_kind != 'organic' then pivoted.marginal_{{ stat }} end as marginal_roi_{{ stat }},
        case when pivoted.channel_kind = 'organic' then pivoted.marginal_{{ stat }} end
            as marginal_response_per_unit_{{ stat }},
        {%- endfor %}
        runs.is_current
    from pivoted
    inner join runs on pivoted.run_id = runs.run_id
),

-- The columns and types are the contract's (contract_select).
final as (
    {{ contract_select('joined', expressions={'saturation_unit': "coalesce(saturation_unit, 'spend')"}) }}
)

select * from final
