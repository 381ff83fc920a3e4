"""Rolling-origin backtests: the scoring math on a hand-made case, and a tiny real fit's folds."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.fitting import forecast_scores as fs
from curvehouse.fitting.backtests import run_backtests
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.data import build_model_data
from curvehouse.model.numpyro_model import model_arrays
from curvehouse.model.priors import build_priors
from curvehouse.model.sampling import sample_posterior
from curvehouse.model.spec import spec_from_config
from curvehouse.posterior import artifact_names as names

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv"))
N_WEEKS = 80
# Folds cut at weeks 74, 68, 62 and 56; with 60 training weeks required the fourth is skipped.
BACKTEST = {"folds": 4, "horizon_weeks": 6, "min_train_weeks": 60, "burn_in": 150, "draws": 100}
TINY = {
    "sampler": {
        "chains": 2,
        "warmup": 150,
        "draws": 150,
        "chain_method": "sequential",
        "draws_kept": 10,
        "target_accept": 0.8,
    },
    "holdout_weeks": 0,
    "backtest": BACKTEST,
    "publish": {"rhat_max": 3.0, "ess_min": 1, "divergences_max": 1000, "r2_min": 0.0},
}


def test_coverage_and_mape_match_a_hand_computed_case():
    """Four weeks: actuals 100, 200, 50, 0; the interval [90, 110], [150, 190], [40, 60], [-5, 5]
    holds weeks 1, 3 and 4 (week 2's 200 lies above 190): 3 of 4. MAPE skips the zero actual:
    (|100 - 110| / 100 + |200 - 170| / 200 + |50 - 45| / 50) / 3 = (0.10 + 0.15 + 0.10) / 3."""
    actual = np.array([100.0, 200.0, 50.0, 0.0])
    lower = np.array([90.0, 150.0, 40.0, -5.0])
    upper = np.array([110.0, 190.0, 60.0, 5.0])
    forecast = np.array([110.0, 170.0, 45.0, 3.0])
    assert fs.coverage(actual, lower, upper) == 0.75
    assert fs.forecast_mape(actual, forecast) == pytest.approx(0.35 / 3)
    assert np.isnan(fs.coverage(np.array([]), np.array([]), np.array([])))
    assert np.isnan(fs.forecast_mape(np.zeros(3), np.ones(3)))


def test_fold_cutoffs_skip_folds_with_too_little_training_history():
    cutoffs = fs.fold_cutoffs(np.array([80, 60, 20]), folds=4, horizon=6, min_train=52)
    np.testing.assert_array_equal(cutoffs, [[74, 68, 62, 56], [54, -1, -1, -1], [-1, -1, -1, -1]])
    assert fs.fold_cutoffs(np.array([80]), folds=0, horizon=6, min_train=52).shape == (1, 0)


def test_predictive_intervals_widen_with_the_noise_and_cover_at_their_level():
    """Draws of mean 0 and sigma 1: the normal predictive 80% interval is about +-1.28, the
    Student-t one (5 df) wider, and fresh outcomes from the same model fall inside about 80%."""
    rng = np.random.default_rng(0)
    mean, sigma = np.zeros((4000, 1, 50)), np.ones((4000, 1))
    normal = fs.predictive_intervals(fs.predictive_draws(mean, sigma, "normal", 5.0, rng))
    heavy = fs.predictive_intervals(fs.predictive_draws(mean, sigma, "student_t", 5.0, rng))
    assert np.allclose(normal["p90"], 1.2816, atol=0.1) and np.allclose(normal["p10"], -1.2816, atol=0.1)
    assert (heavy["p95"] - heavy["p05"]).mean() > (normal["p95"] - normal["p05"]).mean()
    outcomes = rng.standard_normal((40, 1, 50))
    share = np.mean([fs.coverage(o, normal["p10"], normal["p90"]) for o in outcomes])
    assert 0.75 < share < 0.85


@pytest.fixture(scope="module")
def small_fit():
    data = generate_demo(n_segments=1, n_weeks=N_WEEKS, seed=5, channels=CHANNELS, deferred_channel=None, daily=False)
    model_input, registry = model_input_from_demo(data)
    model_input = model_input.assign(week_start=pd.to_datetime(model_input["week_start"]))
    spec = spec_from_config(TINY)
    model_data = build_model_data(model_input, {}, spec.adstock_max_lag)
    priors = build_priors(model_data, spec, registry)
    posterior = sample_posterior(model_arrays(model_data), priors, spec)
    return model_data, priors, spec, posterior


def test_a_small_fit_backtests_each_fold_on_the_weeks_after_its_cutoff(small_fit):
    data, priors, spec, posterior = small_fit
    result = run_backtests(data, priors, spec, posterior, {data.segments[0]: "run-1"})
    rows = result.rows
    details = pd.DataFrame([json.loads(d) for d in rows["details"]])
    assert result.folds.tolist() == [3] and len(rows) == 3 * 6
    assert sorted(details["fold"].unique()) == [1, 2, 3]
    weeks = data.weeks[0]
    for fold, cutoff in zip((1, 2, 3), (74, 68, 62), strict=True):
        mine = rows[details["fold"].to_numpy() == fold]
        assert (details.loc[details["fold"] == fold, "train_weeks"] == cutoff).all()
        assert list(mine["week_start"]) == [pd.Timestamp(w) for w in weeks[cutoff : cutoff + 6]]
        assert details.loc[details["fold"] == fold, "horizon_week"].tolist() == list(range(1, 7))
    np.testing.assert_allclose(
        rows["value"], np.concatenate([(data.y * data.y_scale[:, None])[0, c : c + 6] for c in (74, 68, 62)])
    )
    assert (rows["p05"] <= rows["p10"]).all() and (rows["p10"] < rows["mean"]).all()
    assert (rows["mean"] < rows["p90"]).all() and (rows["p90"] <= rows["p95"]).all()
    inside_80 = ((rows["value"] >= rows["p10"]) & (rows["value"] <= rows["p90"])).mean()
    assert result.coverage_80[0] == pytest.approx(inside_80)
    assert 0 <= result.coverage_80[0] <= result.coverage_90[0] <= 1
    assert 0 < result.mape[0] < 0.5
    metrics = result.run_metrics(0)
    assert set(metrics) <= set(names.RUN_NUMBERS) and metrics["backtest_folds"] == 3


def test_no_folds_give_no_rows_and_nan_scores(small_fit):
    data, priors, spec, posterior = small_fit
    off = spec_from_config({**TINY, "backtest": {**BACKTEST, "folds": 0}})
    short = spec_from_config({**TINY, "backtest": {**BACKTEST, "min_train_weeks": N_WEEKS}})
    for which in (off, short):
        result = run_backtests(data, priors, which, posterior, {data.segments[0]: "run-1"})
        assert result.rows.empty and result.folds.tolist() == [0]
        assert np.isnan(result.run_metrics(0)["backtest_coverage_80"])


def test_fit_segments_writes_backtest_rows_and_run_metrics():
    """Through the fit node: folds x horizon 'backtest' rows and the backtest run metrics."""
    data = generate_demo(n_segments=1, n_weeks=N_WEEKS, seed=5, channels=CHANNELS, deferred_channel=None, daily=False)
    model_input, registry = model_input_from_demo(data)
    config = {**TINY, "backtest": {**BACKTEST, "folds": 1}}
    frame = fit_segments(model_input, registry, config, progress=lambda _: None)
    assert (frame["artifact"] == "backtest").sum() == 6
    run = frame[frame["artifact"] == "run"].set_index("parameter")["value"]
    assert run["backtest_folds"] == 1 and 0 <= run["backtest_coverage_80"] <= 1
