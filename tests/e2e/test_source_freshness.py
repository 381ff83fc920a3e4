"""Lineage starts at sources on DuckDB too, and `dbt source freshness` says how old the inputs are
(the newest date in each dated input every build needs, against the weekly cadence's thresholds)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.conftest import DEMO_DATA, PROJECT_DIR, dbt_command

pytestmark = pytest.mark.e2e

DATED = ("channel_spend", "outcomes", "platform_spend")  # the inputs with a freshness rule


def freshness(workdir: Path, data: Path, **vars: object) -> tuple[int, dict[str, str]]:
    """Run `dbt source freshness` on a data folder (and vars): its exit code and each source's status."""
    command, env = dbt_command(workdir, data, workdir / "freshness.duckdb", vars)
    command[1:2] = ["source", "freshness"]
    proc = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
    sources = json.loads((workdir / "target" / "sources.json").read_text())
    statuses = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in sources["results"]}
    return proc.returncode, statuses


def newest_on(dest: Path, newest: date) -> Path:
    """The demo data with every dated input shifted so that its newest date is `newest`."""
    shutil.copytree(DEMO_DATA, dest)
    for name in DATED:
        frame = pd.read_csv(dest / f"{name}.csv")
        dates = pd.to_datetime(frame["date"])
        frame["date"] = (dates + (pd.Timestamp(newest) - dates.max())).dt.strftime("%Y-%m-%d")
        frame.to_csv(dest / f"{name}.csv", index=False)
    return dest


@pytest.fixture(scope="module")
def on_demo(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("freshness_demo")
    return workdir, *freshness(workdir, DEMO_DATA)


def test_staging_models_depend_on_their_sources(on_demo):
    workdir, _, _ = on_demo
    manifest = json.loads((workdir / "target" / "manifest.json").read_text())
    for name in DATED:
        staging = manifest["nodes"][f"model.curvehouse.stg_raw__{name}"]
        assert f"source.curvehouse.raw.{name}" in staging["depends_on"]["nodes"], name


def test_the_bundled_demo_data_is_reported_stale(on_demo):
    _, code, statuses = on_demo
    newest = pd.to_datetime(pd.read_csv(DEMO_DATA / "outcomes.csv")["date"]).max().date()
    assert (datetime.now(UTC).date() - newest).days > 15  # the demo data ends in November 2026
    assert code != 0 and statuses == dict.fromkeys(DATED, "error")


@pytest.mark.parametrize(("age_days", "expected", "ok"), [(2, "pass", True), (10, "warn", True)])
def test_data_a_few_days_old_passes_and_older_warns(tmp_path, age_days, expected, ok):
    data = newest_on(tmp_path / "data", datetime.now(UTC).date() - timedelta(days=age_days))
    code, statuses = freshness(tmp_path, data)
    assert statuses == dict.fromkeys(DATED, expected)
    assert (code == 0) is ok


def test_the_thresholds_are_vars(tmp_path):
    data = newest_on(tmp_path / "data", datetime.now(UTC).date() - timedelta(days=10))
    code, statuses = freshness(tmp_path, data, source_freshness_warn_days=3, source_freshness_error_days=5)
    assert code != 0 and statuses == dict.fromkeys(DATED, "error")
