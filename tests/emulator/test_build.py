"""Every SQL model, seed and data test of the project built in the Snowflake emulator, row for row
the same as the DuckDB build of the same inputs."""

from __future__ import annotations

import json

from tests.emulator.conftest import DuckDBBuild, Emulator, failures, normalized

# Marts and agent views that read the Python models' tables (stand-ins here) and are published.
DOWNSTREAM_OF_PYTHON = [
    "mmm_model_runs",
    "mmm_channel_summary",
    "mmm_posterior_draws",
    "mmm_curves",
    "mmm_planning_channels",
    "mmm_scenarios",
    "mmm_alerts",
    "agent_saturation_positions",
    "agent_recommendations",
]


def _models(emulator: Emulator, duckdb_build: DuckDBBuild) -> dict[str, tuple[str, str]]:
    """SQL model name -> (its relation in the emulator, its relation in the DuckDB build)."""
    manifest = json.loads((emulator.workdir / "target" / "manifest.json").read_text())
    nodes = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["language"] == "sql"]
    duckdb_schemas = dict(duckdb_build.sql("select table_name, table_schema from information_schema.tables"))
    return {n["name"]: (n["relation_name"], f'"{duckdb_schemas[n["name"]]}"."{n["name"]}"') for n in nodes}


def test_every_sql_model_and_data_test_builds_in_the_emulator(emulator):
    statuses = {r.node.name: r.status for r in emulator.build.result}
    assert failures(emulator.build) == []
    assert all(statuses[name] == "success" for name in DOWNSTREAM_OF_PYTHON)
    assert sum(status == "pass" for status in statuses.values()) > 200  # the data tests ran


def test_the_duckdb_build_of_the_same_inputs_passes(duckdb_build):
    assert duckdb_build.failures == []


def test_every_sql_model_has_the_duckdb_builds_rows(emulator, duckdb_build):
    models = _models(emulator, duckdb_build)
    assert len(models) > 60
    different = []
    for name, (snowflake_relation, duckdb_relation) in sorted(models.items()):
        emulated = emulator.connection.cursor().execute(f"select * from {snowflake_relation}")
        columns = [d[0].lower() for d in emulated.description]
        rows = emulated.fetchall()
        expected = duckdb_build.connection.execute(f"select * from {duckdb_relation}")
        if columns != [d[0].lower() for d in expected.description]:
            different.append(f"{name}: columns {columns}")
        elif normalized(rows) != normalized(expected.fetchall()):
            different.append(f"{name}: {len(rows)} rows differ")
    assert different == []
