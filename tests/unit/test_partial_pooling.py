"""Partial pooling: what a pooled fit publishes for a thin segment, and how its joint run is judged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.fitting.segments import fit_segments

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv", "linkedin"))
THIN, THIN_WEEKS = "apac", 26
SAMPLER = {"chains": 2, "warmup": 150, "draws": 150, "chain_method": "sequential", "draws_kept": 20}
CONFIG = {
    "sampler": SAMPLER,
    "holdout_weeks": 0,
    "backtest": {"folds": 0},
    "publish": {"rhat_max": 1.2, "ess_min": 20, "divergences_max": 100, "r2_min": 0.0},
}


@pytest.fixture(scope="module")
def generated():
    """Two segments with two years and a third cut to its last THIN_WEEKS weeks (a new market)."""
    data = generate_demo(n_segments=3, n_weeks=104, seed=5, channels=CHANNELS, deferred_channel=None, daily=False)
    model_input, registry = model_input_from_demo(data)
    starts = pd.to_datetime(model_input["week_start"])
    recent = starts > starts.max() - pd.Timedelta(weeks=THIN_WEEKS)
    model_input = model_input[(model_input["segment_id"] != THIN) | recent].reset_index(drop=True)
    return data, model_input, registry


def _roi(artifacts: pd.DataFrame, segment: str) -> pd.DataFrame:
    rows = artifacts[(artifacts["artifact"] == "summary") & (artifacts["parameter"] == "roi")]
    return rows[rows["segment_id"] == segment].set_index("channel")


def test_a_thin_segment_borrows_from_the_population_and_the_joint_run_is_judged_per_segment(generated):
    """Pooled, the thin segment's ROI intervals narrow (the population's curves inform them); every
    segment's run states the joint run's divergences, while R-hat and ESS stay the segment's own."""
    data, model_input, registry = generated
    unpooled = fit_segments(model_input, registry, CONFIG, progress=lambda _: None)
    pooled = fit_segments(model_input, registry, {**CONFIG, "pooling": "partial"}, progress=lambda _: None)
    widths = {
        name: (_roi(frame, THIN)["p95"] - _roi(frame, THIN)["p05"]).mean()
        for name, frame in (("none", unpooled), ("partial", pooled))
    }
    assert widths["partial"] < widths["none"], widths
    truth = {c: v["roi"] for c, v in data.truth["segments"][THIN]["channels"].items()}
    roi = _roi(pooled, THIN)
    assert np.mean([abs(roi.at[c, "mean"] - truth[c]) / truth[c] for c in roi.index]) < 0.5
    runs = pooled[pooled["artifact"] == "run"].pivot_table(
        index="segment_id", columns="parameter", values="value", aggfunc="first"
    )
    assert runs["divergences"].nunique() == 1 and runs["max_rhat"].nunique() == 3
