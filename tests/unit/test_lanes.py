"""Segments as lanes of one program (sampler.chain_method lanes; auto picks it on a GPU): the same
answers as each segment sampled alone, within Monte Carlo error, with the same run ids. CPU only:
CI has no GPU, and on a CPU `auto` keeps one program call per segment."""

from __future__ import annotations

import arviz as az
import numpy as np
import pytest

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.fitting.run_ids import run_id_for
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.data import build_model_data
from curvehouse.model.numpyro_model import model_arrays
from curvehouse.model.priors import build_priors
from curvehouse.model.sampling import continue_posterior, sample_lanes, sample_posterior, uses_lanes
from curvehouse.model.spec import spec_from_config

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv"))
SAMPLER = {"chains": 2, "warmup": 100, "draws": 100}


@pytest.fixture(scope="module")
def demo():
    data = generate_demo(n_segments=3, n_weeks=52, seed=2, channels=CHANNELS, deferred_channel=None, daily=False)
    return model_input_from_demo(data)


def test_auto_keeps_one_program_call_per_segment_on_a_cpu_and_lanes_do_not_change_the_version():
    assert not uses_lanes(spec_from_config({}).sampler)
    assert uses_lanes(spec_from_config({"sampler": {"chain_method": "lanes"}}).sampler)
    versions = {
        spec_from_config({"sampler": {"chain_method": method, "lane_chunk": 3}}).version
        for method in ("auto", "parallel", "vectorized", "sequential", "lanes")
    }
    assert len(versions) == 1  # where chains run is not what they fit: one run id however it runs


def test_a_segment_sampled_as_a_lane_agrees_with_it_sampled_alone(demo):
    """Three segments, two lanes a call (the last call padded with a copy): the same prior draws, ROI
    posterior means within Monte Carlo error of the segment sampled alone, each lane with its own
    divergences and sampler statistics; a resumed lanes posterior resumes as lanes."""
    model_input, registry = demo
    data = build_model_data(model_input, {}, 8)
    alone = spec_from_config({"sampler": {**SAMPLER, "chain_method": "vectorized"}})
    lanes = spec_from_config({"sampler": {**SAMPLER, "chain_method": "lanes", "lane_chunk": 2}})
    priors = build_priors(data, alone, registry)
    as_lanes = sample_lanes(model_arrays(data), priors, lanes)
    assert as_lanes.lanes and as_lanes.samples["roi"].shape == (2, 100, 3, 2)
    assert as_lanes.diverging.shape == as_lanes.stats["num_steps"].shape == (2, 100, 3)
    assert as_lanes.divergences(3).shape == (3,)
    for i in range(3):
        one = data.take([i])
        single = sample_posterior(model_arrays(one), build_priors(one, alone, registry), alone)
        np.testing.assert_allclose(as_lanes.prior["roi"][:, i], single.prior["roi"][:, 0], rtol=1e-5)
        means, mcse = [], []
        for draws in (as_lanes.samples["roi"][:, :, i], single.samples["roi"][:, :, 0]):
            means.append(draws.mean(axis=(0, 1)))
            mcse.append(np.asarray(az.mcse(az.convert_to_dataset({"roi": draws}))["roi"]))
        assert np.all(np.abs(means[0] - means[1]) < 4 * np.hypot(*mcse)), (means, mcse)
    resumed = continue_posterior(as_lanes, model_arrays(data), priors, lanes, 20, 30, 7)
    assert resumed.lanes and resumed.samples["roi"].shape == (2, 30, 3, 2)


def test_lanes_run_the_whole_fit_and_partial_pooling_with_the_run_ids_of_a_fit_alone(demo):
    model_input, registry = demo
    config = {
        "sampler": {**SAMPLER, "chain_method": "lanes"},
        "pooling": "partial",
        "holdout_weeks": 4,
        "backtest": {"folds": 0},
    }
    lines: list[str] = []
    artifacts = fit_segments(model_input, registry, config, progress=lines.append)
    # pooling's first stage and the fits, each one program over all three segments
    assert sum("stage 1 of 2: 3 segments unpooled as lanes" in line for line in lines) == 1
    assert sum(line.startswith("curvehouse: fitting apac, emea, north_america") for line in lines) == 1
    alone = spec_from_config({**config, "sampler": {**SAMPLER, "chain_method": "sequential"}})
    expected = {s: run_id_for(rows, alone, registry, None) for s, rows in model_input.groupby("segment_id")}
    runs = artifacts[artifacts["artifact"] == "run"].groupby("segment_id")["run_id"].first().to_dict()
    assert runs == expected
    holdout = artifacts[(artifacts["artifact"] == "run") & (artifacts["parameter"] == "r2_holdout")]
    assert len(holdout) == 3 and holdout["value"].notna().all()  # resumed from the lanes' final states
