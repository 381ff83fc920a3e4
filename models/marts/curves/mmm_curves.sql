-- The unified curves table: one row per model version x segment x channel from every source
-- (built-in fits and BYOMM), in one convention - response per week at a sustained weekly spend
-- s, in outcome currency: saturation_max * s^hill_slope / (s^hill_slope + saturation_half_point^hill_slope).
-- Every version is kept; per segment exactly one version is current (var curve_source_policy:
-- `latest` = the most recently refreshed; a source or model_id = that one where it covers the
-- segment, else the latest).
{%- set curve_columns = {
    'run_id': 'varchar',
    'model_id': 'varchar',
    'source': 'varchar',
    'segment_id': 'varchar',
    'refreshed_at': 'timestamp',
    'date_range_start': 'date',
    'date_range_end': 'date',
    'channel_name': 'varchar',
    'display_name': 'varchar',
    'curve_family': 'varchar',
    'saturation_half_point': 'double',
    'saturation_half_point_p05': 'double',
    'saturation_half_point_p95': 'double',
    'saturation_max': 'double',
    'saturation_max_p05': 'double',
    'saturation_max_p95': 'double',
    'hill_slope': 'double',
    'hill_slope_p05': 'double',
    'hill_slope_p95': 'double',
    'contribution_mean': 'double',
    'contribution_lower': 'double',
    'contribution_upper': 'double',
    'spend': 'double',
    'total_revenue': 'double',
    'observed_spend_min': 'double',
    'observed_spend_max': 'double',
    'loaded_at': 'timestamp',
    'source_path': 'varchar',
    'source_extras': 'varchar',
    'load_warnings': 'varchar',
} -%}
{%- set pinned = var('curve_source_policy') | string %}

with curves_byomm as (
    select * from {{ ref('int_curves_byomm') }}
),

curves_builtin as (
    select * from {{ ref('int_curves_builtin') }}
),

curves_unioned as (
    select {{ curve_columns.keys() | join(', ') }} from curves_byomm
    union all
    select {{ curve_columns.keys() | join(', ') }} from curves_builtin
),

versions as (
    select distinct run_id, source, model_id, segment_id, refreshed_at, loaded_at
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

final as (
    select
        {%- for column, data_type in curve_columns.items() %}
        cast({{ column }} as {{ data_type }}) as {{ column }},
        {%- endfor %}
        cast(staleness_days as integer) as staleness_days,
        cast(is_current as boolean) as is_current,
        cast(is_latest_version as boolean) as is_latest_version
    from curves_flagged
)

select * from final
