"""Partial pooling: the population prior's arithmetic against closed forms, and what a pooled fit
publishes for a thin segment (curvehouse.model.pooling)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from curvehouse import constants as k
from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.pooling import likelihood_moments, random_effects_prediction

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv", "linkedin"))
THIN, THIN_WEEKS = "apac", 26
SAMPLER = {"chains": 2, "warmup": 150, "draws": 150, "chain_method": "sequential", "draws_kept": 20}
CONFIG = {
    "sampler": SAMPLER,
    "holdout_weeks": 0,
    "backtest": {"folds": 0},
    "publish": {"rhat_max": 1.2, "ess_min": 20, "divergences_max": 100, "r2_min": 0.0},
}


def _priors(loc: float, scale: float, a: float = 2.0, b: float = 3.0, shape: tuple = (1, 1)) -> dict:
    full = lambda v: np.full(shape, v)  # noqa: E731
    return {
        **{f"{stem}_loc": full(loc) for stem in ("roi", "half_point", "slope")},
        **{f"{stem}_scale": full(scale) for stem in ("roi", "half_point", "slope")},
        "theta_a": full(a),
        "theta_b": full(b),
    }


def test_likelihood_moments_divide_the_prior_out_of_a_conjugate_normal_posterior():
    """Prior N(0, 1) and a likelihood N(0.8, 0.25) on log ROI: the posterior is N(0.64, 0.2); its
    draws give back the likelihood's mean and precision, and a posterior as wide as its prior gives none."""
    rng = np.random.default_rng(3)
    post = np.exp(rng.normal(0.64, np.sqrt(0.2), (4, 20000, 1, 1)))
    samples = {k.ROI: post, k.HALF_POINT: post, k.SLOPE: np.exp(rng.normal(0.0, 1.0, (4, 20000, 1, 1)))}
    samples[k.THETA] = rng.beta(2.0, 3.0, (4, 20000, 1, 1))
    moments = likelihood_moments(samples, _priors(0.0, 1.0))
    mean, precision = moments[k.ROI]
    assert mean[0, 0] == pytest.approx(0.8, abs=0.02) and precision[0, 0] == pytest.approx(4.0, rel=0.03)
    assert moments[k.SLOPE][1][0, 0] < 0.02  # its posterior is its prior
    assert moments[k.THETA][1][0, 0] < 0.05  # the Beta prior's logit moments divided out
    effect = {**samples, k.EFFECT: post, k.ROI: np.ones_like(post)}  # the generic path samples `effect`
    assert likelihood_moments(effect, _priors(0.0, 1.0))[k.ROI][0][0, 0] == pytest.approx(0.8, abs=0.02)


def test_random_effects_prediction_leaves_the_segment_out_and_matches_numerical_integration():
    x = np.array([[0.2], [0.5], [0.9], [3.0]])
    precision = np.array([[25.0], [16.0], [4.0], [100.0]])
    present = np.array([[1.0], [1.0], [1.0], [0.0]])  # the last segment lacks the channel: not evidence
    mean, var = random_effects_prediction(x, precision, present, (np.array([0.0]), np.array([1.0])), 0.3)
    mu, tau = np.meshgrid(np.linspace(-4, 4, 1601), np.linspace(0, 1.8, 1201), indexing="ij")

    def brute_force(others: tuple[int, ...]) -> tuple[float, float]:
        """The prediction from these segments by a grid over (mu, tau)."""
        log_post = stats.norm.logpdf(mu, 0, 1) + stats.halfnorm.logpdf(tau, scale=0.3)
        for o in others:
            log_post = log_post + stats.norm.logpdf(x[o, 0], mu, np.sqrt(1 / precision[o, 0] + tau**2))
        w = np.exp(log_post - log_post.max())
        w /= w.sum()
        first = (w * mu).sum()
        return first, (w * (tau**2 + mu**2)).sum() - first**2

    for segment, others in ((0, (1, 2)), (3, (0, 1, 2))):  # segment 3 lacks the channel: not evidence
        expected_mean, expected_var = brute_force(others)
        assert mean[segment, 0] == pytest.approx(expected_mean, abs=2e-3)
        assert var[segment, 0] == pytest.approx(expected_var, rel=0.02)
    moved = x.copy()
    moved[0, 0] = 5.0  # its own value is not evidence about itself
    again, _ = random_effects_prediction(moved, precision, present, (np.array([0.0]), np.array([1.0])), 0.3)
    assert again[0, 0] == pytest.approx(mean[0, 0]) and again[1, 0] != pytest.approx(mean[1, 0])


@pytest.fixture(scope="module")
def generated():
    """Two segments with two years and a third cut to its last THIN_WEEKS weeks (a new market)."""
    data = generate_demo(n_segments=3, n_weeks=104, seed=5, channels=CHANNELS, deferred_channel=None, daily=False)
    model_input, registry = model_input_from_demo(data)
    starts = pd.to_datetime(model_input["week_start"])
    recent = starts > starts.max() - pd.Timedelta(weeks=THIN_WEEKS)
    model_input = model_input[(model_input["segment_id"] != THIN) | recent].reset_index(drop=True)
    return data, model_input, registry


def _summary(artifacts: pd.DataFrame, segment: str, parameter: str = "roi") -> pd.DataFrame:
    rows = artifacts[(artifacts["artifact"] == "summary") & (artifacts["parameter"] == parameter)]
    return rows[rows["segment_id"] == segment].set_index("channel")


def test_a_thin_segment_borrows_from_the_population_and_each_segment_is_its_own_run(generated):
    """Pooled, the thin segment's ROI intervals narrow and its error falls (the other segments'
    curves inform its prior); every segment is its own NUTS run, with its own divergences and R-hat."""
    data, model_input, registry = generated
    unpooled = fit_segments(model_input, registry, CONFIG, progress=lambda _: None)
    lines = []
    pooled = fit_segments(model_input, registry, {**CONFIG, "pooling": "partial"}, progress=lines.append)
    assert sum("stage 1 of 2" in line for line in lines) == 3
    truth = {c: v["roi"] for c, v in data.truth["segments"][THIN]["channels"].items()}
    figures = {}
    for name, frame in (("none", unpooled), ("partial", pooled)):
        roi = _summary(frame, THIN)
        error = np.mean([abs(roi.at[c, "mean"] - truth[c]) / truth[c] for c in roi.index])
        figures[name] = ((roi["p95"] - roi["p05"]).mean(), error)
    assert figures["partial"][0] < figures["none"][0] and figures["partial"][1] < figures["none"][1], figures
    runs = pooled[pooled["artifact"] == "run"].pivot_table(
        index="segment_id", columns="parameter", values="value", aggfunc="first"
    )
    assert runs["max_rhat"].nunique() == 3 and runs["fit_seconds"].nunique() == 3
    details = pooled[(pooled["artifact"] == "run") & (pooled["parameter"] == "pooling")]
    assert set(details["details"]) == {"partial"}
    ids = lambda frame: set(frame.loc[frame["artifact"] == "run", "run_id"])  # noqa: E731
    assert not ids(pooled) & ids(unpooled)  # another methodology, other run ids
