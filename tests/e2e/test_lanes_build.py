"""`dbt build` with the segments as lanes of one program (mmm.sampler.chain_method lanes, what `auto`
picks on a GPU), on two demo segments: the whole fit runs as lanes (holdout, lift tests, a backtest
fold), and a rebuild with one program call per segment finds the same run ids and refits nothing.
CI has no GPU: lanes run on the CPU here, slower than the default there, so the build is small."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from tests.e2e.conftest import SMALL_FIT, copy_demo, dbt_build

pytestmark = pytest.mark.e2e

SEGMENTS = ("emea", "north_america")
# Lanes on a CPU wait for the slowest lane's tree at every step: fewer draws and shallower trees than
# SMALL_FIT keep this build short; the publish thresholds are SMALL_FIT's (permissive).
LANES = {
    **SMALL_FIT,
    "sampler": {**SMALL_FIT["sampler"], "chain_method": "lanes", "warmup": 100, "draws": 100, "max_tree_depth": 6},
}


@pytest.fixture(scope="module")
def lanes_build(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("lanes")
    raw = copy_demo(workdir / "raw")
    for path in raw.glob("*.csv"):
        frame = pd.read_csv(path)
        if "segment_id" in frame.columns:
            frame[frame["segment_id"].isin(SEGMENTS)].to_csv(path, index=False)
    build = dbt_build(workdir, raw_data_path=raw, mmm=LANES)
    assert build.returncode == 0, build.output[-5000:]
    return workdir, raw, build


def test_the_whole_fit_runs_as_lanes_and_each_segment_is_judged_on_its_own(lanes_build):
    _, _, build = lanes_build
    assert "curvehouse: fitting emea, north_america (" in build.output  # one program for both
    runs = build.query("select * from mmm_model_runs where is_current").set_index("segment_id")
    assert set(runs.index) == set(SEGMENTS) and set(runs["status"]) == {"published"}
    assert runs[["max_rhat", "min_ess_bulk", "r2_holdout", "backtest_mape"]].notna().all().all()
    assert runs["max_rhat"].nunique() == 2  # each lane's own chains
    experiments = build.query("select * from mmm_experiments where is_current")
    assert set(experiments["segment_id"]) == set(SEGMENTS)
    assert experiments["predicted_lift_before_mean"].notna().all()


def test_a_rebuild_one_segment_at_a_time_finds_the_same_runs(lanes_build, tmp_path):
    workdir, raw, build = lanes_build
    db = tmp_path / "copy.duckdb"
    shutil.copy(build.db_path, db)
    one_at_a_time = {**LANES, "sampler": {**LANES["sampler"], "chain_method": "sequential"}}
    again = dbt_build(tmp_path / "again", raw_data_path=raw, db_path=db, mmm=one_at_a_time)
    assert again.returncode == 0, again.output[-3000:]
    assert again.output.count("unchanged since run") == len(SEGMENTS)
    query = "select run_id, is_current from mmm_model_runs order by run_id"
    assert again.query(query).equals(build.query(query))
