"""Out-of-sample forecast math for the backtests: fold cutoffs, predictive draws and intervals,
interval coverage and MAPE. Pure functions, arrays in and arrays out."""

from __future__ import annotations

import numpy as np

__all__ = ["coverage", "fold_cutoffs", "forecast_mape", "predictive_draws", "predictive_intervals"]

# Published forecast quantiles: the 90% (p05-p95) and 80% (p10-p90) predictive intervals.
FORECAST_QUANTILES = {"p05": 0.05, "p10": 0.10, "p90": 0.90, "p95": 0.95}


def fold_cutoffs(n_weeks: np.ndarray, folds: int, horizon: int, min_train: int) -> np.ndarray:
    """(S, folds) index of each fold's first forecast week: fold j (1-based) cuts segment i at
    n_weeks[i] - j * horizon, and -1 where that leaves fewer than min_train weeks to train on."""
    n = np.asarray(n_weeks, dtype=int)[:, None]
    cut = n - np.arange(1, folds + 1)[None, :] * horizon
    return np.where(cut >= min_train, cut, -1)


def predictive_draws(
    mean: np.ndarray, sigma: np.ndarray, noise: str, df: float, rng: np.random.Generator
) -> np.ndarray:
    """Posterior predictive draws (N, S, T): each draw's mean plus one noise draw of its sigma.

    mean: (N, S, T) and sigma: (N, S) in outcome units; noise 'normal' or 'student_t' (df degrees of
    freedom), the model's likelihood family.
    """
    eps = rng.standard_t(df, size=mean.shape) if noise == "student_t" else rng.standard_normal(mean.shape)
    return mean + np.asarray(sigma)[..., None] * eps


def predictive_intervals(draws: np.ndarray) -> dict[str, np.ndarray]:
    """Mean and the FORECAST_QUANTILES over the leading draw axis."""
    values = np.quantile(draws, list(FORECAST_QUANTILES.values()), axis=0)
    return {"mean": draws.mean(axis=0), **dict(zip(FORECAST_QUANTILES, values, strict=True))}


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of weeks whose actual lies inside [lower, upper]; NaN for no weeks."""
    actual = np.asarray(actual, dtype=float)
    if actual.size == 0:
        return float("nan")
    return float(np.mean((actual >= lower) & (actual <= upper)))


def forecast_mape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean absolute percentage error (0-1) over the weeks with a non-zero actual; NaN if none."""
    actual, forecast = np.asarray(actual, dtype=float), np.asarray(forecast, dtype=float)
    nonzero = np.abs(actual) > 0
    if not nonzero.any():
        return float("nan")
    return float(np.mean(np.abs(actual[nonzero] - forecast[nonzero]) / np.abs(actual[nonzero])))
