-- One row per segment x channel x ISO week that has warehouse spend rows.
-- Days without a row inside the week count as zero spend.
with spend as (
    select * from {{ ref('stg_raw__channel_spend') }}
),

aggregated as (
    select
        segment_id,
        channel,
        {{ iso_week('spend_date') }} as week_start,
        sum(spend) as spend,
        sum(impressions) as impressions,
        count(*) as n_spend_rows,
        count(impressions) as n_impression_rows
    from spend
    group by 1, 2, 3
)

select * from aggregated
