"""Simulation-based calibration: rank and coverage statistics on an exact posterior, and a tiny SBC run."""

import numpy as np
import pytest

from curvehouse.sbc import central_coverage, rank_histogram, sbc_ranks, thin, uniformity_pvalue
from curvehouse.sbc_bench import QUANTITIES, RANKED_DRAWS, sbc_lines, sbc_summary


def conjugate_cases(n_cases: int, n_draws: int, width: float = 1.0, seed: int = 0):
    """mu ~ N(0, 1), 5 observations ~ N(mu, 1): truths and exact posterior draws (their sd times width)."""
    rng = np.random.default_rng(seed)
    mu = rng.normal(size=n_cases)
    y = rng.normal(mu[:, None], 1.0, (n_cases, 5))
    post_mean, post_sd = y.sum(axis=1) / 6, np.sqrt(1 / 6)
    draws = rng.normal(post_mean[:, None], width * post_sd, (n_cases, n_draws))
    return mu, draws


def test_ranks_count_the_draws_below_the_truth():
    draws = np.array([[0.1, 0.5, 0.9], [0.1, 0.5, 0.9]])
    assert sbc_ranks(np.array([0.6, 0.0]), draws).tolist() == [2, 0]
    assert rank_histogram(np.arange(100), 99, 10).tolist() == [10] * 10
    assert thin(np.arange(600), 99).tolist()[:3] == [0, 6, 12] and thin(np.arange(600), 99)[-1] == 599
    assert thin(np.arange(5), 99).size == 5


def test_an_exact_posterior_is_calibrated_and_an_overconfident_one_is_not():
    truth, draws = conjugate_cases(2000, 400)
    counts = rank_histogram(sbc_ranks(truth, thin(draws, RANKED_DRAWS)), RANKED_DRAWS)
    assert uniformity_pvalue(counts) > 0.001
    for level in (0.5, 0.8, 0.9):
        assert central_coverage(truth, draws, level) == pytest.approx(level, abs=0.04)
    truth, narrow = conjugate_cases(2000, 400, width=0.5, seed=1)
    counts = rank_histogram(sbc_ranks(truth, thin(narrow, RANKED_DRAWS)), RANKED_DRAWS)
    assert uniformity_pvalue(counts) < 1e-6
    assert counts[0] > 2 * counts[5] and counts[-1] > 2 * counts[5]  # U-shaped: truths fall outside
    assert central_coverage(truth, narrow, 0.9) < 0.7


def test_summary_and_its_lines():
    truth, draws = conjugate_cases(300, 200)
    summary = sbc_summary({"mu": truth}, {"mu": draws})
    assert summary["mu"]["n"] == 300 and sum(summary["mu"]["rank_counts"]) == 300
    assert 0.8 < summary["mu"]["coverage90"] <= 1.0
    lines = sbc_lines(summary)
    assert lines[1].startswith("mu") and len(lines) == 2


def test_a_tiny_sbc_run_ranks_every_channel_of_every_segment():
    from curvehouse.sbc_bench import SBC_CHANNELS, run_sbc_bench

    echoed = []
    result = run_sbc_bench(2, {"sampler": {"chains": 2, "warmup": 60, "draws": 60}}, echo=echoed.append)
    assert set(result["quantities"]) == set(QUANTITIES)
    for name, figures in result["quantities"].items():
        assert figures["n"] == 2 * SBC_CHANNELS, name
        assert sum(figures["rank_counts"]) == 2 * SBC_CHANNELS
        assert 0 <= figures["coverage50"] <= figures["coverage80"] <= figures["coverage90"] <= 1
    # Contribution over the window is ROI x spend under the ROI parameterisation: the same ranks.
    assert result["quantities"]["contribution"]["rank_counts"] == result["quantities"]["roi"]["rank_counts"]
    assert any(line.startswith("roi") for line in echoed)
