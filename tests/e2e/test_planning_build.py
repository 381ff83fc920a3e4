"""The planning layer through real `dbt build`s: every planning table for every segment of the demo,
the runtime SQL functions agreeing with the Python curve evaluation, alert rules firing on planted cases,
and the same tables from a BYOMM-only model.

Builds: the shared demo build; a second build on a copy of its database (no refit: the model input is
unchanged) with planted attribution numbers, proposals, a stale BYOMM model, a previous published run
planted in the fit history (flipped control effect, other methodology) and a higher R2 floor; and a
BYOMM-only build (no fit).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from curvehouse.planning.inputs import curve_sets
from tests.e2e.conftest import Build, copy_demo, dbt_build

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXAMPLE = FIXTURES / "byomm" / "design_example.json"
MERIDIAN = FIXTURES / "meridian" / "national_media_export"
NO_BUILTIN_FIT = {"min_history_weeks": 100_000, "gate_policy": "warn"}
PER_SEGMENT_TABLES = (
    "mmm_planning_channels",
    "mmm_planning_curve_draws",
    "mmm_response_surface",
    "mmm_efficient_frontier",
    "mmm_scenarios",
    "mmm_scenario_sensitivity",
    "mmm_saturation_audit",
    "mmm_planning_response_grid",
    "mmm_planning_current_outcome",
)


def acme(segment_id: str, refreshed_at: str) -> str:
    """The DESIGN.md custom JSON example as a model of one segment."""
    document = json.loads(EXAMPLE.read_text())
    document.update(segment_id=segment_id, refreshed_at=refreshed_at)
    return json.dumps(document)


def segments_of(build: Build) -> set[str]:
    return set(build.query("select distinct segment_id from mmm_curves where is_current")["segment_id"])


def curves_of(build: Build):
    return curve_sets(
        build.query("select * from mmm_planning_channels"), build.query("select * from mmm_planning_curve_draws")
    )


# --- the demo build --------------------------------------------------------------------------


def test_every_planning_table_covers_every_segment(demo_build):
    segments = segments_of(demo_build)
    assert segments == {"apac", "emea", "north_america"}
    for table in PER_SEGMENT_TABLES:
        assert set(demo_build.query(f"select distinct segment_id from {table}")["segment_id"]) == segments, table
    scenarios = demo_build.query(
        "select segment_id, count(distinct scenario_id) as n from mmm_response_surface group by 1"
    )
    assert (scenarios["n"] >= 10_000).all()
    levels = demo_build.query(
        "select segment_id, count(distinct budget_level) as n from mmm_efficient_frontier group by 1"
    )
    assert (levels["n"] == 21).all()
    channels = demo_build.query("select * from mmm_planning_channels")
    assert (channels["interval_source"] == "posterior_draws").all()
    assert (channels["spend_upper_bound"] <= channels["observed_spend_max"] + 1e-9).all()


def test_calibration_reproduces_the_observed_outcome(demo_build):
    current = demo_build.query("select * from mmm_planning_current_outcome")
    np.testing.assert_allclose(current["expected_outcome_mean"], current["observed_outcome_weekly"], rtol=1e-9)
    surface = demo_build.query("""
        select surface.segment_id, surface.expected_outcome_mean, channels.observed_outcome_weekly
        from mmm_response_surface as surface
        inner join (select distinct segment_id, observed_outcome_weekly from mmm_planning_channels) as channels
            on surface.segment_id = channels.segment_id
        where surface.mix_kind = 'current' and round(surface.budget_ratio, 2) = 1.0
    """)
    np.testing.assert_allclose(surface["expected_outcome_mean"], surface["observed_outcome_weekly"], rtol=1e-9)
    observed = demo_build.query("""
        select segment_id, avg(value_mean) as actual
        from (select segment_id, week_start, value_mean,
                     dense_rank() over (partition by segment_id order by week_start desc) as back
              from mmm_decomposition_weekly where is_current and component = 'actual')
        where back <= 13 group by 1
    """).set_index("segment_id")["actual"]
    np.testing.assert_allclose(
        current.set_index("segment_id")["observed_outcome_weekly"].sort_index(), observed.sort_index(), rtol=1e-9
    )


def test_frontier_on_the_demo(demo_build):
    frontier = demo_build.query("select * from mmm_efficient_frontier")
    best = frontier[frontier["rank"] == 1].groupby(["segment_id", "budget_level"]).first().reset_index()
    for _, part in best.groupby("segment_id"):
        assert (np.diff(part.sort_values("budget_level")["expected_outcome_mean"]) >= -0.05).all()
    assert (best["expected_outcome_mean"] >= best["current_mix_outcome_mean"] - 0.05).all()
    assert (best["expected_outcome_mean"] >= best["equal_split_outcome_mean"] - 0.05).all()
    assert (frontier["weekly_spend"] >= frontier["spend_lower_bound"] - 1e-9).all()
    assert (frontier["weekly_spend"] <= frontier["spend_upper_bound"] + 1e-9).all()
    cents = (frontier["weekly_spend"] * 100).round().astype(np.int64)
    totals = cents.groupby([frontier["segment_id"], frontier["budget_level"], frontier["rank"]]).sum()
    wanted = (frontier.groupby(["segment_id", "budget_level", "rank"])["total_weekly_budget"].first() * 100).round()
    assert (totals == wanted.astype(np.int64)).all()
    assert (frontier["gap_to_best"] <= 0.01 + 1e-6).all()


def test_scenarios_and_audit_on_the_demo(demo_build):
    scenarios = demo_build.query("select * from mmm_scenarios")
    totals = scenarios.groupby(["segment_id", "scenario"])["weekly_spend"].sum().unstack()
    for name in ("A", "B", "C"):
        np.testing.assert_allclose(totals[name], totals["current"], rtol=1e-12)
    recommended = scenarios[scenarios["is_recommended"]].groupby("segment_id")["scenario"].nunique()
    assert (recommended == 1).all() and len(recommended) == 3
    assert scenarios["delta_vs_current_p10"].le(scenarios["delta_vs_current_p90"]).all()
    audit = demo_build.query("select * from mmm_saturation_audit")
    moves = (audit["recommended_move"] * 100).round().astype(np.int64).groupby(audit["segment_id"]).sum()
    assert (moves == 0).all()
    assert set(audit["position"]) <= {"pre", "at", "past"}
    assert (audit.groupby("segment_id")["is_most_uncertain"].sum() == 1).all()
    # The most uncertain channel's experiment, as the experiments.csv row a team fills in.
    proposed = audit[audit["is_most_uncertain"]]
    assert proposed["proposed_experiment_id"].notna().all() and proposed["proposed_method"].notna().all()
    assert (pd.to_datetime(proposed["proposed_start_date"]).dt.weekday == 0).all()
    assert (proposed["proposed_end_date"] > proposed["proposed_start_date"]).all()
    assert (proposed["expected_lift_p10"] <= proposed["expected_lift_p90"]).all()
    assert audit.loc[~audit["is_most_uncertain"], "proposed_experiment_id"].isna().all()
    sensitivity = demo_build.query("select * from mmm_scenario_sensitivity")
    assert len(sensitivity) == 2 * len(audit)
    flips = sensitivity[sensitivity["flips"]]
    for row in flips.itertuples():
        named = scenarios[scenarios["segment_id"] == row.segment_id]["flipping_assumption"].iloc[0]
        assert f"{row.channel} half-saturation" in named


def test_runtime_sql_functions_match_the_python_curves_between_stored_scenarios(demo_build):
    curves = curves_of(demo_build)["emea"]
    surface = demo_build.query("""
        select scenario_id, channel, weekly_spend from mmm_response_surface
        where segment_id = 'emea' and scenario_id in (4000, 4001) order by scenario_id, channel
    """)
    pair = surface.pivot(index="scenario_id", columns="channel", values="weekly_spend")[list(curves.channels)]
    between = 0.37 * pair.iloc[0].to_numpy() + 0.63 * pair.iloc[1].to_numpy()  # not a stored scenario
    python = curves.outcome(between[None])[0]
    with duckdb.connect(str(demo_build.db_path), read_only=True) as con:
        sql = con.execute("select * from mmm_what_if('emea', ?, ?)", [list(curves.channels), between.tolist()]).df()
        response = con.execute("select mmm_response('emea', 'tv', ?)", [float(between[curves.index("tv")])]).fetchone()[
            0
        ]
        marginal = con.execute("select mmm_marginal_roi('emea', 'tv', 12345.6)").fetchone()[0]
    assert sql["expected_outcome_mean"].iloc[0] == pytest.approx(python.mean(), rel=1e-9)
    assert sql["expected_outcome_p10"].iloc[0] == pytest.approx(np.percentile(python, 10), rel=1e-9)
    assert sql["expected_outcome_p90"].iloc[0] == pytest.approx(np.percentile(python, 90), rel=1e-9)
    assert sql["n_unknown_channels"].iloc[0] == 0
    tv = curves.index("tv")
    assert response == pytest.approx(curves.contributions(between[None])[0, :, tv].mean(), rel=1e-9)
    spend = curves.current_c.copy()
    spend[tv] = 12345.6
    assert marginal == pytest.approx(curves.marginal(spend[None])[0, :, tv].mean(), rel=1e-9)
    grid = demo_build.query("select * from mmm_planning_response_grid where segment_id = 'emea' and channel = 'tv'")
    point = grid[grid["point_index"] == 17].iloc[0]
    spend[tv] = point["weekly_spend"]
    assert point["marginal_roi_mean"] == pytest.approx(curves.marginal(spend[None])[0, :, tv].mean(), rel=1e-9)


def test_demo_proposals_and_standing_alerts(demo_build):
    proposals = demo_build.query("select * from mmm_reallocation_proposals order by segment_id")
    assert proposals["segment_id"].tolist() == ["emea", "north_america"]
    assert proposals["expected_lift_mean"].notna().all()
    assert (proposals["expected_lift_p10"] <= proposals["expected_lift_p90"]).all()
    alerts = demo_build.query("select * from mmm_alerts")
    proposal = alerts[alerts["alert_kind"] == "reallocation_proposal"]
    assert proposal["segment_id"].tolist() == ["north_america"]  # 15,000 above the 10,000 threshold; 4,000 is not
    assert "expected weekly lift" in proposal["message"].iloc[0]
    deferred = alerts[alerts["alert_kind"] == "channel_deferred"]
    assert set(deferred["channel"]) == {"podcast"} and (deferred["route_to"] == "analytics_engineer").all()
    agreement = demo_build.query("select * from mmm_attribution_agreement")
    assert {"mmm_contribution", "attributed_revenue"} <= set(agreement.columns) and len(agreement) > 0


# --- planted alerts --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted(demo_build, tmp_path_factory) -> Build:
    workdir = tmp_path_factory.mktemp("planning_planted")
    db_path = workdir / "curvehouse.duckdb"
    shutil.copy(demo_build.db_path, db_path)
    with duckdb.connect(str(db_path)) as con:
        # A previous published run of emea: its control effects of the opposite sign, another adstock lag.
        con.execute("""
            create temp table previous as
            select * from fit_segments
            where artifact in ('run', 'parameter')
                and run_id = (select run_id from mmm_model_runs where segment_id = 'emea' and is_current)
        """)
        con.execute("update previous set run_id = 'planted_previous'")
        con.execute("update previous set mean = -mean where artifact = 'parameter' and parameter = 'gamma'")
        con.execute("update previous set details = '2026-01-05 00:00:00' where parameter = 'refreshed_at'")
        con.execute("update previous set details = 'planted00000' where parameter = 'methodology_version'")
        con.execute("""update previous set details = replace(details, '"adstock_max_lag": 8', '"adstock_max_lag": 6')
                       where parameter = 'methodology'""")
        con.execute("insert into fit_segments select * from previous")
        monthly = con.sql("select segment_id, month, channel, mmm_contribution from mmm_attribution_agreement").df()
    raw = copy_demo(workdir / "raw")
    # Attribution equal to the MMM, except emea tv 60% above it in the last two months and apac display
    # 35% above it in the last month only.
    last = monthly["month"].max()
    previous_month = sorted(monthly["month"].unique())[-2]
    factor = np.ones(len(monthly))
    factor[
        (monthly["segment_id"] == "emea") & (monthly["channel"] == "tv") & monthly["month"].isin([last, previous_month])
    ] = 1.6
    factor[(monthly["segment_id"] == "apac") & (monthly["channel"] == "display") & (monthly["month"] == last)] = 1.35
    attribution = monthly.assign(
        attributed_revenue=(monthly["mmm_contribution"] * factor).round(2),
        month=pd.to_datetime(monthly["month"]).dt.strftime("%Y-%m-%d"),
    )
    attribution[["month", "segment_id", "channel", "attributed_revenue"]].to_csv(raw / "attribution.csv", index=False)
    (raw / "reallocation_proposals.csv").write_text(
        "date,segment_id,channel_from,channel_to,weekly_amount,proposed_by\n"
        "2026-11-20,emea,ooh,paid_search,25000,cfo office\n"
        "2026-11-20,apac,tv,display,3000,media team\n"
    )
    landing = workdir / "landing"
    landing.mkdir()
    (landing / "acme.json").write_text(acme("emea", "2025-01-15T09:30:00Z"))
    build = dbt_build(
        workdir,
        raw_data_path=raw,
        db_path=db_path,
        byomm_path=str(landing),
        planning={"r2_floor": 0.95, "channel_bounds": [{"channel": "tv", "segment_id": "emea", "locked": 30_000}]},
    )
    assert build.returncode == 0, build.output[-5000:]
    assert "fitting" not in build.output  # no refit: the model input did not change
    return build


def test_planted_alerts_fire(planted):
    alerts = planted.query("select * from mmm_alerts")
    kinds = alerts.groupby("alert_kind")

    flips = kinds.get_group("sign_flip")
    assert set(flips["segment_id"]) == {"emea"} and "planted_previous" in flips["message"].iloc[0]
    assert set(flips["channel"]) == set(
        planted.query(
            "select control_name from mmm_channel_parameters where parameter = 'gamma' and segment_id = 'emea' "
            "and is_current"
        )["control_name"]
    )

    change = kinds.get_group("methodology_change")
    assert "adstock_max_lag: 6 -> 8" in change["message"].iloc[0]

    low = kinds.get_group("low_fit_quality")
    runs = planted.query("select segment_id, r2_in_sample from mmm_model_runs where is_current")
    assert set(low["segment_id"]) == set(runs.loc[runs["r2_in_sample"] < 0.95, "segment_id"]) and len(low) > 0

    disagreement = kinds.get_group("attribution_disagreement").set_index(["segment_id", "channel"])
    assert disagreement.loc[("emea", "tv"), "severity"] == "critical"
    assert "2 months in a row" in disagreement.loc[("emea", "tv"), "message"]
    assert disagreement.loc[("apac", "display"), "severity"] == "warning"
    assert len(disagreement) == 2  # every other channel and month agrees

    stale = kinds.get_group("stale_curves")
    assert stale["segment_id"].tolist() == ["emea"] and stale["observed_value"].iloc[0] == 676

    proposal = kinds.get_group("reallocation_proposal")
    assert proposal["segment_id"].tolist() == ["emea"] and "25,000" in proposal["message"].iloc[0]
    assert (proposal["route_to"] == "budget_owner").all()
    assert (alerts["due_by"] >= alerts["raised_on"]).all()


def test_locked_channel_holds_in_every_allocation(planted):
    frontier = planted.query("select * from mmm_efficient_frontier where segment_id = 'emea' and channel = 'tv'")
    assert (frontier["weekly_spend"] == 30_000).all()
    channels = planted.query("select * from mmm_planning_channels where segment_id = 'emea' and channel = 'tv'")
    assert channels["is_locked"].iloc[0] and "locked at 30,000.00" in channels["bound_note"].iloc[0]


# --- BYOMM only ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def byomm_only(tmp_path_factory) -> Build:
    workdir = tmp_path_factory.mktemp("planning_byomm")
    landing = workdir / "landing"
    landing.mkdir()
    (landing / "acme.json").write_text(acme("emea", "2026-11-01T00:00:00Z"))
    shutil.copytree(MERIDIAN, landing / "meridian_national")
    build = dbt_build(workdir, byomm_path=str(landing), **NO_BUILTIN_FIT)
    assert build.returncode == 0, build.output[-5000:]
    return build


def test_planning_builds_from_a_byomm_only_model(byomm_only):
    assert byomm_only.query("select count(*) as n from mmm_model_runs")["n"].iloc[0] == 0
    segments = segments_of(byomm_only)
    assert segments == {"emea", "total"}
    for table in PER_SEGMENT_TABLES:
        assert set(byomm_only.query(f"select distinct segment_id from {table}")["segment_id"]) == segments, table
    sources = byomm_only.query("select distinct segment_id, source, interval_source from mmm_planning_channels")
    by_segment = sources.set_index("segment_id")
    # The custom JSON states a contribution interval only; Meridian exports parameter intervals.
    assert by_segment.loc["emea", "interval_source"] == "contribution_interval"
    assert by_segment.loc["total", "interval_source"] == "curve_interval"
    scenarios = byomm_only.query("select * from mmm_scenarios")
    totals = scenarios.groupby(["segment_id", "scenario"])["weekly_spend"].sum().unstack()
    np.testing.assert_allclose(totals["A"], totals["current"], rtol=1e-12)
    agreement = byomm_only.query("select * from mmm_attribution_agreement")
    assert set(agreement["mmm_basis"]) == {"curve_at_weekly_spend"} and set(agreement["segment_id"]) == {"emea"}
    curves = curves_of(byomm_only)["total"]
    with duckdb.connect(str(byomm_only.db_path), read_only=True) as con:
        sql = con.execute(
            "select * from mmm_what_if('total', ?, ?)", [list(curves.channels), curves.current_c.tolist()]
        ).df()
    assert sql["incremental_outcome_mean"].iloc[0] == pytest.approx(
        curves.incremental(curves.current_c[None]).mean(), rel=1e-9
    )
