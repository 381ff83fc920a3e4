"""`curvehouse report --target snowflake` reads the tables through the dbt profile's snowflake target
and renders the same report as from DuckDB.

No Snowflake account is reachable here, so the connection is a stand-in: `snowflake.connector.connect`
is replaced by a DuckDB file holding the demo build's tables as Snowflake stores them (schemas
CURVEHOUSE and CURVEHOUSE_AGENT, upper-case table and column names), behind the DB-API calls the
reader makes (cursor, execute with %s parameters, fetchone, fetch_pandas_all). What it cannot cover:
authentication, Snowflake's information_schema and type mapping, and network failures
(tests/e2e/test_snowflake_live.py, credentials-gated).
"""

from __future__ import annotations

import re

import duckdb
import pytest

from curvehouse.cli import main
from tests.e2e.conftest import PROJECT_DIR

pytestmark = pytest.mark.e2e

snowflake_connector = pytest.importorskip("snowflake.connector", reason="the snowflake extra is not installed")

SCHEMAS = {"main": "CURVEHOUSE", "main_agent": "CURVEHOUSE_AGENT"}  # DuckDB's schema -> Snowflake's


class _Cursor:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, params: tuple = ()) -> _Cursor:
        self._con.execute(sql.replace("%s", "?"), list(params))
        return self

    def fetchone(self) -> tuple:
        return self._con.fetchone()

    def fetch_pandas_all(self):
        return self._con.df()


class StandIn:
    """The subset of a snowflake-connector-python connection the report reader uses, over DuckDB."""

    def __init__(self, path: str) -> None:
        self._con = duckdb.connect(path, read_only=True)

    def cursor(self) -> _Cursor:
        return _Cursor(self._con)

    def close(self) -> None:
        self._con.close()


@pytest.fixture(scope="module")
def as_snowflake(demo_build, tmp_path_factory):
    """The demo build's tables as Snowflake holds them, in a DuckDB file."""
    path = tmp_path_factory.mktemp("snowflake") / "standin.duckdb"
    with duckdb.connect(str(path)) as target:
        catalog = demo_build.db_path.stem  # the build's views name their catalog
        target.execute(f"attach '{demo_build.db_path}' as \"{catalog}\" (read_only)")
        columns = target.execute(
            "select table_schema, table_name, list(column_name order by ordinal_position) "
            "from information_schema.columns where table_catalog = ? and list_contains(?, table_schema) group by all",
            [catalog, list(SCHEMAS)],
        ).fetchall()
        for schema in SCHEMAS.values():
            target.execute(f'create schema standin."{schema}"')
        for schema, name, names in columns:
            upper = ", ".join(f'"{c}" as "{c.upper()}"' for c in names)
            source = f'"{catalog}"."{schema}"."{name}"'
            target.execute(f'create table standin."{SCHEMAS[schema]}"."{name.upper()}" as select {upper} from {source}')
        target.execute(f'detach "{catalog}"')
    return path


def test_the_report_renders_from_a_snowflake_profile(demo_build, as_snowflake, tmp_path, monkeypatch):
    calls = []

    def connect(**kwargs):
        calls.append(kwargs)
        return StandIn(str(as_snowflake))

    monkeypatch.setattr(snowflake_connector, "connect", connect)
    env = {"SNOWFLAKE_ACCOUNT": "acme-xy123", "SNOWFLAKE_USER": "builder", "SNOWFLAKE_ROLE": "CURVEHOUSE_BUILDER"}
    env |= {"SNOWFLAKE_WAREHOUSE": "WH", "SNOWFLAKE_DATABASE": "ANALYTICS", "SNOWFLAKE_SCHEMA": "CURVEHOUSE"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SNOWFLAKE_PASSWORD", raising=False)
    profiles = str(PROJECT_DIR / "profiles")
    out = tmp_path / "snowflake_report"
    assert main(["report", "--target", "snowflake", "--profiles-dir", profiles, "--out", str(out)]) == 0
    assert calls == [
        {
            "account": "acme-xy123",
            "user": "builder",
            "authenticator": "snowflake",
            "role": "CURVEHOUSE_BUILDER",
            "warehouse": "WH",
            "database": "ANALYTICS",
            "schema": "CURVEHOUSE",
        }
    ]  # the profile's settings, the empty password left out

    local = tmp_path / "duckdb_report"
    assert main(["report", "--duckdb", str(demo_build.db_path), "--out", str(local)]) == 0
    names = sorted(p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    for name in names:
        if name.endswith((".md", ".html")):
            strip = lambda text: re.sub(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", "", text)  # noqa: E731
            assert strip((out / name).read_text()) == strip((local / name).read_text()), name


def test_a_missing_environment_variable_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SNOWFLAKE_ACCOUNT", raising=False)
    profiles = str(PROJECT_DIR / "profiles")
    assert main(["report", "--target", "snowflake", "--profiles-dir", profiles, "--out", str(tmp_path)]) == 2
    assert "SNOWFLAKE_ACCOUNT" in capsys.readouterr().err
