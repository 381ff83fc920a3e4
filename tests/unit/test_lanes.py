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
from curvehouse.model.sampling import sample_lanes, sample_posterior, uses_lanes
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
    """Three segments, two lanes a call (the last call padded with a copy): the same prior draws, and
    ROI posterior means within Monte Carlo error of the segment sampled alone."""
    model_input, registry = demo
    data = build_model_data(model_input, {}, 8)
    alone = spec_from_config({"sampler": {**SAMPLER, "chain_method": "vectorized"}})
    lanes = spec_from_config({"sampler": {**SAMPLER, "chain_method": "lanes", "lane_chunk": 2}})
    args = [model_arrays(data.take([i])) for i in range(3)]
    priors = [build_priors(data.take([i]), alone, registry) for i in range(3)]
    as_lanes = sample_lanes(args, priors, lanes)
    assert len(as_lanes) == 3
    for i, lane in enumerate(as_lanes):
        single = sample_posterior(args[i], priors[i], alone)
        np.testing.assert_allclose(lane.prior["roi"], single.prior["roi"], rtol=1e-5)
        assert lane.samples["roi"].shape == single.samples["roi"].shape == (2, 100, 1, 2)
        means = [p.samples["roi"].mean(axis=(0, 1))[0] for p in (lane, single)]
        mcse = [np.asarray(az.mcse(az.convert_to_dataset({"roi": p.samples["roi"]}))["roi"])[0] for p in (lane, single)]
        assert np.all(np.abs(means[0] - means[1]) < 4 * np.hypot(*mcse)), (means, mcse)
        assert lane.last_state is not None and lane.stats["num_steps"].shape == (2, 100)


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
    assert sum("as lanes of one program" in line for line in lines) == 2  # pooling's stage 1, then the fits
    assert not any("stage 1 of 2" in line for line in lines)  # no segment sampled on its own
    alone = spec_from_config({**config, "sampler": {**SAMPLER, "chain_method": "sequential"}})
    expected = {s: run_id_for(rows, alone, registry, None) for s, rows in model_input.groupby("segment_id")}
    runs = artifacts[artifacts["artifact"] == "run"].groupby("segment_id")["run_id"].first().to_dict()
    assert runs == expected
    holdout = artifacts[(artifacts["artifact"] == "run") & (artifacts["parameter"] == "r2_holdout")]
    assert len(holdout) == 3 and holdout["value"].notna().all()  # resumed from the lanes' final states
