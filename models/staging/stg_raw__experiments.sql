-- depends_on: {{ ref('raw_input_checks') }}
with source as (
    select *
    from {{ raw_input(
        'experiments',
        [
            'experiment_id', 'segment_id', 'channel', 'start_date', 'end_date',
            'baseline_weekly_spend', 'test_weekly_spend', 'lift_weekly', 'lift_weekly_sd', 'method'
        ],
        optional=true
    ) }}
),

renamed as (
    select
        trim(cast(experiment_id as varchar)) as experiment_id,
        trim(cast(segment_id as varchar)) as segment_id,
        trim(cast(channel as varchar)) as channel,
        cast(cast(start_date as timestamp) as date) as start_date,
        cast(cast(end_date as timestamp) as date) as end_date,
        cast(baseline_weekly_spend as double) as baseline_weekly_spend,
        cast(test_weekly_spend as double) as test_weekly_spend,
        cast(lift_weekly as double) as lift_weekly,
        cast(lift_weekly_sd as double) as lift_weekly_sd,
        trim(cast(method as varchar)) as method
    from source
)

select * from renamed
