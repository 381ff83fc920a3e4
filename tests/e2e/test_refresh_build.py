"""A monthly refresh as a user runs it: a full build on the demo (a copy of the shared one), then a
build with `mmm.fit_mode: refresh`, which fits a 13-week run per segment centred on the full one. Every
segment's refresh publishes and becomes current (a refresh's R2 gate is mmm.refresh.r2_min, 0: on
the demo's last 13 weeks north_america's R2 is about 0.36, under the full fit's 0.5)."""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.conftest import DEMO_DATA, SMALL_FIT, dbt_build

pytestmark = pytest.mark.e2e

RUNS = "select run_id, segment_id, fit_mode, status, status_reason, n_weeks, is_current from mmm_model_runs"


@pytest.fixture(scope="module")
def builds(demo_build, tmp_path_factory: pytest.TempPathFactory) -> dict:
    workdir = tmp_path_factory.mktemp("refresh_build")
    shutil.copy(demo_build.db_path, workdir / "curvehouse.duckdb")
    before = demo_build.query(RUNS)
    # Tiny fits take larger steps than the refresh's default target_accept allows 150 draws to mix at.
    refresh = {**SMALL_FIT, "fit_mode": "refresh", "refresh": {"target_accept": 0.8}}
    again = dbt_build(workdir, raw_data_path=DEMO_DATA, mmm=refresh)
    assert again.returncode == 0, again.output[-5000:]
    return {"before": before, "after": again.query(RUNS)}


def test_each_segment_is_refreshed_and_the_current_run_is_its_latest_published(builds):
    before, after = builds["before"], builds["after"]
    refreshed = after[after["fit_mode"] == "refresh"].set_index("segment_id")
    assert set(refreshed.index) == set(before["segment_id"])
    assert (refreshed["n_weeks"] == 13).all()
    assert not set(refreshed["run_id"]) & set(before["run_id"])
    assert (refreshed["status"] == "published").all(), refreshed[["status", "status_reason"]]
    assert refreshed["is_current"].all()
    assert not before["run_id"].isin(after.loc[after["is_current"], "run_id"]).any()
