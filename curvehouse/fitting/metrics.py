"""Goodness of fit: R2 and MAPE in sample, and on each segment's last weeks as if held out.

The holdout figures come from approximate leave-future-out (PSIS) where its weights are reliable,
else from the fit's chains resumed on the data without those weeks.
"""

from __future__ import annotations

import arviz as az
import numpy as np

from curvehouse import constants as k
from curvehouse.model.data import ModelData
from curvehouse.model.noise import noise_distribution
from curvehouse.model.numpyro_model import model_arrays
from curvehouse.model.sampling import Posterior, continue_posterior
from curvehouse.model.spec import ModelSpec
from curvehouse.posterior.derive import fitted_draws

__all__ = [
    "PARETO_K_MAX",
    "fit_metrics",
    "holdout_metrics",
    "holdout_refit_prediction",
    "pareto_k_threshold",
    "psis_holdout_prediction",
]

PARETO_K_MAX = 0.7  # above this, PSIS weights are unreliable (Vehtari et al. 2024)
# Holdout refit: iterations from the fit's final states to the new posterior (at most a fifth of the warmup).
REFIT_BURN_IN = 200
REFIT_DRAWS = 250  # holdout refit: draws kept per chain (only their mean prediction is used)


def fit_metrics(actual: np.ndarray, predicted: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """R-squared and MAPE over the masked weeks (NaN where undefined: constant or all-zero actuals)."""
    keep = mask > 0
    a, p = actual[keep], predicted[keep]
    ss_tot = float(((a - a.mean()) ** 2).sum())
    r2 = 1 - float(((a - p) ** 2).sum()) / ss_tot if ss_tot > 0 else np.nan
    nonzero = np.abs(a) > 0
    mape = float(np.mean(np.abs(a[nonzero] - p[nonzero]) / np.abs(a[nonzero]))) if nonzero.any() else np.nan
    return {"r2": r2, "mape": mape}


def holdout_metrics(
    data: ModelData,
    priors: dict[str, np.ndarray],
    spec: ModelSpec,
    posterior: Posterior,
    experiments: dict[str, np.ndarray] | None = None,
) -> list[dict[str, float | str]]:
    """Out-of-sample R2 / MAPE on each segment's last holdout weeks, as from a fit without them.

    experiments: the fit's lift-test arrays (curvehouse.model.experiments), kept in a refit.

    Approximate leave-future-out (Buerkner, Gabry & Vehtari 2020): every posterior draw is
    reweighted by 1 / p(y_holdout | draw), Pareto-smoothed, and predicts the held-out weeks.
    Where a segment's smoothed weights are unreliable (Pareto k above the sample-size threshold; with
    a few percent noise, 8 joint weeks usually are) its prediction comes from a refit without those
    weeks, resumed from the fit's adapted chains (see holdout_refit_prediction). Each segment holds
    out min(holdout_weeks, a quarter of its weeks), so it is judged as it would be fitted alone.
    One dict per segment: r2_holdout, mape_holdout, holdout_weeks, holdout_pareto_k, holdout_method.
    """
    n_hold = np.minimum(spec.holdout_weeks, np.asarray(data.n_weeks) // 4)
    hold_mask = np.zeros_like(data.time_mask)
    for i, (n, h) in enumerate(zip(data.n_weeks, n_hold, strict=True)):
        hold_mask[i, n - h : n] = 1
    none = {"r2_holdout": np.nan, "mape_holdout": np.nan, "holdout_weeks": 0, "holdout_pareto_k": np.nan}
    if not n_hold.any():
        return [{**none, "holdout_method": "none"} for _ in data.segments]
    actual = data.y * data.y_scale[:, None]
    predicted, pareto_k = psis_holdout_prediction(data, spec, posterior, hold_mask)
    refit = (n_hold > 0) & ~(pareto_k <= pareto_k_threshold(posterior.flat(k.SIGMA).shape[0]))
    if refit.any():
        refitted = holdout_refit_prediction(data, priors, spec, hold_mask, posterior, experiments)
        predicted = np.where(refit[:, None], refitted, predicted)
    return [
        {
            **{f"{key}_holdout": v for key, v in fit_metrics(actual[i], predicted[i], hold_mask[i]).items()},
            "holdout_weeks": int(n_hold[i]),
            "holdout_pareto_k": float(pareto_k[i]),
            "holdout_method": "refit" if refit[i] else "psis_lfo",
        }
        if n_hold[i] > 0
        else {**none, "holdout_method": "none"}
        for i in range(len(data.segments))
    ]


def pareto_k_threshold(n_draws: int) -> float:
    """Largest Pareto k at which PSIS estimates are reliable for this many draws:
    min(1 - 1 / log10(S), 0.7) (Vehtari et al. 2024)."""
    return min(1 - 1 / np.log10(max(n_draws, 11)), PARETO_K_MAX)


def psis_holdout_prediction(
    data: ModelData, spec: ModelSpec, posterior: Posterior, hold_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Leave-future-out prediction (S, T) from all posterior draws, and Pareto k per segment."""
    fitted = fitted_draws(posterior.samples, data)
    actual = data.y * data.y_scale[:, None]
    sigma = posterior.flat(k.SIGMA) * data.y_scale
    log_lik = (noise_distribution(spec, fitted, sigma[:, :, None]).logpdf(actual[None]) * hold_mask[None]).sum(axis=2)
    log_w, pareto_k = az.psislw(-log_lik.T)  # (S, N) smoothed log weights, k per segment
    weights = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("sn,nst->st", weights, fitted), np.atleast_1d(np.asarray(pareto_k, dtype=float))


def holdout_refit_prediction(
    data: ModelData,
    priors: dict[str, np.ndarray],
    spec: ModelSpec,
    hold_mask: np.ndarray,
    posterior: Posterior,
    experiments: dict[str, np.ndarray] | None = None,
) -> np.ndarray:
    """Posterior-mean prediction (S, T) from a posterior that never saw the holdout weeks.

    The fit's chains resume on the data without those weeks, with their adapted step size and
    mass matrix: REFIT_BURN_IN iterations (at most a fifth of the fit's warmup) to move to the new
    posterior, then REFIT_DRAWS per chain (at most the fit's draws).
    The two posteriors differ by a few weeks of data, so no new warmup is needed; a cold refit cost
    as much as the fit itself.
    """
    fit_mask = data.time_mask * (1 - hold_mask)
    burn_in = max(1, min(REFIT_BURN_IN, spec.sampler.warmup // 5))
    args = {**model_arrays(data, fit_mask), **(experiments or {})}
    refit = continue_posterior(posterior, args, priors, spec, burn_in, REFIT_DRAWS, spec.sampler.seed + 2)
    return fitted_draws(refit.samples, data).mean(0)
