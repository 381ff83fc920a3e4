-- Jinja-generated column lists: sqlfluff cannot lay out loop bodies or long macro calls.
-- noqa: disable=LT02,LT05,LT09
-- One row per run x channel x grid point: response per week at a sustained weekly spend, from 0
-- to the largest weekly spend observed in the window (never beyond), with marginal ROI.
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
        max(spend_level) as weekly_spend,
        {%- for stat in ['mean', 'p05', 'p10', 'p90', 'p95'] %}
        max(case when parameter = 'response' then {{ stat }} end) as response_{{ stat }},
        max(case when parameter = 'marginal_roi' then {{ stat }} end) as marginal_roi_{{ stat }}{{ "," if not loop.last }}
        {%- endfor %}
    from curves
    group by 1, 2, 3, 4
),

joined as (
    select
        pivoted.*,
        runs.is_current
    from pivoted
    inner join runs on pivoted.run_id = runs.run_id
),

-- The columns and types are the contract's (contract_select).
final as (
    {{ contract_select('joined') }}
)

select * from final
