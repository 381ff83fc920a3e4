"""The posterior store beside a DuckDB file: one NetCDF file per published run, written as the fit
runs, a rejected run's file removed, its path recorded on the run."""

from __future__ import annotations

import arviz as az
import numpy as np
import pytest

from curvehouse import constants as k
from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.spec import spec_from_config
from curvehouse.posterior.inference_data import inference_data
from curvehouse.posterior.store import PATH_TEXT, segment_inference_data, store_for_database

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv"))
TINY = {
    "sampler": {"chains": 2, "warmup": 60, "draws": 40, "chain_method": "lanes"},
    "holdout_weeks": 0,
    "backtest": {"folds": 0},
    "baseline": {"kind": "fixed"},
    "publish": {"rhat_max": 5.0, "ess_min": 1, "divergences_max": 1000, "r2_min": -10.0},
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    data = generate_demo(n_segments=2, n_weeks=40, seed=4, channels=CHANNELS, deferred_channel=None, daily=False)
    model_input, registry = model_input_from_demo(data)
    store = store_for_database(tmp_path_factory.mktemp("warehouse") / "curvehouse.duckdb")
    kept = []

    def keep(model_data, posterior, run_ids):
        kept.append(inference_data(posterior, model_data, spec_from_config(TINY)))
        store.writer(spec_from_config(TINY))(model_data, posterior, run_ids)

    artifacts = fit_segments(model_input, registry, TINY, progress=lambda _: None, keep_posterior=keep)
    return store, artifacts, kept


def _statuses(artifacts):
    rows = artifacts[(artifacts["artifact"] == "run") & (artifacts["parameter"] == "status")]
    return dict(zip(rows["run_id"], rows["details"], strict=True))


def test_each_fitted_run_is_one_file_holding_its_segment(stored):
    store, artifacts, (group,) = stored  # both segments as lanes of one program
    runs = artifacts[artifacts["artifact"] == "run"].groupby("run_id")["segment_id"].first()
    assert sorted(p.name for p in store.folder.glob("*")) == sorted(f"{r}.nc" for r in runs.index)
    for run_id, segment in runs.items():
        one = az.from_netcdf(str(store.path(run_id)))
        assert one.posterior["segment"].values.tolist() == [segment]
        assert np.array_equal(one.posterior["roi"].values[:, :, 0], group.posterior["roi"].sel(segment=segment).values)
        assert one.sample_stats.sizes["segment"] == 1  # a lane's own sampler statistics
        weeks = int(group.observed_data["segment"].isin([segment]).sum())
        assert one.log_likelihood.sizes["obs"] == weeks and set(one.observed_data["segment"].values) == {segment}
        assert np.isfinite(az.loo(one).elpd_loo)


def test_published_runs_get_their_path_and_rejected_runs_lose_their_file(stored):
    store, artifacts, _ = stored
    statuses = _statuses(artifacts)
    assert set(statuses.values()) == {k.STATUS_PUBLISHED}
    rejected, kept = sorted(statuses)
    flipped = artifacts.copy()
    is_status = (flipped["run_id"] == rejected) & (flipped["artifact"] == "run") & (flipped["parameter"] == "status")
    flipped.loc[is_status, "details"] = k.STATUS_REJECTED
    out = store.published(flipped)
    paths = out[out["parameter"] == PATH_TEXT].set_index("run_id")["details"]
    assert paths.to_dict() == {kept: f"curvehouse.posteriors/{kept}.nc"}
    assert not store.path(rejected).exists() and store.path(kept).is_file()
    assert len(out) == len(artifacts) + 1 and out.dtypes.equals(artifacts.dtypes)
    assert "1 full posteriors" in store.describe()
    store.remove()
    assert not store.folder.exists()


def test_one_segment_of_a_fit_keeps_the_dims_of_the_whole(stored):
    _, _, (group,) = stored
    segment = str(group.posterior["segment"].values[1])
    one = segment_inference_data(group, segment)
    assert set(one.groups()) == set(group.groups())
    assert one.posterior["mu"].dims == group.posterior["mu"].dims
    assert one.observed_data["obs"].values.tolist() == list(range(one.observed_data.sizes["obs"]))
