"""dbt governance on the demo build (docs/dbt.md): a grain test on every mart and agent view, run_ids
tested against the tables they live in, allowed values taken from the code, every
model and column documented (the descriptions reach the warehouse as comments), groups and access,
the cadence selectors, and a planted duplicate row and orphan run that the tests catch."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.e2e.conftest import DEMO_DATA, PROJECT_DIR, dbt_command

pytestmark = pytest.mark.e2e

# The marts issue 21 names, with their documented grain.
NAMED_GRAINS = {
    "mmm_channel_summary": ["run_id", "channel"],
    "mmm_channel_parameters": ["run_id", "parameter", "channel", "control_name"],
    "mmm_saturation_curves": ["run_id", "channel", "point_index"],
    "mmm_decomposition_weekly": ["run_id", "week_start", "component"],
    "mmm_posterior_draws": ["run_id", "draw_kind", "chain", "draw", "parameter", "channel", "control_name"],
}
RUN_TABLES = {"ref('mmm_model_runs')", "ref('mmm_curves')", "ref('int_curves_byomm')"}
# Python models published one to one through a contracted mart (select * from the Python model,
# typed by contract_select): their columns are documented once, on the mart.
PUBLISHED_THROUGH = {
    "planning_channels": "mmm_planning_channels",
    "planning_curve_draws": "mmm_planning_curve_draws",
    "planning_surface": "mmm_response_surface",
    "planning_frontier": "mmm_efficient_frontier",
    "planning_scenarios": "mmm_scenarios",
    "planning_scenario_sensitivity": "mmm_scenario_sensitivity",
    "planning_audit": "mmm_saturation_audit",
    "planning_proposals": "mmm_reallocation_proposals",
    "planning_agreement": "mmm_attribution_agreement",
    "planning_alerts": "mmm_alerts",
}


@pytest.fixture(scope="module")
def manifest(demo_build) -> dict:
    return json.loads((demo_build.target_dir / "manifest.json").read_text())


def models(manifest: dict) -> dict[str, dict]:
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def published(manifest: dict) -> list[str]:
    """Marts and agent views: the models other projects and agents read."""
    return sorted(name for name, n in models(manifest).items() if n["path"].startswith(("marts/", "agents/")))


def attached_tests(manifest: dict, model: str, kind: str) -> list[dict]:
    """The generic tests of one kind attached to a model."""
    return [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test"
        and n.get("attached_node") == f"model.curvehouse.{model}"
        and n.get("test_metadata", {}).get("name") == kind
    ]


def grain_columns(manifest: dict, model: str) -> list[list[str]]:
    """Each grain test of the model as its column list: unique_combination_of_columns, or unique on
    one plain column (an expression such as a concatenated key is not a grain test)."""
    combos = [
        t["test_metadata"]["kwargs"]["combination_of_columns"]
        for t in attached_tests(manifest, model, "unique_combination_of_columns")
    ]
    singles = [
        [t["column_name"]] for t in attached_tests(manifest, model, "unique") if re.fullmatch(r"\w+", t["column_name"])
    ]
    return combos + singles


def relationships(manifest: dict, model: str, column: str) -> list[tuple[str, str | None]]:
    """(to, where) of each relationships test on the column."""
    return [
        (t["test_metadata"]["kwargs"]["to"], t["config"].get("where"))
        for t in attached_tests(manifest, model, "relationships")
        if t["column_name"] == column
    ]


def python_literal(module: str, name: str):
    """A module-level literal read from the source, without importing the module."""
    for node in ast.parse((PROJECT_DIR / module).read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{module} defines no literal {name}")


def test_every_mart_and_agent_view_has_a_grain_test(manifest):
    marts = published(manifest)
    assert len(marts) >= 30 and {"mmm_curves", "agent_alerts", "mmm_response_surface"} <= set(marts)
    assert [m for m in marts if not grain_columns(manifest, m)] == []
    assert {m: grain_columns(manifest, m) for m in NAMED_GRAINS} == {m: [g] for m, g in NAMED_GRAINS.items()}
    # no grain is tested as a concatenated expression any more (nulls hid rows from it)
    concatenated = [t["name"] for m in marts for t in attached_tests(manifest, m, "unique") if "||" in t["column_name"]]
    assert concatenated == []


def test_the_grain_and_key_tests_ran_and_passed_on_the_demo(demo_build, manifest):
    results = json.loads((demo_build.target_dir / "run_results.json").read_text())["results"]
    status = {r["unique_id"]: r["status"] for r in results}
    kinds = ("unique_combination_of_columns", "relationships", "accepted_values")
    ran = [n["unique_id"] for n in manifest["nodes"].values() if n.get("test_metadata", {}).get("name") in kinds]
    assert len(ran) >= 90
    assert {t: status.get(t) for t in ran if status.get(t) != "pass"} == {}


def test_every_run_id_is_tested_against_the_table_its_runs_live_in(manifest):
    nodes = models(manifest)
    with_runs = [m for m in published(manifest) if "run_id" in nodes[m]["columns"] and m != "mmm_model_runs"]
    assert len(with_runs) >= 20
    assert [m for m in with_runs if not relationships(manifest, m, "run_id")] == []
    assert {to for m in with_runs for to, _ in relationships(manifest, m, "run_id")} == RUN_TABLES
    # the fit marts hold built-in runs only: every row points at mmm_model_runs, unfiltered
    fit_marts = [m for m in with_runs if nodes[m]["path"].startswith("marts/fit/")]
    assert len(fit_marts) == 8
    assert {m: relationships(manifest, m, "run_id") for m in fit_marts} == {
        m: [("ref('mmm_model_runs')", None)] for m in fit_marts
    }
    # the alerts hold both, by kind: each kind that carries a run is routed to exactly one table
    (kinds,) = [
        set(t["test_metadata"]["kwargs"]["values"])
        for t in attached_tests(manifest, "mmm_alerts", "accepted_values")
        if t["column_name"] == "alert_kind"
    ]
    routed = {to: set(re.findall(r"'(\w+)'", where)) for to, where in relationships(manifest, "mmm_alerts", "run_id")}
    assert set(routed) == {"ref('mmm_model_runs')", "ref('mmm_curves')"}
    assert routed["ref('mmm_model_runs')"].isdisjoint(routed["ref('mmm_curves')"])
    assert set.union(*routed.values(), {"gate_failure", "channel_deferred"}) == kinds
    assert sorted(relationships(manifest, "agent_alerts", "run_id")) == sorted(
        relationships(manifest, "mmm_alerts", "run_id")
    )
    # mmm_curves holds both: built-in versions are runs, BYOMM versions are loads
    assert sorted(relationships(manifest, "mmm_curves", "run_id")) == [
        ("ref('int_curves_byomm')", "source <> 'builtin'"),
        ("ref('mmm_model_runs')", "source = 'builtin'"),
    ]


def test_status_source_severity_and_position_columns_allow_what_the_code_writes(manifest):
    nodes = models(manifest)
    named = {"status", "run_status", "source", "curve_source", "severity", "saturation_position", "position"}
    allowed = {
        (m, t["column_name"]): set(t["test_metadata"]["kwargs"]["values"])
        for m in nodes
        for t in attached_tests(manifest, m, "accepted_values")
        if t["column_name"] in named
    }
    columns = {(m, c) for m in published(manifest) for c in nodes[m]["columns"] if c in named}
    assert len(columns) >= 15 and columns - set(allowed) == set()
    constants = "curvehouse/constants.py"
    statuses = {python_literal(constants, "STATUS_PUBLISHED"), python_literal(constants, "STATUS_REJECTED")}
    builtin = python_literal(constants, "SOURCE_BUILTIN")
    formats = set(python_literal("curvehouse/byomm/detect.py", "FORMATS"))
    for (model, column), values in allowed.items():
        if column in ("status", "run_status") and model != "raw_input_checks":
            assert values == statuses, (model, column)
        elif column in ("source", "curve_source") and model != "mmm_model_runs":
            assert values in ({builtin, *formats}, formats, {builtin}), (model, column)
        elif column in ("saturation_position", "position"):
            assert values == {"pre", "at", "past"}, (model, column)
    assert allowed[("mmm_curves", "source")] == {builtin, *formats}
    assert allowed[("int_curves_byomm", "source")] == formats
    assert (
        allowed[("mmm_alerts", "severity")] == allowed[("agent_alerts", "severity")] == {"info", "warning", "critical"}
    )


def test_every_model_and_every_column_it_builds_is_documented(demo_build, manifest):
    nodes = models(manifest)
    assert len(nodes) >= 80
    assert [m for m, n in nodes.items() if not n["description"].strip()] == []
    assert [(m, c) for m, n in nodes.items() for c, col in n["columns"].items() if not col["description"].strip()] == []
    built = demo_build.query("select table_schema, table_name, column_name from information_schema.columns")

    def columns(name: str) -> list[str]:
        node = nodes[name]
        found = built[(built["table_schema"] == node["schema"]) & (built["table_name"] == node["alias"])]
        assert len(found) > 0, name
        return sorted(found["column_name"].str.lower())

    undocumented = {
        name: missing
        for name in nodes
        if name not in PUBLISHED_THROUGH and (missing := sorted(set(columns(name)) - set(nodes[name]["columns"])))
    }
    assert undocumented == {}
    for python_model, mart in PUBLISHED_THROUGH.items():
        sql = (PROJECT_DIR / nodes[mart]["original_file_path"]).read_text()
        assert f"select * from {{{{ ref('{python_model}') }}}}" in sql and nodes[mart]["contract"]["enforced"]
        assert columns(python_model) == columns(mart), python_model


def test_descriptions_reach_the_warehouse_as_comments(demo_build, manifest):
    nodes = models(manifest)
    tables = demo_build.query(
        "select table_name as name, comment from duckdb_tables() union all "
        "select view_name, comment from duckdb_views() where not internal"
    ).set_index("name")["comment"]
    for model in ("mmm_channel_summary", "mmm_curves", "agent_alerts", "mmm_planning_response_grid"):
        assert tables[model] == nodes[model]["description"], model
    columns = demo_build.query(
        "select column_name, comment from duckdb_columns() where table_name = 'mmm_channel_summary'"
    ).set_index("column_name")["comment"]
    assert (
        columns["saturation_position"] == nodes["mmm_channel_summary"]["columns"]["saturation_position"]["description"]
    )
    assert columns.notna().all()
    assert pd.isna(tables["int_channel_summary_pivoted"])  # persist_docs is for the marts and agent views


def test_groups_own_every_model_and_access_follows_the_layers(manifest):
    nodes = models(manifest)
    groups = {g["name"]: g for g in manifest["groups"].values()}
    assert set(groups) == {"spine", "fit", "curves", "planning", "agents", "semantic"}
    assert all(g["owner"]["name"] for g in groups.values())
    assert {m: n["group"] for m, n in nodes.items() if n["group"] not in groups} == {}
    for name, node in nodes.items():
        if node["path"].startswith(("marts/", "agents/", "semantic/")):
            assert node["access"] == "public", name
        elif node["path"].startswith("staging/"):
            assert node["access"] == "protected", name
        else:
            assert node["access"] in ("private", "protected"), name
    # protected only where another group reads the model; private everywhere else
    readers = {name: set() for name in nodes}
    for node in nodes.values():
        for parent in node["depends_on"]["nodes"]:
            if parent.startswith("model.curvehouse."):
                readers[parent.removeprefix("model.curvehouse.")].add(node["group"])
    shared = {
        name
        for name, node in nodes.items()
        if not node["path"].startswith(("marts/", "agents/", "semantic/", "staging/"))
        and readers[name] - {node["group"]}
    }
    protected = {
        name
        for name, node in nodes.items()
        if node["access"] == "protected" and not node["path"].startswith("staging/")
    }
    assert protected == shared and "int_channel_summary_pivoted" in shared


def dbt_ls(tmp_path: Path, selector: str, resource_type: str = "model") -> set[str]:
    command, env = dbt_command(tmp_path, DEMO_DATA, tmp_path / "ls.duckdb", {})
    command[1] = "ls"
    command += ["--selector", selector, "--resource-type", resource_type, "--output", "name", "--quiet"]
    proc = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return set(proc.stdout.split())


def test_the_selectors_split_the_project_by_cadence(tmp_path, manifest):
    weekly, monthly = dbt_ls(tmp_path, "weekly_data_checks"), dbt_ls(tmp_path, "monthly_refresh")
    assert "fit_segments" not in weekly and "fit_segments" in monthly
    assert {
        "raw_input_checks",
        "gate_segments",
        "gate_policy",
        "mmm_gate_results",
        "int_segments_cleared_for_fit",
    } <= weekly
    assert {"mmm_model_runs", "mmm_curves", "byomm_ingest", "mmm_response_surface", "agent_alerts"} <= monthly
    assert weekly & monthly == set()
    assert weekly | monthly == set(models(manifest))
    # the weekly job runs no test that reads a model only the monthly job builds
    weekly_tests = dbt_ls(tmp_path, "weekly_data_checks", "test")
    assert any("mmm_channel_deferrals" in t for t in weekly_tests)
    assert not any("mmm_channel_summary" in t for t in weekly_tests)


def test_a_duplicate_row_and_an_orphan_run_fail_their_tests(demo_build, tmp_path):
    planted = tmp_path / "planted.duckdb"
    shutil.copy(demo_build.db_path, planted)
    wal = demo_build.db_path.with_name(demo_build.db_path.name + ".wal")
    if wal.exists():
        shutil.copy(wal, tmp_path / "planted.duckdb.wal")
    with duckdb.connect(str(planted)) as con:
        con.execute("insert into mmm_channel_summary select * from mmm_channel_summary limit 1")
        con.execute("insert into mmm_backtests select * replace ('no_such_run' as run_id) from mmm_backtests limit 1")
    command, env = dbt_command(tmp_path, DEMO_DATA, planted, {})
    command[1] = "test"
    command += ["--select", "mmm_channel_summary", "mmm_backtests"]
    proc = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "Failure in test unique_combination_of_columns_mmm_channel_summary_run_id__channel" in output
    assert "Failure in test relationships_mmm_backtests_run_id__run_id__ref_mmm_model_runs_" in output
    assert re.search(r"Done\. PASS=\d+ WARN=0 ERROR=2 ", output), output[-3000:]
