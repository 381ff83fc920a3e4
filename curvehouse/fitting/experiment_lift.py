"""Each experiment's measured lift beside the model's predicted lift before and after calibration.

"After" is the fit's own posterior (which saw the experiments). "Before" is the posterior without
them, got without a second fit: the draws are reweighted by 1 / p(experiments | draw) with
Pareto-smoothed importance sampling, as the holdout check does (curvehouse.fitting.metrics); where
Pareto k is above the reliable threshold for any segment of the group, the fit's chains resume on the
data with the experiment terms masked out (same shapes, so the fit's compiled program runs it).
Rows: artifact 'experiment', parameters measured_lift, predicted_lift_before, predicted_lift_after.
"""

from __future__ import annotations

import json

import arviz as az
import numpy as np
import pandas as pd

from curvehouse import constants as k
from curvehouse.fitting.metrics import REFIT_BURN_IN, REFIT_DRAWS, pareto_k_threshold
from curvehouse.model.data import ModelData
from curvehouse.model.experiments import (
    STATUS_FITTED,
    ExperimentSet,
    lift_log_likelihood,
    predicted_lift,
    without_experiments,
)
from curvehouse.model.sampling import Posterior, continue_posterior
from curvehouse.model.spec import ModelSpec
from curvehouse.posterior import summaries as sm
from curvehouse.posterior.details import details_json

__all__ = [
    "AGREES",
    "DISAGREES",
    "MEASURED_Z90",
    "NOT_FITTED",
    "experiment_artifacts",
    "experiment_disagreement_counts",
    "experiment_frame",
    "lift_agreement",
    "lift_draws",
    "lift_before_calibration",
    "not_fitted_experiment_frame",
    "weighted_interval",
]

AGREES, DISAGREES, NOT_FITTED = "agrees", "disagrees", "not_fitted"
MEASURED_Z90 = 1.645  # measured lift +- this many standard errors: its 90% interval
ARTIFACT = "experiment"


def experiment_artifacts(
    run_ids: dict[str, str],
    exps: ExperimentSet,
    args: dict[str, np.ndarray],
    data: ModelData,
    priors: dict[str, np.ndarray],
    spec: ModelSpec,
    posterior: Posterior,
) -> pd.DataFrame:
    """The experiment rows of a fitted group (empty frame when it has no experiments).

    args: the fit's model arguments, experiment arrays included.
    """
    if not exps.arrays:
        return experiment_frame(run_ids, data, exps)
    before, pareto_k, method = lift_before_calibration(exps, args, data, priors, spec, posterior)
    after = sm.interval_stats(lift_draws(posterior.samples, exps.arrays, data))
    return experiment_frame(run_ids, data, exps, before, after, pareto_k, method)


def lift_draws(samples: dict[str, np.ndarray], arrays: dict[str, np.ndarray], data: ModelData) -> np.ndarray:
    """Predicted weekly lift per draw (chains flattened) in outcome currency: (N, S, E)."""

    def flat(name: str) -> np.ndarray:
        return samples[name].reshape((-1,) + samples[name].shape[2:])

    lift = predicted_lift(flat(k.BETA), flat(k.HALF_POINT), flat(k.SLOPE), arrays)
    return np.asarray(lift, dtype=float) * data.y_scale[None, :, None]


def lift_before_calibration(
    exps: ExperimentSet,
    args: dict[str, np.ndarray],
    data: ModelData,
    priors: dict[str, np.ndarray],
    spec: ModelSpec,
    posterior: Posterior,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Interval of the predicted lift (S, E) from the posterior without the experiments, Pareto k per
    segment (NaN without experiments) and the method per segment: 'psis', or 'refit' where its Pareto k
    is above the threshold (the group's chains then resume without the experiments once).

    args: the fit's model arguments, experiment arrays included.
    """
    arrays = exps.arrays
    draws = lift_draws(posterior.samples, arrays, data)
    scaled = draws / data.y_scale[None, :, None]
    log_lik = lift_log_likelihood(scaled, {n: v.astype(float) for n, v in arrays.items()})  # (N, S)
    has = arrays["experiment_mask"].sum(-1) > 0
    pareto_k = np.full(len(data.segments), np.nan)
    log_w, k_has = az.psislw(-log_lik[:, has].T)
    pareto_k[has] = np.atleast_1d(np.asarray(k_has, dtype=float))
    weights = np.full((len(data.segments), draws.shape[0]), 1.0 / draws.shape[0])
    weights[has] = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    interval = weighted_interval(draws, weights)
    refit = has & ~(pareto_k <= pareto_k_threshold(draws.shape[0]))
    if refit.any():
        burn_in = max(1, min(REFIT_BURN_IN, spec.sampler.warmup // 5))
        resumed = continue_posterior(
            posterior, without_experiments(args), priors, spec, burn_in, REFIT_DRAWS, spec.sampler.seed + 3
        )
        refit_draws = lift_draws(resumed.samples, arrays, data)
        uniform = np.full((len(data.segments), refit_draws.shape[0]), 1.0 / refit_draws.shape[0])
        refitted = weighted_interval(refit_draws, uniform)
        interval = {q: np.where(refit[:, None], refitted[q], v) for q, v in interval.items()}
    return interval, pareto_k, np.where(refit, "refit", "psis")


def weighted_interval(draws: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """Weighted mean, sd, p05 and p95 of draws (N, S, E) with normalised weights (S, N): each (S, E).
    A quantile interpolates between draws placed at the middle of their weight (np.interp's rule),
    for every segment and experiment at once."""
    x = np.moveaxis(draws, 0, -1)  # (S, E, N)
    w = np.broadcast_to(weights[:, None, :], x.shape)
    mean = (w * x).sum(axis=-1)
    sd = np.sqrt((w * (x - mean[..., None]) ** 2).sum(axis=-1))
    order = np.argsort(x, axis=-1)
    ordered, ordered_w = np.take_along_axis(x, order, -1), np.take_along_axis(w, order, -1)
    centre = np.cumsum(ordered_w, axis=-1) - ordered_w / 2
    p05, p95 = (_interp_last_axis(q, centre, ordered) for q in (0.05, 0.95))
    return {"mean": mean, "sd": sd, "p05": p05, "p95": p95}


def _interp_last_axis(q: float, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """np.interp(q, xp[..., :], fp[..., :]) for every leading index (xp increasing along the last axis)."""
    upper = np.clip((xp < q).sum(axis=-1, keepdims=True), 1, xp.shape[-1] - 1)
    x0, x1 = np.take_along_axis(xp, upper - 1, -1), np.take_along_axis(xp, upper, -1)
    f0, f1 = np.take_along_axis(fp, upper - 1, -1), np.take_along_axis(fp, upper, -1)
    gap = x1 - x0
    t = np.clip(np.divide(q - x0, gap, out=np.ones_like(gap), where=gap > 0), 0.0, 1.0)
    return (f0 + t * (f1 - f0))[..., 0]


def lift_agreement(
    measured: float, measured_sd: float, before_mean: float, before_p05: float, before_p95: float
) -> str:
    """'disagrees' when the measured lift lies outside the model's 90% interval before calibration and
    the model's mean lies outside the measured 90% interval (beyond both intervals); else 'agrees';
    'not_fitted' without a prediction."""
    if not np.isfinite(before_mean):
        return NOT_FITTED
    outside_model = measured < before_p05 or measured > before_p95
    outside_measured = abs(before_mean - measured) > MEASURED_Z90 * measured_sd
    return DISAGREES if outside_model and outside_measured else AGREES


def experiment_frame(
    run_ids: dict[str, str],
    data: ModelData,
    exps: ExperimentSet,
    before: dict[str, np.ndarray] | None = None,
    after: dict[str, np.ndarray] | None = None,
    pareto_k: np.ndarray | None = None,
    method: np.ndarray | None = None,
) -> pd.DataFrame:
    """Rows of every experiment of the group: measured lift, and predicted lift before and after
    calibration (intervals (S, E) by statistic) for the fitted ones; details carry experiment_id,
    status, reason, agreement, before_method and pareto_k."""
    rows = []
    for r in exps.rows.itertuples():
        segment = data.segments[r.i]
        fitted = r.status == STATUS_FITTED and before is not None and after is not None
        pred = {}
        if fitted:
            pred = {
                "predicted_lift_before": {q: float(before[q][r.i, r.e]) for q in ("mean", "sd", "p05", "p95")},
                "predicted_lift_after": {q: float(after[q][r.i, r.e]) for q in ("mean", "sd", "p05", "p95")},
            }
        b = pred.get("predicted_lift_before", {})
        agreement = lift_agreement(
            float(r.lift_weekly),
            float(r.lift_weekly_sd),
            b.get("mean", np.nan),
            b.get("p05", np.nan),
            b.get("p95", np.nan),
        )
        details = details_json(
            experiment_id=r.experiment_id,
            status=r.status,
            reason=r.reason or None,
            agreement=agreement,
            before_method=str(method[r.i]) if fitted and method is not None else None,
            pareto_k=pareto_k[r.i] if fitted and pareto_k is not None else None,
        )
        rows += _rows(run_ids[segment], segment, r, pred, details)
    return _frame(rows)


def not_fitted_experiment_frame(run_id: str, segment: str, experiments: pd.DataFrame, reason: str) -> pd.DataFrame:
    """Rows recording a segment's experiments when the segment itself is not fitted."""
    rows = []
    for r in experiments.itertuples():
        details = details_json(experiment_id=r.experiment_id, status="not_fitted", reason=reason, agreement=NOT_FITTED)
        rows += _rows(run_id, segment, r, {}, details)
    return _frame(rows)


def _rows(run_id: str, segment: str, r: object, predicted: dict[str, dict[str, float]], details: str) -> list[dict]:
    lift, sd = float(r.lift_weekly), float(r.lift_weekly_sd)
    measured = {"mean": lift, "sd": sd, "p05": lift - MEASURED_Z90 * sd, "p95": lift + MEASURED_Z90 * sd}
    base = {"run_id": run_id, "segment_id": segment, "artifact": ARTIFACT, "channel": r.channel, "details": details}
    return [{**base, "parameter": name, **stats} for name, stats in {"measured_lift": measured, **predicted}.items()]


def _frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        return sm.empty_artifacts()
    frame = pd.DataFrame(rows, columns=list(sm.ARTIFACT_COLUMNS))
    return frame.astype({c: t for c, t in sm.ARTIFACT_COLUMNS.items() if t != "object"})


def experiment_disagreement_counts(artifacts: pd.DataFrame) -> dict[str, int]:
    """Per segment with experiments in these fit artifacts, how many disagree with the model before
    calibration (see lift_agreement); segments without experiments are absent."""
    rows = artifacts[(artifacts["artifact"] == ARTIFACT) & (artifacts["parameter"] == "measured_lift")]
    disagrees = rows["details"].map(lambda d: json.loads(d)["agreement"] == DISAGREES)
    return {str(s): int(n) for s, n in disagrees.groupby(rows["segment_id"]).sum().items()}
