-- Jinja-generated column lists: sqlfluff cannot lay out loop bodies or long macro calls.
-- noqa: disable=LT02,LT05,LT09
-- One row per current curve version x segment x channel (mmm_curves.is_current), with what planning
-- needs beside the curve: channel group, current weekly spend, observed weekly spend range, adstock,
-- and the segment's observed and modelled non-media weekly outcome over the reporting window.
-- Built-in runs: the last var planning.reporting_weeks weeks of their own decomposition. BYOMM:
-- the source's own total revenue and contributions over its date range (the outcome its curves
-- describe) where it states them, else the warehouse outcomes of the last reporting weeks; spend
-- from the warehouse spine where the segment has it, else from the source.
{%- set reporting_weeks = setting('planning', 'reporting_weeks') | int %}
{%- set default_max_lag = setting('mmm', 'adstock_max_lag') | int %}

with curves as (
    select * from {{ ref('mmm_curves') }}
    where is_current
),

summary as (
    select * from {{ ref('int_channel_summary_pivoted') }}
    where is_current
),

registry as (
    select * from {{ ref('stg_raw__channel_registry') }}
),

spine as (
    select * from {{ ref('int_channel_weeks_spined') }}
),

outcome_weeks as (
    select * from {{ ref('int_outcome_weeks') }}
),

decomposition as (
    select * from {{ ref('mmm_decomposition_weekly') }}
    where is_current
),

spine_weeks_ranked as (
    select
        segment_id,
        week_start,
        dense_rank() over (partition by segment_id order by week_start desc) as weeks_back
    from outcome_weeks
),

reporting_windows as (
    select
        segment_id,
        min(week_start) as reporting_window_start,
        {{ dbt.dateadd('day', 6, 'max(week_start)') }} as reporting_window_end
    from spine_weeks_ranked
    where weeks_back <= {{ reporting_weeks }}
    group by 1
),

spine_spend as (
    select
        spine.segment_id,
        spine.channel,
        avg(case when spine.week_start >= reporting_windows.reporting_window_start then spine.spend end)
            as trailing_weekly_spend,
        min(spine.spend) as spine_spend_min,
        max(spine.spend) as spine_spend_max
    from spine
    inner join reporting_windows on spine.segment_id = reporting_windows.segment_id
    where spine.is_in_window
    group by 1, 2
),

observed_outcomes as (
    select
        outcome_weeks.segment_id,
        avg(outcome_weeks.outcome) as observed_outcome_weekly
    from outcome_weeks
    inner join reporting_windows on outcome_weeks.segment_id = reporting_windows.segment_id
    where outcome_weeks.week_start >= reporting_windows.reporting_window_start
    group by 1
),

decomposition_ranked as (
    select
        run_id,
        week_start,
        component_kind,
        value_mean,
        dense_rank() over (partition by run_id order by week_start desc) as weeks_back
    from decomposition
),

builtin_outcomes as (
    select
        run_id,
        avg(actual) as observed_outcome_weekly,
        avg(base) as base_outcome_weekly
    from (
        select
            run_id,
            week_start,
            sum(case when component_kind = 'actual' then value_mean end) as actual,
            sum(case when component_kind not in ('channel', 'fitted', 'actual') then value_mean end) as base
        from decomposition_ranked
        where weeks_back <= {{ reporting_weeks }}
        group by 1, 2
    ) as weekly
    group by 1
),

byomm_bases as (
    select
        run_id,
        segment_id,
        max(total_revenue) as total_revenue,
        sum(contribution_mean) as contribution_total,
        count(*) = count(contribution_mean) as has_all_contributions,
        greatest(({{ dbt.datediff('min(date_range_start)', 'max(date_range_end)', 'day') }} + 1) / 7.0, 1.0)
            as n_weeks
    from curves
    group by 1, 2
),

joined as (
    select
        curves.run_id,
        curves.segment_id,
        curves.model_id,
        curves.source,
        curves.refreshed_at,
        curves.staleness_days,
        curves.date_range_start as data_window_start,
        curves.date_range_end as data_window_end,
        curves.channel_name as channel,
        coalesce(curves.display_name, registry.display_name, curves.channel_name) as display_name,
        coalesce(registry.channel_group, 'unknown') as channel_group,
        curves.saturation_half_point,
        curves.saturation_half_point_p05,
        curves.saturation_half_point_p95,
        curves.saturation_max,
        curves.saturation_max_p05,
        curves.saturation_max_p95,
        curves.hill_slope,
        curves.hill_slope_p05,
        curves.hill_slope_p95,
        curves.contribution_mean,
        curves.contribution_lower,
        curves.contribution_upper,
        coalesce(
            summary.current_weekly_spend,
            spine_spend.trailing_weekly_spend,
            curves.spend / byomm_bases.n_weeks
        ) as current_weekly_spend,
        case
            when summary.current_weekly_spend is not null then 'fit_summary'
            when spine_spend.trailing_weekly_spend is not null then 'warehouse_spend'
            when curves.spend is not null then 'curve_spend'
        end as current_spend_basis,
        coalesce(curves.observed_spend_min, spine_spend.spine_spend_min) as observed_spend_min,
        coalesce(curves.observed_spend_max, spine_spend.spine_spend_max) as observed_spend_max,
        summary.adstock_half_life_weeks_mean as adstock_half_life_weeks,
        coalesce(registry.adstock_max_lag, {{ default_max_lag }}) as adstock_max_lag,
        coalesce(builtin_outcomes.observed_outcome_weekly, byomm_bases.total_revenue / byomm_bases.n_weeks,
            observed_outcomes.observed_outcome_weekly) as observed_outcome_weekly,
        case
            when builtin_outcomes.observed_outcome_weekly is not null then 'fit decomposition, last reporting weeks'
            when byomm_bases.total_revenue is not null then 'the source''s total revenue over its date range'
            when observed_outcomes.observed_outcome_weekly is not null then 'warehouse outcomes, last reporting weeks'
        end as outcome_basis,
        coalesce(
            builtin_outcomes.base_outcome_weekly,
            case
                when byomm_bases.has_all_contributions
                    then (byomm_bases.total_revenue - byomm_bases.contribution_total) / byomm_bases.n_weeks
            end
        ) as base_outcome_weekly,
        case
            when builtin_outcomes.observed_outcome_weekly is null and byomm_bases.total_revenue is not null
                then curves.date_range_start
            else reporting_windows.reporting_window_start
        end as reporting_window_start,
        case
            when builtin_outcomes.observed_outcome_weekly is null and byomm_bases.total_revenue is not null
                then curves.date_range_end
            else reporting_windows.reporting_window_end
        end as reporting_window_end
    from curves
    left join summary
        on curves.run_id = summary.run_id
        and curves.channel_name = summary.channel
    left join registry on curves.channel_name = registry.channel
    left join spine_spend
        on curves.segment_id = spine_spend.segment_id
        and curves.channel_name = spine_spend.channel
    left join observed_outcomes on curves.segment_id = observed_outcomes.segment_id
    left join builtin_outcomes on curves.run_id = builtin_outcomes.run_id
    left join byomm_bases
        on curves.run_id = byomm_bases.run_id
        and curves.segment_id = byomm_bases.segment_id
    left join reporting_windows on curves.segment_id = reporting_windows.segment_id
)

select * from joined
