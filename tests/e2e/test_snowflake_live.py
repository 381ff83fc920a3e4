"""The real thing on a real Snowflake account: land the demo as raw tables, `dbt build --target
snowflake` with tiny fits, and read the published tables back. Skipped unless SNOWFLAKE_ACCOUNT,
SNOWFLAKE_USER, SNOWFLAKE_PASSWORD, SNOWFLAKE_ROLE, SNOWFLAKE_WAREHOUSE and SNOWFLAKE_DATABASE are
set (docs/snowflake.md lists the grants, the stage with the curvehouse code and the
packages it needs). This is the only test of the UDTF fan-out in Snowflake partitions and of GX's
SQL data source against Snowflake; nothing here is simulated.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import pandas as pd
import pytest

from tests.e2e.conftest import DBT, DEMO_DATA, PROJECT_DIR, SMALL_FIT

NEEDED = ("ACCOUNT", "USER", "PASSWORD", "ROLE", "WAREHOUSE", "DATABASE")
MISSING = [f"SNOWFLAKE_{k}" for k in NEEDED if not os.environ.get(f"SNOWFLAKE_{k}")]

pytestmark = [
    pytest.mark.snowflake,
    pytest.mark.e2e,
    pytest.mark.skipif(
        bool(MISSING), reason=f"no Snowflake credentials in the environment ({', '.join(MISSING)} unset)"
    ),
]
RAW_TABLES = ("channel_registry", "channel_spend", "platform_spend", "outcomes", "controls")


@pytest.fixture(scope="module")
def session():
    from snowflake.snowpark import Session

    s = Session.builder.configs({k.lower(): os.environ[f"SNOWFLAKE_{k}"] for k in NEEDED}).create()
    yield s
    s.close()


@pytest.fixture(scope="module")
def build(session, tmp_path_factory):
    run = uuid.uuid4().hex[:8].upper()
    raw_schema, schema = f"CURVEHOUSE_TEST_RAW_{run}", f"CURVEHOUSE_TEST_{run}"
    session.sql(f"create schema if not exists {raw_schema}").collect()
    for table in RAW_TABLES:
        frame = pd.read_csv(DEMO_DATA / f"{table}.csv", dtype=str).rename(columns=str.upper)
        session.write_pandas(frame, table.upper(), schema=raw_schema, auto_create_table=True, overwrite=True)
    workdir = tmp_path_factory.mktemp("snowflake_live")
    command = [
        str(DBT),
        "build",
        "--target",
        "snowflake",
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR / "profiles"),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
        "--vars",
        json.dumps({"raw_schema": raw_schema, "mmm": SMALL_FIT, "as_of_date": "2026-11-22"}),
    ]
    proc = subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env={**os.environ, "SNOWFLAKE_SCHEMA": schema},
        capture_output=True,
        text=True,
        timeout=3600,
    )
    yield proc, schema
    for name in (schema, raw_schema):
        session.sql(f"drop schema if exists {name} cascade").collect()


def test_the_build_succeeds_on_snowflake(build):
    proc, _ = build
    assert proc.returncode == 0, proc.stdout[-6000:]


def test_every_cleared_segment_has_a_current_published_run(build, session):
    _, schema = build
    runs = session.table(f"{schema}.MMM_MODEL_RUNS").to_pandas()
    current = runs[runs["IS_CURRENT"]]
    assert set(current["SEGMENT_ID"]) == set(runs["SEGMENT_ID"])
    assert (current["STATUS"] == "published").all()


def test_gates_ran_as_sql_with_results_per_segment(build, session):
    _, schema = build
    gates = session.table(f"{schema}.MMM_GATE_RESULTS").to_pandas()
    assert {"platform_gap", "history"} <= set(gates["GATE"]) and gates["SUCCESS"].any()
