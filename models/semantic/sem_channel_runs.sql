-- The semantic layer's run x channel table: mmm_channel_summary's published numbers, with the run's
-- totals carried on every row (all channels' incremental revenue, the paid channels' spend). The
-- totals are the denominators of the per-channel shares (contribution_share, spend_share in
-- _semantic__channel_runs.yml): MetricFlow aggregates a ratio's numerator and denominator over the
-- same grouping, so a channel's share of its run needs the run's total on the channel's row.
with channel_summary as (
    select * from {{ ref('mmm_channel_summary') }}
),

run_totals as (
    select
        run_id,
        sum(contribution_mean) as run_incremental_revenue,
        sum(case when channel_kind = 'paid' then spend end) as run_spend
    from channel_summary
    group by run_id
),

final as (
    select
        channel_summary.run_id,
        channel_summary.segment_id,
        channel_summary.channel,
        channel_summary.display_name,
        channel_summary.channel_group,
        channel_summary.channel_kind,
        channel_summary.saturation_position,
        channel_summary.spend,
        channel_summary.contribution_mean,
        channel_summary.roi_mean,
        channel_summary.marginal_roi_mean,
        channel_summary.current_weekly_spend,
        channel_summary.data_window_start,
        channel_summary.data_window_end,
        channel_summary.methodology_version,
        channel_summary.is_current,
        run_totals.run_incremental_revenue,
        run_totals.run_spend
    from channel_summary
    inner join run_totals on channel_summary.run_id = run_totals.run_id
)

select * from final
