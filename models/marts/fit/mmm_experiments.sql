-- One row per run x lift test: the measured weekly lift beside the model's predicted lift before
-- calibration (the posterior without the experiments) and after (the fit's own), and whether they
-- agree. The fit writes three rows per experiment (artifact 'experiment'); attributes in details.
with experiment_rows as (
    select
        run_id,
        segment_id,
        channel,
        parameter,
        mean,
        p05,
        p95,
        {{ detail('experiment_id') }} as experiment_id,
        {{ detail('status') }} as experiment_status,
        {{ detail('reason') }} as status_reason,
        {{ detail('agreement') }} as agreement,
        {{ detail('before_method') }} as before_method,
        {{ detail('pareto_k') }} as pareto_k_text
    from {{ ref('fit_segments') }}
    where artifact = 'experiment'
),

pivoted as (
    select
        run_id,
        segment_id,
        channel,
        experiment_id,
        max(experiment_status) as experiment_status,
        max(status_reason) as status_reason,
        max(agreement) as agreement,
        max(before_method) as before_method,
        max(cast(pareto_k_text as double)) as before_pareto_k,
        max(case when parameter = 'measured_lift' then mean end) as measured_lift_weekly,
        max(case when parameter = 'measured_lift' then p05 end) as measured_lift_p05,
        max(case when parameter = 'measured_lift' then p95 end) as measured_lift_p95,
        max(case when parameter = 'predicted_lift_before' then mean end) as predicted_lift_before_mean,
        max(case when parameter = 'predicted_lift_before' then p05 end) as predicted_lift_before_p05,
        max(case when parameter = 'predicted_lift_before' then p95 end) as predicted_lift_before_p95,
        max(case when parameter = 'predicted_lift_after' then mean end) as predicted_lift_after_mean,
        max(case when parameter = 'predicted_lift_after' then p05 end) as predicted_lift_after_p05,
        max(case when parameter = 'predicted_lift_after' then p95 end) as predicted_lift_after_p95
    from experiment_rows
    group by run_id, segment_id, channel, experiment_id
),

experiments as (
    select * from {{ ref('stg_raw__experiments') }}
),

runs as (
    select * from {{ ref('mmm_model_runs') }}
),

joined as (
    select
        pivoted.*,
        experiments.start_date,
        experiments.end_date,
        experiments.baseline_weekly_spend,
        experiments.test_weekly_spend,
        experiments.method,
        runs.status as run_status,
        runs.is_current
    from pivoted
    inner join runs on pivoted.run_id = runs.run_id
    left join experiments on pivoted.experiment_id = experiments.experiment_id
),

final as (
    {{ contract_select('joined', expressions={'status_reason': "nullif(status_reason, '')"}) }}
)

select * from final
