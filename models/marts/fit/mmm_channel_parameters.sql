-- One row per run x parameter x channel (or control / segment-level term): posterior mean, sd,
-- 90% interval, R-hat and ESS beside the prior used, with the run's data window.
{%- set unit -%}
        case parameter
            when 'roi' then 'outcome currency per unit of spend'
            when 'contribution' then 'outcome currency over the window'
            when 'saturation_max' then 'outcome currency per week'
            when 'half_point' then 'weekly spend (currency)'
            when 'adstock_half_life' then 'weeks'
            when 'level' then 'outcome currency per week'
            when 'intercept' then 'outcome currency per week'
            when 'trend' then 'outcome currency per week, change over the window'
            when 'sigma' then 'outcome currency per week'
            when 'gamma' then 'outcome currency per week per standard deviation of the control'
            else 'unitless'
        end
{%- endset %}

with parameters as (
    select * from {{ ref('fit_segments') }}
    where artifact = 'parameter'
),

runs as (
    select * from {{ ref('mmm_model_runs') }}
),

joined as (
    select
        parameters.*,
        runs.data_window_start,
        runs.data_window_end,
        runs.methodology_version,
        runs.is_current
    from parameters
    inner join runs on parameters.run_id = runs.run_id
),

-- The columns and types are the contract's (contract_select); gamma rows name a control, not a channel.
final as (
    {{ contract_select('joined', expressions={
        'channel': "case when parameter <> 'gamma' then channel end",
        'control_name': "case when parameter = 'gamma' then channel end",
        'unit': unit,
    }) }}
)

select * from final
