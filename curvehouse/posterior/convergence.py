"""Rank-normalised split R-hat and bulk / tail effective sample sizes for every element at once.

The estimators of Vehtari et al. (2021, "Rank-normalization, folding, and localization"), as
ArviZ computes them (arviz.rhat method "rank", arviz.ess methods "bulk" and "tail"), written over
arrays: ArviZ loops over elements in Python, which at a thousand segments costs more than the fit's
other summaries together. tests/unit/test_convergence.py checks equality with ArviZ.
"""

from __future__ import annotations

import numpy as np
from scipy import fft, special, stats

__all__ = ["convergence", "ess_bulk", "ess_tail", "rank_rhat"]

TAIL_PROBS = (0.05, 0.95)
_BLOM = 3 / 8  # fractional offset of the rank back-transformation (Blom 1958)


def convergence(draws: np.ndarray) -> dict[str, np.ndarray]:
    """R-hat, bulk and tail ESS of draws (chains, draws, *shape), each of shape `shape`."""
    return {"rhat": rank_rhat(draws), "ess_bulk": ess_bulk(draws), "ess_tail": ess_tail(draws)}


def rank_rhat(draws: np.ndarray) -> np.ndarray:
    """The larger of the split R-hats of the rank-normalised draws and of their folded ranks; NaN
    with fewer than 2 chains or 4 draws."""
    x = _elements_last(draws)
    if x.shape[-2] < 2 or x.shape[-1] < 4:
        return np.full(x.shape[:-2], np.nan)
    split = _split_chains(x)
    folded = np.abs(split - np.median(split, axis=(-2, -1), keepdims=True))
    return np.maximum(_rhat(_z_scale(split)), _rhat(_z_scale(folded)))


def ess_bulk(draws: np.ndarray) -> np.ndarray:
    """ESS of the rank-normalised split chains."""
    x = _elements_last(draws)
    if x.shape[-1] < 4:
        return np.full(x.shape[:-2], np.nan)
    return _ess(_z_scale(_split_chains(x)))


def ess_tail(draws: np.ndarray) -> np.ndarray:
    """The smaller ESS of the indicators of the 5% and 95% quantiles (split chains)."""
    x = _elements_last(draws)
    if x.shape[-1] < 4:
        return np.full(x.shape[:-2], np.nan)
    flat = x.reshape(*x.shape[:-2], -1)
    bounds = np.quantile(flat, TAIL_PROBS, axis=-1)  # R's type 7, as ArviZ's mquantiles(1, 1)
    low, high = ((x <= b[..., None, None]).astype(float) for b in bounds)
    return np.minimum(_ess(_split_chains(low)), _ess(_split_chains(high)))


def _elements_last(draws: np.ndarray) -> np.ndarray:
    """(chains, draws, *shape) as (*shape, chains, draws), floats."""
    values = np.asarray(draws, dtype=float)
    return np.moveaxis(values, (0, 1), (-2, -1))


def _split_chains(x: np.ndarray) -> np.ndarray:
    """Each chain's first and last halves as two chains (a middle draw of an odd count dropped)."""
    half = x.shape[-1] // 2
    return np.concatenate([x[..., :half], x[..., -half:]], axis=-2)


def _z_scale(x: np.ndarray) -> np.ndarray:
    """Normal scores of the ranks (average ties) over all chains and draws of each element."""
    flat = x.reshape(*x.shape[:-2], -1)
    ranks = stats.rankdata(flat, method="average", axis=-1)
    scores = special.ndtri((ranks - _BLOM) / (flat.shape[-1] - 2 * _BLOM + 1))
    return scores.reshape(x.shape)


def _rhat(x: np.ndarray) -> np.ndarray:
    """Potential scale reduction of chains (*, chains, draws)."""
    n = x.shape[-1]
    between = n * np.var(x.mean(axis=-1), axis=-1, ddof=1)
    within = np.var(x, axis=-1, ddof=1).mean(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt((between / within + n - 1) / n)


def _autocov(x: np.ndarray) -> np.ndarray:
    """Autocovariance of each chain at every lag (biased, as ArviZ's autocov)."""
    n = x.shape[-1]
    centred = x - x.mean(axis=-1, keepdims=True)
    size = fft.next_fast_len(2 * n)
    spectrum = fft.rfft(centred, n=size, axis=-1)
    return fft.irfft(spectrum * np.conjugate(spectrum), n=size, axis=-1)[..., :n] / n


def _ess(x: np.ndarray) -> np.ndarray:
    """ESS of chains (*, chains, draws) with Geyer's initial positive and monotone sequences.

    ArviZ's loop over lags, element by element, rewritten: the sum runs over the pairs of
    autocorrelations before the first pair that is not positive (and within the draws), each pair
    capped by the ones before it (a running minimum), plus the even autocorrelation after them.
    """
    n_chain, n = x.shape[-2:]
    size = n_chain * n
    acov = _autocov(x)
    mean_var = acov[..., 0].mean(axis=-1) * n / (n - 1.0)
    var_plus = mean_var * (n - 1.0) / n
    if n_chain > 1:
        var_plus = var_plus + np.var(x.mean(axis=-1), axis=-1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = 1.0 - (mean_var[..., None] - acov.mean(axis=-2)) / var_plus[..., None]
    rho[..., 0] = 1.0
    n_pairs = n // 2
    pairs = rho[..., 0 : 2 * n_pairs : 2] + rho[..., 1 : 2 * n_pairs : 2]  # pair k: lags 2k, 2k+1
    longest = max((n - 1) // 2 - 1, 0)  # pairs after the first that ArviZ's lag loop reaches
    not_positive = np.concatenate([~(pairs[..., :longest] > 0), np.ones(pairs.shape[:-1] + (1,), bool)], axis=-1)
    first = not_positive.argmax(axis=-1)  # pairs summed: up to the first not positive, at most `longest`
    capped = np.minimum.accumulate(pairs, axis=-1)
    summed = np.where(np.arange(pairs.shape[-1]) < first[..., None], capped, 0.0).sum(axis=-1)
    even = np.take_along_axis(rho, 2 * first[..., None], axis=-1)[..., 0]
    last = np.take_along_axis(pairs, np.minimum(first, pairs.shape[-1] - 1)[..., None], axis=-1)[..., 0]
    tail = np.where((even > 0) | (last >= 0), even, 0.0)
    tau = np.maximum(-1.0 + 2.0 * summed + tail, 1.0 / np.log10(size))
    ess = size / tau
    constant = np.ptp(x, axis=(-2, -1)) < np.finfo(float).resolution
    return np.where(constant, float(size), np.where(np.isfinite(var_plus) & (var_plus > 0), ess, np.nan))
