"""The dbt project's Snowflake SQL executed in fakesnow, an offline Snowflake emulator over DuckDB.

Runs in its own virtual environment (.venv-emulator, scripts/setup-emulator.sh): fakesnow needs
DuckDB 2, the project pins DuckDB 1. The package `curvehouse` imports from the repository root
(pyproject's pytest `pythonpath`) with the light dependencies of its input checks and gate
aggregates (pandas, pyarrow); not JAX, Snowpark or GX.

One session builds the project twice from the same inputs, each in one dbt invocation of every SQL
model, seed and data test (`--exclude path:python_models`):
- in the emulator (`--target snowflake`, fakesnow patching the Snowflake connector in-process),
  the raw tables loaded from data/demo into schema RAW;
- on DuckDB (dbt-duckdb, the default target), reading data/demo as files.
The Python models' tables are stand-ins on both sides, loaded from tests/emulator/fixtures/
(scripts/emulator_fixture.py), since Snowpark cannot run in the emulator.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path

import duckdb
import fakesnow
import pytest
import snowflake.connector
from dbt.cli.main import dbtRunner, dbtRunnerResult

PROJECT_DIR = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
DATABASE = "ANALYTICS"
SCHEMA = "CURVEHOUSE"
ENV = {
    "SNOWFLAKE_ACCOUNT": "emulator",
    "SNOWFLAKE_USER": "builder",
    "SNOWFLAKE_PASSWORD": "unused",
    "SNOWFLAKE_ROLE": "CURVEHOUSE_BUILDER",
    "SNOWFLAKE_WAREHOUSE": "WH",
    "SNOWFLAKE_DATABASE": DATABASE,
    "SNOWFLAKE_SCHEMA": SCHEMA,
}
# Valid Snowflake that fakesnow cannot parse, run as no-ops (docs/snowflake.md, "The emulator"):
# table and column comments (persist_docs), grants, and SQL functions: fakesnow cannot create a SQL
# table function and makes a SQL UDF whose body is a query return the body's text, so the planning
# functions are not created; tests/emulator/test_planning_functions.py runs their bodies instead.
EMULATOR_NOOPS = [
    r"\s*create\s+or\s+replace\s+function\s",
    r"\s*comment\s+on\s",
    r"\s*alter\s+table\s+\S+\s+alter\s[\s\S]*\scomment\s",
    r"\s*grant\s",
    r"\s*revoke\s",
    r"\s*show\s+grants\s",
]
# Every SQL model, seed and data test. Unit tests are left out: dbt-snowflake creates their
# fixtures as temporary tables qualified by database and schema, which fakesnow rejects
# ("TEMPORARY table names can only use the temp catalog"); they run on DuckDB in the main suite.
BUILD = ["build", "--exclude", "path:python_models", "--exclude-resource-type", "unit_test"]


def dbt_options(target: str, workdir: Path) -> list[str]:
    """The options of every dbt invocation here: the project, its profiles, `target`, and `workdir`
    for dbt's target and log folders."""
    return [
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR / "profiles"),
        "--target",
        target,
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
        "--vars",
        "{raw_schema: raw}",
    ]


# A node's statuses that are not failures (exposures and saved queries are no-ops in a build).
SUCCEEDED = ("success", "pass", "no-op")


def failures(result: dbtRunnerResult) -> list[str]:
    """The nodes of a dbt run that did not succeed, with their messages."""
    return [f"{r.node.name}: {r.status}: {r.message}" for r in result.result if r.status not in SUCCEEDED]


def normalized(rows: list[tuple]) -> list[tuple]:
    """Rows in a comparable form, sorted: floats to 9 significant digits, NaN as None, and a
    midnight timestamp as its date (fakesnow can return a TIMESTAMP from DATEADD of a DATE by a
    computed number of days; Snowflake returns a DATE)."""

    def value(v: object) -> object:
        if isinstance(v, Decimal | float):
            f = float(v)
            return None if math.isnan(f) else float(f"{f:.9g}") + 0.0
        if isinstance(v, datetime):
            return v.date() if v.time() == time() and v.tzinfo is None else v.replace(tzinfo=None)
        return v

    return sorted((tuple(value(v) for v in row) for row in rows), key=lambda row: repr(row))


@dataclass
class Emulator:
    """A fakesnow connection to the emulated account and the folder of its dbt runs."""

    connection: snowflake.connector.SnowflakeConnection
    workdir: Path
    build: dbtRunnerResult

    def sql(self, query: str) -> list[tuple]:
        """Execute one statement in the emulator and return its rows."""
        return self.connection.cursor().execute(query).fetchall()

    def dbt(self, *args: str) -> dbtRunnerResult:
        """A dbt invocation against the emulator (`--target snowflake`)."""
        return dbtRunner().invoke([*args, *dbt_options("snowflake", self.workdir)])


def _load(con: duckdb.DuckDBPyConnection, table: str, reader: str, upper: bool) -> None:
    """A table from a DuckDB file reader, column names upper-cased as Snowflake stores them if `upper`."""
    names = [row[0] for row in con.execute(f"describe select * from {reader}").fetchall()]
    columns = ", ".join(f'"{c}" as "{c.upper() if upper else c}"' for c in names)
    con.execute(f"create or replace table {table} as select {columns} from {reader}")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory) -> Iterator[Emulator]:
    """The emulated account after one `dbt build` of every SQL model and data test."""
    workdir = tmp_path_factory.mktemp("emulator")
    (workdir / "db").mkdir()
    with pytest.MonkeyPatch.context() as env, fakesnow.patch(db_path=workdir / "db", nop_regexes=EMULATOR_NOOPS):
        for name, value in ENV.items():
            env.setenv(name, value)
        connection = snowflake.connector.connect(database=DATABASE, schema=SCHEMA)
        connection.cursor().execute(f"create schema if not exists {DATABASE}.RAW")
        # Loading is not under test: the emulator's DuckDB reads the files straight into tables,
        # typed as DuckDB infers them, with upper-case names as Snowflake stores unquoted ones.
        duck = connection._duck_conn
        for path in sorted((PROJECT_DIR / "data" / "demo").glob("*.csv")):
            _load(duck, f'{DATABASE}.RAW."{path.stem.upper()}"', f"read_csv('{path}', header = true)", upper=True)
        for path in sorted(FIXTURES.glob("*.parquet")):
            _load(duck, f'{DATABASE}.{SCHEMA}."{path.stem.upper()}"', f"read_parquet('{path}')", upper=True)
        yield Emulator(connection, workdir, dbtRunner().invoke([*BUILD, *dbt_options("snowflake", workdir)]))
        connection.close()


@dataclass
class DuckDBBuild:
    """The same build on DuckDB: a connection to its file and the nodes that did not succeed."""

    connection: duckdb.DuckDBPyConnection
    failures: list[str]

    def sql(self, query: str) -> list[tuple]:
        """Execute one statement in the DuckDB build and return its rows."""
        return self.connection.execute(query).fetchall()


@pytest.fixture(scope="session")
def duckdb_build(tmp_path_factory) -> Iterator[DuckDBBuild]:
    """The same build on DuckDB (dbt-duckdb) from the same inputs and stand-ins. A separate dbt
    process: dbt-duckdb keeps its connection to the file open for the life of the process."""
    workdir = tmp_path_factory.mktemp("duckdb")
    path = workdir / "curvehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        for fixture in sorted(FIXTURES.glob("*.parquet")):
            _load(con, f"main.{fixture.stem}", f"read_parquet('{fixture}')", upper=False)
    command = [str(Path(sys.executable).with_name("dbt")), *BUILD, *dbt_options("duckdb", workdir)]
    subprocess.run(command, env={**os.environ, "CURVEHOUSE_DUCKDB_PATH": str(path)}, capture_output=True, timeout=600)
    results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    failed = [f"{r['unique_id']}: {r['status']}: {r['message']}" for r in results if r["status"] not in SUCCEEDED]
    with duckdb.connect(str(path), read_only=True) as con:
        yield DuckDBBuild(con, failed)


def pytest_configure(config: pytest.Config) -> None:
    """fakesnow's own advice to its callers (dbt-snowflake's cursor), not the project's."""
    config.addinivalue_line("filterwarnings", "ignore:Arrow output on a DB-API result:UserWarning")
