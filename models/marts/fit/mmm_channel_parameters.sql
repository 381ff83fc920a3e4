-- One row per run x parameter x channel (or control / segment-level term): posterior mean, sd,
-- 90% interval, R-hat and ESS beside the prior used, with the run's data window.
with parameters as (
    select * from {{ ref('fit_segments') }}
    where artifact = 'parameter'
),

runs as (
    select * from {{ ref('mmm_model_runs') }}
),

final as (
    select
        cast(parameters.run_id as varchar) as run_id,
        cast(parameters.segment_id as varchar) as segment_id,
        cast(parameters.parameter as varchar) as parameter,
        cast(case when parameters.parameter <> 'gamma' then parameters.channel end as varchar) as channel,
        cast(case when parameters.parameter = 'gamma' then parameters.channel end as varchar) as control_name,
        cast(case parameters.parameter
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
        end as varchar) as unit,
        cast(parameters.mean as double) as mean,
        cast(parameters.sd as double) as sd,
        cast(parameters.p05 as double) as p05,
        cast(parameters.p95 as double) as p95,
        cast(parameters.rhat as double) as rhat,
        cast(parameters.ess_bulk as double) as ess_bulk,
        cast(parameters.ess_tail as double) as ess_tail,
        cast(parameters.prior_mean as double) as prior_mean,
        cast(parameters.prior_sd as double) as prior_sd,
        cast(parameters.prior_p05 as double) as prior_p05,
        cast(parameters.prior_p95 as double) as prior_p95,
        runs.data_window_start,
        runs.data_window_end,
        runs.methodology_version,
        runs.is_current
    from parameters
    inner join runs on parameters.run_id = runs.run_id
)

select * from final
