"""Real dbt builds on real DuckDB files, each in its own temporary folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEMO_DATA = PROJECT_DIR / "data" / "demo"
DBT = Path(sys.executable).parent / "dbt"

# Tiny fits with loosened publish thresholds: the tests exercise the plumbing, the demo and the
# benchmark run full-size fits. Sequential chains reuse one compiled program across segments; a
# low target_accept keeps a 150-draw fit from spending its time in deep trees. One short backtest
# fold (the default's four cost twice the fit; test_fit_build checks four).
SMALL_FIT = {
    "sampler": {
        "chains": 2,
        "warmup": 150,
        "draws": 150,
        "draws_kept": 50,
        "chain_method": "sequential",
        "target_accept": 0.8,
    },
    "holdout_weeks": 4,
    "backtest": {"folds": 1, "burn_in": 50, "draws": 50},
    "publish": {"rhat_max": 3.0, "ess_min": 1, "divergences_max": 1000, "r2_min": 0.5},
}


@dataclass(frozen=True)
class Build:
    """One `dbt build`: its exit code, its log, and where it wrote."""

    returncode: int
    output: str
    db_path: Path
    target_dir: Path

    def query(self, sql: str) -> pd.DataFrame:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.sql(sql).df()


def dbt_command(
    workdir: Path,
    raw_data_path: Path,
    db_path: Path,
    vars: dict,
    project_dir: Path = PROJECT_DIR,
    flags: tuple[str, ...] = (),
) -> tuple[list[str], dict]:
    """The `dbt build` command line and environment for a DuckDB file and a work folder."""
    target_dir = workdir / "target"
    all_vars = {
        "raw_data_path": str(raw_data_path),
        "gx_data_docs_dir": str(target_dir / "gx_data_docs"),
        "as_of_date": "2026-11-22",
        "mmm": SMALL_FIT,
        **vars,
    }
    command = [
        str(DBT),
        "build",
        *flags,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir / "profiles"),
        "--target-path",
        str(target_dir),
        "--log-path",
        str(workdir / "logs"),
        "--vars",
        json.dumps(all_vars),
    ]
    return command, {**os.environ, "CURVEHOUSE_DUCKDB_PATH": str(db_path)}


def dbt_build(
    workdir: Path,
    raw_data_path: Path = DEMO_DATA,
    db_path: Path | None = None,
    project_dir: Path = PROJECT_DIR,
    flags: tuple[str, ...] = (),
    unit_tests: bool = False,
    **vars: object,
) -> Build:
    """Run `dbt build` (with extra flags, e.g. --full-refresh) on the project (or a copy of it) against
    a DuckDB file in workdir. The dbt unit tests do not depend on the data, so only the shared demo
    build (``unit_tests=True``) and test_dbt_unit_tests run them."""
    db_path = db_path or workdir / "curvehouse.duckdb"
    if not unit_tests:
        flags = (*flags, "--exclude-resource-type", "unit_test")
    command, env = dbt_command(workdir, raw_data_path, db_path, vars, project_dir, flags)
    proc = subprocess.run(command, cwd=project_dir, env=env, capture_output=True, text=True, timeout=1800)
    return Build(proc.returncode, proc.stdout + proc.stderr, db_path, workdir / "target")


def compile_inline(sql: str, workdir: Path) -> str:
    """An inline query with the project's macros rendered by `dbt compile --inline` (a throwaway
    DuckDB file in workdir): how tests evaluate the project's SQL macros without a build."""
    proc = subprocess.run(
        [
            str(DBT),
            "compile",
            "--inline",
            sql,
            "--output",
            "json",
            "--quiet",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR / "profiles"),
            "--target-path",
            str(workdir / "target"),
            "--log-path",
            str(workdir / "logs"),
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, "CURVEHOUSE_DUCKDB_PATH": str(workdir / "throwaway.duckdb")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(proc.stdout[proc.stdout.index("{") :])["compiled"]


def copy_demo(dest: Path) -> Path:
    """A writable copy of the bundled demo data to plant problems in."""
    shutil.copytree(DEMO_DATA, dest)
    return dest


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The default build on the bundled demo data, shared by the read-only tests."""
    build = dbt_build(tmp_path_factory.mktemp("demo_build"), unit_tests=True)
    assert build.returncode == 0, build.output[-5000:]
    return build
