-- Every segment with a published run has exactly one current run, and it is a published one.
with runs as (
    select * from {{ ref('mmm_model_runs') }}
),

per_segment as (
    select
        segment_id,
        count(case when status = 'published' then 1 end) as n_published,
        count(case when is_current then 1 end) as n_current,
        count(case when is_current and status <> 'published' then 1 end) as n_current_unpublished
    from runs
    group by 1
)

select *
from per_segment
where (n_published > 0 and n_current <> 1) or n_current_unpublished > 0
