-- The unified curves table: one row per model version x segment x channel from every source
-- (built-in fits and BYOMM), in one convention - response per week at a sustained weekly spend
-- s, in outcome currency: saturation_max * s^hill_slope / (s^hill_slope + saturation_half_point^hill_slope).
-- Every version is kept; per segment exactly one version is current (var curve_source_policy:
-- `latest` = the most recently refreshed; a source or model_id = that one where it covers the
-- segment, else the latest).
{#- The columns both sources carry, unioned by name: the contract's less the three computed here
    (tests/unit/test_contracts.py holds the two together; named here because a dbt unit test cannot
    read the contract). The published columns and types are the contract's (contract_select). -#}
{%- set curve_columns = [
    'run_id', 'model_id', 'source', 'segment_id', 'refreshed_at', 'date_range_start', 'date_range_end',
    'channel_name', 'display_name', 'curve_family',
    'saturation_half_point', 'saturation_half_point_p05', 'saturation_half_point_p95',
    'saturation_max', 'saturation_max_p05', 'saturation_max_p95', 'hill_slope', 'hill_slope_p05', 'hill_slope_p95',
    'contribution_mean', 'contribution_lower', 'contribution_upper', 'spend', 'total_revenue',
    'observed_spend_min', 'observed_spend_max', 'loaded_at', 'source_path', 'source_extras', 'load_warnings',
] -%}
{%- set pinned = var('curve_source_policy') | string %}

with curves_byomm as (
    select * from {{ ref('int_curves_byomm') }}
),

curves_builtin as (
    select * from {{ ref('int_curves_builtin') }}
),

curves_unioned as (
    select {{ curve_columns | join(', ') }} from curves_byomm
    union all
    select {{ curve_columns | join(', ') }} from curves_builtin
),

versions as (
    select distinct
        run_id,
        source,
        model_id,
        segment_id,
        refreshed_at,
        loaded_at
    from curves_unioned
),

versions_ranked as (
    select
        run_id,
        segment_id,
        row_number() over (
            partition by segment_id, source, model_id order by {{ curve_version_order() }}
        ) = 1 as is_latest_version,
        row_number() over (
            partition by segment_id
            order by
                {% if pinned != 'latest' -%}
                (source = '{{ pinned | replace("'", "''") }}' or model_id = '{{ pinned | replace("'", "''") }}') desc,
                {% endif -%}
                {{ curve_version_order() }}
        ) = 1 as is_current
    from versions
),

curves_flagged as (
    select
        curves_unioned.*,
        {{ staleness_days('curves_unioned.refreshed_at') }} as staleness_days,
        versions_ranked.is_current,
        versions_ranked.is_latest_version
    from curves_unioned
    inner join versions_ranked
        on curves_unioned.run_id = versions_ranked.run_id
        and curves_unioned.segment_id = versions_ranked.segment_id
),

-- The columns and types are the contract's (contract_select).
final as (
    {{ contract_select('curves_flagged') }}
)

select * from final
