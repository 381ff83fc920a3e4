"""The agent views on the demo build: they live in their own schema, answer the documented example
queries, agree with the fit marts, expose no draws or spend rows, and carry grants on Snowflake only."""

from __future__ import annotations

import json
import os
import re
import subprocess

import numpy as np
import pytest

from curvehouse.cli import main
from tests.e2e.conftest import DBT, PROJECT_DIR

pytestmark = pytest.mark.e2e

DOCS = PROJECT_DIR / "models" / "agents" / "_agents__docs.md"
VIEWS = ("agent_saturation_positions", "agent_mmm_context", "agent_recommendations", "agent_alerts")


def example_queries() -> list[str]:
    """The ```sql blocks of the documented example queries, in order."""
    return re.findall(r"```sql\n(.*?)```", DOCS.read_text(), flags=re.S)


def test_the_views_live_in_the_agent_schema(demo_build):
    found = demo_build.query(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_name like 'agent_%' order by table_name"
    )
    assert set(found["table_name"]) >= set(VIEWS)
    assert set(found["table_schema"]) == {"main_agent"} and set(found["table_type"]) == {"VIEW"}


def test_the_documented_example_queries_answer_on_the_demo(demo_build):
    queries = example_queries()
    assert len(queries) == 7
    positions, headroom, stale, context, split, recommendations, alerts = (demo_build.query(q) for q in queries)
    summary = demo_build.query("select * from mmm_channel_summary where is_current")
    assert len(positions) == len(summary) > 0
    ratio = positions["current_weekly_spend"] / positions["saturation_half_point"]
    assert list(ratio) == sorted(ratio, reverse=True)
    assert set(positions["curve_source"]) == {"builtin"}
    assert (positions["marginal_roi_p10"] <= positions["marginal_roi_mean"]).all()
    assert (positions["marginal_roi_mean"] <= positions["marginal_roi_p90"]).all()
    assert (headroom["marginal_roi_mean"] > 1).all() and (headroom["headroom_weekly_spend"] > 0).all()
    assert stale.empty  # the built-in fit ran today: nothing is stale
    assert context["contribution_share"].sum() == pytest.approx(1.0)
    assert set(context["confidence"]) <= {"high", "medium", "low"}
    assert context["roi_prior"].str.startswith("roi ~ mean").all()
    assert split.groupby("segment_id")["share_of_incremental_outcome"].sum().to_numpy() == pytest.approx(1.0)
    assert set(split["channel_group"]) == {"brand", "performance"}
    moves = recommendations[recommendations["recommendation_kind"] == "saturation_audit_move"]
    assert not moves.empty and moves.groupby("segment_id")["weekly_change"].sum().abs().max() < 0.01  # net zero
    assert (recommendations["quarter_change"] == 13 * recommendations["weekly_change"]).all()
    assert recommendations["reason"].str.contains(r"\d").all()  # every reason carries its numbers
    assert set(recommendations["recommendation_kind"]) <= {"saturation_audit_move", "recommended_scenario"}
    deferred = alerts[alerts["alert_kind"] == "channel_deferred"]
    assert set(deferred["channel"]) == {"podcast"}  # the demo's podcast went live 8 weeks ago
    assert alerts["route_to"].notna().all() and (alerts["days_to_due"] >= 0).all()
    assert list(alerts["due_by"]) == sorted(alerts["due_by"])


def test_positions_agree_with_the_fit_marts(demo_build):
    merged = demo_build.query("""
        select p.*, s.current_weekly_spend as s_spend, s.inflection_spend as s_inflection,
               s.half_saturation_spend_mean as s_half, s.max_weekly_spend as s_max
        from main_agent.agent_saturation_positions as p
        inner join mmm_channel_summary as s
            on s.is_current and p.segment_id = s.segment_id and p.channel = s.channel
    """)
    np.testing.assert_allclose(merged["current_weekly_spend"], merged["s_spend"])
    np.testing.assert_allclose(merged["inflection_spend"], merged["s_inflection"])
    np.testing.assert_allclose(merged["saturation_half_point"], merged["s_half"])
    np.testing.assert_allclose(merged["headroom_weekly_spend"], np.maximum(merged["s_max"] - merged["s_spend"], 0))


def test_one_saturation_position_in_the_agent_view_summary_audit_and_report(demo_build, tmp_path, capsys):
    """Every channel of the demo: the same floor-based position (and probability, floor, marginal ROI) in
    the agent view, the channel summary, the saturation audit and the report's markdown for agents."""
    keys = ["segment_id", "channel"]
    audit = demo_build.query("select * from mmm_saturation_audit").set_index(keys).sort_index()
    view = demo_build.query("select * from main_agent.agent_saturation_positions").set_index(keys).sort_index()
    summary = demo_build.query("select * from mmm_channel_summary where is_current").set_index(keys).sort_index()
    assert len(audit) == len(view) == len(summary) > 0 and set(audit["position"]) <= {"pre", "at", "past"}
    for other in (view, summary):
        assert list(other.index) == list(audit.index)
        assert list(other["saturation_position"]) == list(audit["position"])
        np.testing.assert_allclose(other["prob_marginal_roi_above_floor"], audit["prob_marginal_roi_above_floor"])
        np.testing.assert_allclose(other["roi_floor"], audit["roi_floor"])
    np.testing.assert_allclose(view["marginal_roi_mean"], audit["marginal_roi_mean"])
    past = audit["position"] == "past"
    assert (audit.loc[past, "marginal_roi_mean"] < audit.loc[past, "roi_floor"]).all()
    assert (
        audit.loc[audit["position"] == "pre", "marginal_roi_mean"] > audit.loc[audit["position"] == "pre", "roi_floor"]
    ).all()
    context = demo_build.query("select * from main_agent.agent_mmm_context").set_index(keys).sort_index()
    assert list(context["saturation_position"]) == list(audit["position"])

    site = tmp_path / "report"
    assert main(["report", "--duckdb", str(demo_build.db_path), "--out", str(site)]) == 0
    capsys.readouterr()
    text = (site / "markdown" / "recommendations.md").read_text()
    table = text[text.index("## Positions the recommendations start from") :]
    reported = {
        (m[0], m[1]): m[2]
        for m in re.findall(r"^\| (\S+) \| (\S+) \| [^|]+ \| (pre|at|past) \|", table, flags=re.MULTILINE)
    }
    assert reported == dict(zip(audit.index, audit["position"], strict=True))


def test_no_draws_and_no_spend_rows(demo_build):
    for view, key in (
        ("agent_saturation_positions", ["segment_id", "channel"]),
        ("agent_mmm_context", ["segment_id", "channel"]),
        ("agent_recommendations", ["segment_id", "recommendation_kind", "channel"]),
        ("agent_alerts", ["alert_id"]),
    ):
        frame = demo_build.query(f"select * from main_agent.{view}")
        assert not frame.empty, view
        assert not {"draw", "chain", "week_start", "date", "value"} & set(frame.columns), view
        assert not frame.duplicated(key).any(), view  # one row per channel (or alert), never per week or draw


@pytest.fixture(scope="module")
def listed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict]]:
    workdir = tmp_path_factory.mktemp("dbt_ls")
    return {target: _listed(target, workdir / target) for target in ("snowflake", "duckdb")}


def _listed(target: str, workdir) -> dict[str, dict]:
    """Resolved configs of the models and exposures, from dbt's parser (no warehouse connection)."""
    env = {
        **os.environ,
        "CURVEHOUSE_DUCKDB_PATH": "/nonexistent/parse-only.duckdb",
        "SNOWFLAKE_ACCOUNT": "parse_only",
        "SNOWFLAKE_USER": "parse_only",
        "SNOWFLAKE_ROLE": "parse_only",
        "SNOWFLAKE_WAREHOUSE": "parse_only",
        "SNOWFLAKE_DATABASE": "parse_only",
    }
    proc = subprocess.run(
        [
            str(DBT),
            "ls",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR / "profiles"),
            "--target",
            target,
            "--target-path",
            str(workdir),
            "--log-path",
            str(workdir / "logs"),
            "--resource-type",
            "model",
            "--resource-type",
            "exposure",
            "--output",
            "json",
            "--output-keys",
            "name",
            "resource_type",
            "config",
            "depends_on",
            "--quiet",
        ],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    nodes = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {n["name"]: n for n in nodes}


def test_grants_go_to_the_agent_role_on_snowflake_and_are_inert_on_duckdb(listed):
    # A test double for Snowflake: dbt's parser resolves the snowflake target's configs without an
    # account (no connection is opened); the grants themselves need a real account to run.
    snowflake, duckdb = listed["snowflake"], listed["duckdb"]
    for view in VIEWS:
        assert snowflake[view]["config"]["grants"] == {"select": ["CURVEHOUSE_AGENT"]}
        assert snowflake[view]["config"]["schema"] == "agent"
    for table in ("mmm_channel_parameters", "mmm_posterior_draws", "mmm_channel_summary", "mmm_curves"):
        assert snowflake[table]["config"]["grants"] == {"select": ["MARKETING", "FINANCE"]}, table
    for name in (*VIEWS, "mmm_channel_parameters", "mmm_curves"):
        assert duckdb[name]["config"]["grants"] == {"select": []}, name


def test_the_views_are_listed_as_exposures(listed):
    nodes = listed["duckdb"]
    agent = nodes["media_strategy_agent"]
    assert agent["resource_type"] == "exposure"
    assert {f"model.curvehouse.{v}" for v in VIEWS} <= set(agent["depends_on"]["nodes"])
    assert "model.curvehouse.mmm_posterior_draws" in nodes["curvehouse_report"]["depends_on"]["nodes"]
