"""Simulation-based calibration statistics: pure functions of the true values and posterior draws.

On data drawn from the prior, the rank of the true value among posterior draws is uniform and a
central interval of level q covers the truth at rate q (Talts et al., 2018); a model, prior or
sampler that is off shows as skewed or U-shaped rank histograms and coverage away from nominal.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["central_coverage", "rank_histogram", "sbc_ranks", "thin", "uniformity_pvalue"]


def thin(draws: np.ndarray, n: int) -> np.ndarray:
    """n draws evenly spaced along the last axis (fewer, less autocorrelated draws for the ranks)."""
    draws = np.asarray(draws)
    keep = np.linspace(0, draws.shape[-1] - 1, min(n, draws.shape[-1])).round().astype(int)
    return draws[..., keep]


def sbc_ranks(truth: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Per case (truth: (n,), draws: (n, L)): how many draws lie below the truth, in 0..L."""
    truth, draws = np.asarray(truth, dtype=float), np.asarray(draws, dtype=float)
    return (draws < truth[:, None]).sum(axis=1)


def rank_histogram(ranks: np.ndarray, n_draws: int, bins: int = 10) -> np.ndarray:
    """Counts of ranks (0..n_draws) in `bins` equal bins; n_draws + 1 should be a multiple of bins
    so every bin holds as many possible ranks."""
    edges = np.linspace(0, n_draws + 1, bins + 1)
    return np.histogram(np.asarray(ranks), bins=edges)[0]


def uniformity_pvalue(counts: np.ndarray) -> float:
    """Chi-square test of equal bin counts (the ranks' uniformity); small p: miscalibrated."""
    counts = np.asarray(counts, dtype=float)
    return float(stats.chisquare(counts).pvalue)


def central_coverage(truth: np.ndarray, draws: np.ndarray, level: float) -> float:
    """Share of cases whose truth lies in the central `level` interval of its draws (n,) x (n, d)."""
    truth, draws = np.asarray(truth, dtype=float), np.asarray(draws, dtype=float)
    lower, upper = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=1)
    return float(((lower <= truth) & (truth <= upper)).mean())
