-- One row per current built-in run x channel x posterior draw: the three curve parameters of the
-- draw side by side (half point and saturation max in weekly-spend business units, slope), with the
-- draw numbered 0.. across chains so a draw index means the same joint draw for every channel.
with draws as (
    select * from {{ ref('mmm_posterior_draws') }}
    where is_current
        and draw_kind = 'posterior'
        and parameter in ('half_point', 'saturation_max', 'slope')
),

pivoted as (
    select
        run_id,
        segment_id,
        channel,
        chain,
        draw,
        max(case when parameter = 'half_point' then {{ column_ref('value') }} end) as saturation_half_point,
        max(case when parameter = 'saturation_max' then {{ column_ref('value') }} end) as saturation_max,
        max(case when parameter = 'slope' then {{ column_ref('value') }} end) as hill_slope
    from draws
    group by 1, 2, 3, 4, 5
),

numbered as (
    select
        run_id,
        segment_id,
        channel,
        cast(dense_rank() over (partition by run_id order by chain, draw) - 1 as integer) as draw,
        saturation_half_point,
        saturation_max,
        hill_slope
    from pivoted
)

select * from numbered
