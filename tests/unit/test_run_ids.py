"""Run ids of many segments in one pass equal each segment's own run id (the ids decide what a build
refits, so a faster path must not change one)."""

from __future__ import annotations

import pandas as pd
import pytest

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import generate_demo
from curvehouse.fitting.run_ids import run_id_for, run_ids_for
from curvehouse.model.experiments import segment_experiments
from curvehouse.model.spec import spec_from_config


@pytest.fixture(scope="module")
def generated():
    data = generate_demo(n_segments=4, n_weeks=20, seed=2, daily=False)
    model_input, registry = model_input_from_demo(data)
    model_input = model_input.assign(week_start=pd.to_datetime(model_input["week_start"]))
    return model_input.sample(frac=1.0, random_state=0), registry  # rows in no particular order


def _one_by_one(model_input, spec, registry, experiments=None, centred_on=None):
    return {
        s: run_id_for(rows, spec, registry, segment_experiments(experiments, s), (centred_on or {}).get(s))
        for s, rows in model_input.groupby("segment_id")
    }


def test_one_pass_equals_each_segment_alone(generated):
    model_input, registry = generated
    spec = spec_from_config({})
    ids = run_ids_for(model_input, spec, registry)
    assert ids == _one_by_one(model_input, spec, registry)
    assert len(set(ids.values())) == model_input["segment_id"].nunique()


def test_experiments_flags_and_refresh_centres_enter_as_alone(generated):
    model_input, registry = generated
    segments = sorted(model_input["segment_id"].unique())
    channel = registry["channel"].iloc[0]
    experiments = pd.DataFrame(
        {
            "experiment_id": ["a", "b"],
            "segment_id": segments[:2],
            "channel": channel,
            "start_date": pd.Timestamp("2026-01-05"),
            "end_date": pd.Timestamp("2026-02-01"),
            "baseline_weekly_spend": 1.0,
            "test_weekly_spend": 2.0,
            "lift_weekly": 1.0,
            "lift_weekly_sd": 0.5,
            "method": "geo holdout",
        }
    )
    flagged = registry.assign(exposure_driven=registry["channel"] == channel)
    refresh = spec_from_config({"fit_mode": "refresh"})
    centred = {segments[0]: "run_a", segments[2]: "run_b"}
    ids = run_ids_for(model_input, refresh, flagged, experiments, centred)
    assert ids == _one_by_one(model_input, refresh, flagged, experiments, centred)
    assert ids != run_ids_for(model_input, spec_from_config({}), registry)


def test_timestamps_with_a_time_of_day_fall_back_to_each_segment(generated):
    model_input, registry = generated
    spec = spec_from_config({})
    first = model_input["segment_id"] == model_input["segment_id"].min()
    shifted = model_input.assign(
        week_start=model_input["week_start"].where(~first, model_input["week_start"] + pd.Timedelta(hours=6))
    )
    ids = run_ids_for(shifted, spec, registry)
    assert ids == _one_by_one(shifted, spec, registry)
    assert (
        ids[model_input["segment_id"].min()]
        != run_ids_for(model_input, spec, registry)[model_input["segment_id"].min()]
    )
