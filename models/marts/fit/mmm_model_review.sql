-- One row per run x review check (x channel for per-channel checks): the number, its threshold and
-- the outcome (pass / review / fail), whether that check's failure blocks publishing (var
-- mmm.review.blocking) and why. The one place to read why a run was or was not published.
with checks as (
    select * from {{ ref('fit_segments') }}
    where artifact = 'review'
),

runs as (
    select
        run_id,
        is_current
    from {{ ref('mmm_model_runs') }}
),

joined as (
    select
        checks.run_id,
        checks.segment_id,
        checks.parameter as check_name,
        checks.channel,
        checks.value,
        runs.is_current,
        {{ detail('check_group', 'checks.details') }} as check_group,
        {{ detail('threshold', 'checks.details') }} as threshold,
        {{ detail('direction', 'checks.details') }} as direction,
        {{ detail('outcome', 'checks.details') }} as outcome,
        {{ detail('blocks_publish', 'checks.details') }} as blocks_publish,
        {{ detail('message', 'checks.details') }} as message
    from checks
    inner join runs on checks.run_id = runs.run_id
),

final as (
    {{ contract_select('joined') }}
)

select * from final
