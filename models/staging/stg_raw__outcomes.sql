-- depends_on: {{ ref('raw_input_checks') }}
{%- set kpi = var('kpi_name') -%}
{%- if not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]{0,63}', kpi) -%}
  {{ exceptions.raise_compiler_error("var kpi_name must be a plain column name (letters, digits, underscore); got " ~ kpi) }}
{%- endif %}
with source as (
    select * from {{ raw_input('outcomes', ['date', 'segment_id', kpi]) }}
),

renamed as (
    select
        cast(cast({{ column_ref('date') }} as timestamp) as date) as outcome_date,
        trim(cast(segment_id as varchar)) as segment_id,
        cast({{ column_ref(kpi) }} as double) as outcome
    from source
)

select * from renamed
