"""The Python API and `dbt build` call the same fit: on the warehouse's own model input, with the
methodology the build recorded, curvehouse.fit finds the build's run id and its numbers, and the
full posterior the build stored beside the database is the API's draw for draw."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import curvehouse
from tests.e2e.conftest import SMALL_FIT

pytestmark = pytest.mark.e2e

SEGMENT = "apac"


def test_the_api_refits_the_published_run_of_a_segment(demo_build, tmp_path):
    run = demo_build.query(f"select * from mmm_model_runs where is_current and segment_id = '{SEGMENT}'").iloc[0]
    model_input = demo_build.query(f"select * from int_model_input_weekly where segment_id = '{SEGMENT}'")
    registry = demo_build.query("select * from stg_raw__channel_registry")
    experiments = demo_build.query("select * from stg_raw__experiments")
    config = json.loads(run["methodology"])  # where chains ran is not methodology: the build's setting
    config["sampler"]["chain_method"] = SMALL_FIT["sampler"]["chain_method"]

    fit = curvehouse.fit(model_input, registry, config, experiments, progress=lambda _: None)

    assert fit.runs.index.tolist() == [run["run_id"]]
    assert fit.runs.loc[run["run_id"], "status"] == run["status"]
    published = demo_build.query(
        f"select channel, roi_mean, contribution_mean from mmm_channel_summary where run_id = '{run['run_id']}'"
    ).set_index("channel")
    summary = fit.table("summary")
    for name, column in (("roi", "roi_mean"), ("contribution", "contribution_mean")):
        ours = summary[summary["parameter"] == name].set_index("channel")["mean"]
        assert np.allclose(ours.loc[published.index], published[column], rtol=1e-6), name
    idata = fit.to_inference_data()
    assert json.loads(idata.posterior.attrs["run_ids"]) == {SEGMENT: run["run_id"]}
    draws = idata.posterior["roi"].sel(segment=SEGMENT, channel=published.index.tolist()).mean(("chain", "draw"))
    assert np.allclose(draws.values, published["roi_mean"].values, rtol=1e-6)

    stored = curvehouse.load_posterior(demo_build.db_path, run["run_id"])
    assert stored.posterior.sizes == idata.posterior.sizes
    assert np.allclose(stored.posterior["roi"].values, idata.posterior["roi"].values, rtol=1e-6)
    assert np.allclose(stored.log_likelihood["y"].values, idata.log_likelihood["y"].values, rtol=1e-6)

    saved = fit.save(tmp_path / "api.nc")
    changes = tmp_path / "changes.csv"
    command = [str(Path(sys.executable).parent / "curvehouse"), "compare", run["run_id"], str(saved)]
    done = subprocess.run(
        [*command, "--duckdb", str(demo_build.db_path), "--csv", str(changes)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "PSIS-LOO" in done.stdout and run["run_id"] in done.stdout
    moved = pd.read_csv(changes)
    assert set(moved["metric"]) == {"roi", "half_point", "contribution"} and len(moved) >= 3 * len(published)
    assert np.allclose(moved["change"], 0.0, atol=1e-6 * moved["before_mean"].abs().max())


def test_load_run_reads_the_published_run_back(demo_build, tmp_path):
    current = demo_build.query("select run_id, segment_id from mmm_model_runs where is_current")
    loaded = curvehouse.load_run(demo_build.db_path)
    assert sorted(loaded.runs.index) == sorted(current["run_id"])
    one = curvehouse.load_run(demo_build.db_path, segment=SEGMENT)
    run_id = current.set_index("segment_id").at[SEGMENT, "run_id"]
    assert one.runs.index.tolist() == [run_id] and one.runs.at[run_id, "status"] == "published"
    published = demo_build.query(f"select channel, roi_mean from mmm_channel_summary where run_id = '{run_id}'")
    roi = one.table("summary").query("parameter == 'roi'").set_index("channel")["mean"]
    assert np.allclose(roi.loc[published["channel"]], published["roi_mean"])
    assert curvehouse.load_run(demo_build.db_path, run_id=run_id).runs.index.tolist() == [run_id]
    with pytest.raises(LookupError, match="no run nope"):
        curvehouse.load_run(demo_build.db_path, run_id="nope")
    idata = one.to_inference_data()  # every draw, from the store beside the database
    runs = demo_build.query(f"select posterior_path from mmm_model_runs where run_id = '{run_id}'")
    assert (demo_build.db_path.parent / runs["posterior_path"].iloc[0]).is_file()
    assert idata.posterior["segment"].values.tolist() == [SEGMENT]
    draws = SMALL_FIT["sampler"]["chains"] * SMALL_FIT["sampler"]["draws"]
    assert idata.posterior.sizes["chain"] * idata.posterior.sizes["draw"] == draws
    assert len(loaded.to_inference_data().posterior["segment"]) == len(current)
    alone = tmp_path / "without_store.duckdb"
    shutil.copy(demo_build.db_path, alone)  # the database without the folder beside it
    with pytest.raises(ValueError, match="no full posterior"):
        curvehouse.load_run(alone, run_id=run_id).to_inference_data()
    with pytest.raises(FileNotFoundError, match="dbt build"):
        curvehouse.load_run(tmp_path / "missing.duckdb")
