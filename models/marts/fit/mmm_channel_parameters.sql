-- Jinja-built expressions: sqlfluff cannot lay out set blocks.
-- noqa: disable=LT02
-- One row per run x parameter x channel (or control / segment-level term): posterior mean, sd,
-- 90% interval, R-hat and ESS beside the prior used, with the run's data window. Channel rows say
-- the channel's kind (paid | organic) and the kind of prior its effect had (roi | mroi | share: the
-- prior_* columns are the prior that kind implies for the row's parameter); an organic channel's
-- half point is in its own unit and it has no roi row. A non-media treatment's rows
-- (treatment_effect per unit, treatment_contribution) name it in channel, with kind non_media.
{%- set is_channel = "channel is not null and parameter <> 'gamma'" %}
{%- set channel_kind -%}
        case when {{ is_channel }} then coalesce({{ detail('channel_kind') }}, 'paid') end
{%- endset %}
{%- set prior_kind -%}
        case when {{ is_channel }} and {{ detail('channel_kind') }} is distinct from 'non_media'
            then coalesce({{ detail('prior_kind') }}, 'roi') end
{%- endset %}
{%- set unit -%}
        case when parameter = 'half_point' and {{ detail('channel_kind') }} = 'organic'
            then 'weekly volume (' || coalesce({{ detail('unit') }}, 'own unit') || ')'
        else case parameter
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
            when 'treatment_effect' then 'outcome currency per week per unit of the treatment ('
                || coalesce({{ detail('unit') }}, 'unit not stated') || ')'
            when 'treatment_contribution' then 'outcome currency over the window, against the treatment reference'
            else 'unitless'
        end end
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
        'channel_kind': channel_kind,
        'prior_kind': prior_kind,
        'treatment_reference': "cast(" ~ detail('reference_value') ~ " as double)",
    }) }}
)

select * from final
