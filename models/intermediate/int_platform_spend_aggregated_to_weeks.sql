-- One row per segment x channel x ISO week that has platform-reported spend rows.
with platform_spend as (
    select * from {{ ref('stg_raw__platform_spend') }}
),

aggregated as (
    select
        segment_id,
        channel,
        {{ iso_week('spend_date') }} as week_start,
        sum(platform_spend) as platform_spend,
        count(*) as n_platform_rows
    from platform_spend
    group by 1, 2, 3
)

select * from aggregated
