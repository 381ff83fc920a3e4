"""Faults through real builds: a build killed mid-fit loses nothing published, and a second build
started while one runs is refused at once with a message about the lock."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import pytest

from tests.e2e.conftest import DEMO_DATA, PROJECT_DIR, SMALL_FIT, dbt_build, dbt_command

pytestmark = pytest.mark.e2e

SLOW_FIT = {**SMALL_FIT, "sampler": {**SMALL_FIT["sampler"], "warmup": 3000, "draws": 3000, "seed": 7}}


def test_killed_build_and_concurrent_build_leave_published_results_intact(demo_build, tmp_path):
    db = tmp_path / "published.duckdb"
    shutil.copy(demo_build.db_path, db)
    before = demo_build.query("select run_id, status, is_current from mmm_model_runs order by run_id")
    assert before["is_current"].sum() == 3

    command, env = dbt_command(tmp_path / "slow", DEMO_DATA, db, {"mmm": SLOW_FIT})
    slow = subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        for line in slow.stdout:
            if "curvehouse: fitting" in line:
                break
        else:
            pytest.fail("the slow build never reached the fit")

        started = time.perf_counter()
        second = dbt_build(tmp_path / "second", db_path=db)
        assert second.returncode != 0
        assert "lock" in second.output.lower()
        assert time.perf_counter() - started < 120
    finally:
        os.killpg(slow.pid, signal.SIGKILL)
        slow.wait()

    after = dbt_build(tmp_path / "after", db_path=db)  # unchanged data: nothing to refit
    assert after.returncode == 0, after.output[-3000:]
    assert after.query("select run_id, status, is_current from mmm_model_runs order by run_id").equals(before)
