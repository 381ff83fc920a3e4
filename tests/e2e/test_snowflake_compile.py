"""`dbt parse` and `dbt compile --target snowflake` with placeholder credentials, as CI runs them.

No Snowflake account is reachable here, so compile runs without introspection
(`--no-introspect --no-populate-cache`): dbt renders every model for Snowflake without a
connection (macros/is_incremental.sql answers "not incremental" then). What it proves: every
model, macro and Python model compiles for Snowflake, adapter-dispatched macros pick their
Snowflake SQL, and no DuckDB-only construct is left in the compiled SQL. Whether Snowflake then
accepts the SQL is the credentials-gated test's job (tests/e2e/test_snowflake_live.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import DBT, PROJECT_DIR

PLACEHOLDER_ENV = {
    f"SNOWFLAKE_{k}": "placeholder" for k in ("ACCOUNT", "USER", "PASSWORD", "ROLE", "WAREHOUSE", "DATABASE")
}
# DuckDB-only SQL that must not reach Snowflake (each was in a macro or model before dispatch).
DUCKDB_ONLY = {
    "to_days(": "DuckDB interval constructor (date arithmetic)",
    "range(0,": "DuckDB range() table function (week series)",
    "read_csv(": "DuckDB file reader",
    "read_parquet(": "DuckDB file reader",
    "glob(": "DuckDB glob",
    "filter (where": "aggregate FILTER clause",
    "date_trunc('week'": "DuckDB week truncation (Snowflake's depends on WEEK_START)",
}
QUOTED_LOWER = re.compile(r'"(value|rule|draw|date|month|revenue)"')


def _dbt(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR / "profiles"),
        "--target",
        "snowflake",
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
        "--vars",
        json.dumps({"raw_schema": "landing_zone"}),
    ]
    env = {**os.environ, **PLACEHOLDER_ENV}
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("snowflake_compile")
    parsed = _dbt(workdir, "parse")
    assert parsed.returncode == 0, parsed.stdout[-4000:] + parsed.stderr[-2000:]
    result = _dbt(workdir, "compile", "--no-introspect", "--no-populate-cache")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return workdir / "target"


def _sql(target: Path, relative: str) -> str:
    return (target / "compiled" / "curvehouse" / relative).read_text()


def test_every_model_compiles_for_snowflake(compiled):
    manifest = json.loads((compiled / "manifest.json").read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert manifest["metadata"]["adapter_type"] == "snowflake"
    missing = [
        m["original_file_path"]
        for m in models
        if not (compiled / "compiled" / "curvehouse" / m["original_file_path"]).is_file()
    ]
    assert models and not missing


def test_no_duckdb_only_sql_reaches_snowflake(compiled):
    found = []
    for path in (compiled / "compiled" / "curvehouse" / "models").rglob("*.sql"):
        text = path.read_text().lower()
        found += [f"{path.name}: {token} ({why})" for token, why in DUCKDB_ONLY.items() if token in text]
        found += [f"{path.name}: quoted lower-case column {m}" for m in QUOTED_LOWER.findall(path.read_text())]
    assert not found, "\n".join(found)


def test_dispatched_macros_use_snowflake_sql(compiled):
    spend = _sql(compiled, "models/intermediate/int_spend_aggregated_to_weeks.sql")
    assert "dayofweekiso(spend_date)" in spend
    spine = _sql(compiled, "models/intermediate/int_weeks_spined.sql")
    assert "generator(rowcount => 2000)" in spine and "dateadd(day, 7 * (week_offsets.week_offset)" in spine
    controls = _sql(compiled, "models/intermediate/int_controls_weekly.sql")
    assert "dayofyear(dateadd(day, 3, week_start))" in controls


def test_raw_inputs_are_sources_in_the_raw_schema_var(compiled):
    staging = _sql(compiled, "models/staging/stg_raw__channel_spend.sql")
    assert "placeholder.landing_zone.channel_spend" in staging.lower()
    assert "cast(cast(date as timestamp) as date)" in staging


def test_python_models_carry_the_snowflake_package_config(compiled):
    manifest = json.loads((compiled / "manifest.json").read_text())
    fit = manifest["nodes"]["model.curvehouse.fit_segments"]["config"]
    assert fit["imports"] and all(i.startswith("@") for i in fit["imports"])
    assert "pandas" in fit["packages"]
    udtf = json.loads(fit["snowflake_fit"])
    assert udtf["package_source"] in ("anaconda", "pypi") and "numpyro" in udtf["anaconda_packages"]
    code = _sql(compiled, "python_models/fit/fit_segments.py")
    assert "fit_on_snowpark" in code and "is_incremental = False" in code


def test_planning_functions_render_as_snowflake_udfs(tmp_path):
    """The runtime planning functions (post-hooks, rendered only when they run) as Snowflake SQL:
    typed UDF arguments, the allocation arrays flattened, no DuckDB-only syntax."""
    rendered = {}
    for name in ("mmm_response", "mmm_marginal_roi", "mmm_what_if"):
        result = _dbt(
            tmp_path,
            "compile",
            "--no-introspect",
            "--no-populate-cache",
            "--quiet",
            "--inline",
            f"{{{{ planning_function_sql('{name}') }}}}",
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        rendered[name] = result.stdout.lower()
    assert "(p_segment varchar, p_channel varchar, p_spend float)\nreturns float" in rendered["mmm_response"]
    assert "greatest(p_spend, 1e-6 * saturation_half_point)" in rendered["mmm_marginal_roi"]
    what_if = rendered["mmm_what_if"]
    assert "p_channels array, p_spends array" in what_if and "returns table (" in what_if
    assert "flatten(input => p_channels)" in what_if and "unnest(" not in what_if
    for name, sql in rendered.items():
        assert f"placeholder.curvehouse.{name}(" in sql and sql.count("$$") == 2
        assert not [token for token in DUCKDB_ONLY if token in sql], name
