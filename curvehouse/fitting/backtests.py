"""Rolling-origin backtests: refit on each segment's weeks before a cutoff and forecast the weeks after.

Fold j = 1..folds cuts every segment at T - j * h (its own T). The fold's posterior is the fit's
chains resumed on the weeks before the cutoff (curvehouse.model.sampling.continue_posterior, as the
holdout refit does): the same compiled program, the adapted step size and mass matrix, a burn-in to
move to the smaller data's posterior. Each fold resumes where the previous fold's chains ended, the
nearest posterior. The forecast of the h weeks after the cutoff is the posterior predictive (mean
plus noise draws) given those weeks' actual spend and controls, which an MMM backtest treats as
known; the trend extrapolates linearly, as it is defined over the whole window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from curvehouse import constants as k
from curvehouse.fitting import forecast_scores as fs
from curvehouse.model.data import ModelData
from curvehouse.model.experiments import ExperimentSet
from curvehouse.model.numpyro_model import model_arrays
from curvehouse.model.sampling import Posterior, continue_posterior
from curvehouse.model.spec import ModelSpec
from curvehouse.posterior import summaries as sm
from curvehouse.posterior.derive import fitted_draws
from curvehouse.posterior.details import details_json

__all__ = ["ARTIFACT", "Backtests", "run_backtests"]

ARTIFACT = "backtest"
SEED_OFFSET = 100  # fold j samples with the fit's seed + SEED_OFFSET + j


@dataclass(frozen=True)
class Backtests:
    """A group's backtests: the 'backtest' artifact rows (one per segment x fold x forecast week)
    and per segment (arrays over the group's segments) the folds run, MAPE (0-1) over all their
    weeks and the share of weeks inside the 80% and 90% predictive intervals (NaN without folds)."""

    rows: pd.DataFrame
    folds: np.ndarray
    mape: np.ndarray
    coverage_80: np.ndarray
    coverage_90: np.ndarray

    def run_metrics(self, i: int) -> dict[str, float]:
        """Segment i's run metrics (the RUN_NUMBERS backtest_*)."""
        return {
            "backtest_folds": float(self.folds[i]),
            "backtest_mape": float(self.mape[i]),
            "backtest_coverage_80": float(self.coverage_80[i]),
            "backtest_coverage_90": float(self.coverage_90[i]),
        }


def run_backtests(
    data: ModelData,
    priors: dict[str, np.ndarray],
    spec: ModelSpec,
    posterior: Posterior,
    run_ids: dict[str, str],
    experiments: ExperimentSet | None = None,
) -> Backtests:
    """Backtest every segment of the fitted group. A segment whose fold would train on fewer than
    spec.backtest.min_train_weeks gets no rows for it (zero folds with too little history). A fold's
    refit keeps the lift tests that ended before its cutoff (what was known then) and masks the others."""
    bt = spec.backtest
    cutoffs = fs.fold_cutoffs(data.n_weeks, bt.folds, bt.horizon_weeks, bt.min_train_weeks)
    burn_in = max(1, min(bt.burn_in, spec.sampler.warmup // 5))
    actual = data.y * data.y_scale[:, None]
    frames, state = [], posterior
    for j in range(bt.folds):
        if not (cutoffs[:, j] >= 0).any():
            break
        test_mask = _forecast_mask(data.time_mask, cutoffs[:, j], bt.horizon_weeks)
        fit_mask = data.time_mask * (1 - _after_mask(data.time_mask, cutoffs[:, j]))
        seed = spec.sampler.seed + SEED_OFFSET + j + 1
        args = {**model_arrays(data, fit_mask), **_known_experiments(experiments, data, cutoffs[:, j])}
        state = continue_posterior(state, args, priors, spec, burn_in, bt.draws, seed)
        draws = fs.predictive_draws(
            fitted_draws(state.samples, data),
            state.flat(k.SIGMA) * data.y_scale,
            spec.noise,
            spec.priors.student_t_df,
            np.random.default_rng(seed),
        )
        intervals = fs.predictive_intervals(draws)
        frames.append(_fold_rows(run_ids, data, j + 1, cutoffs[:, j], test_mask, actual, intervals))
    rows = pd.concat(frames, ignore_index=True) if frames else sm.empty_artifacts()
    return _scored(data.segments, rows, (cutoffs >= 0).sum(axis=1))


def _known_experiments(experiments: ExperimentSet | None, data: ModelData, cutoff: np.ndarray) -> dict[str, np.ndarray]:
    """The group's experiment arrays with every lift test that had not ended before each segment's
    cutoff week masked out (none where the group has no fitted experiments)."""
    if experiments is None or not experiments.arrays:
        return {}
    mask = experiments.arrays["experiment_mask"].copy()
    for r in experiments.rows[experiments.rows["e"] >= 0].itertuples():
        known = cutoff[r.i] >= 0 and pd.Timestamp(r.end_date) < pd.Timestamp(data.weeks[r.i][cutoff[r.i]])
        if not known:
            mask[r.i, r.e] = 0.0
    return {**experiments.arrays, "experiment_mask": mask}


def _after_mask(time_mask: np.ndarray, cutoff: np.ndarray) -> np.ndarray:
    """(S, T) 1 on each segment's weeks from its cutoff on (none where the cutoff is -1)."""
    t = np.arange(time_mask.shape[1])[None, :]
    return ((t >= cutoff[:, None]) & (cutoff[:, None] >= 0)).astype(float) * time_mask


def _forecast_mask(time_mask: np.ndarray, cutoff: np.ndarray, horizon: int) -> np.ndarray:
    """(S, T) 1 on the horizon weeks from each segment's cutoff."""
    t = np.arange(time_mask.shape[1])[None, :]
    return _after_mask(time_mask, cutoff) * (t < cutoff[:, None] + horizon)


def _fold_rows(
    run_ids: dict[str, str],
    data: ModelData,
    fold: int,
    cutoff: np.ndarray,
    test_mask: np.ndarray,
    actual: np.ndarray,
    intervals: dict[str, np.ndarray],
) -> pd.DataFrame:
    rows = []
    for i, segment in enumerate(data.segments):
        if cutoff[i] < 0:
            continue
        cutoff_date = pd.Timestamp(data.weeks[i][cutoff[i]]).date().isoformat()
        for t in np.flatnonzero(test_mask[i]):
            rows.append(
                {
                    "run_id": run_ids[segment],
                    "segment_id": segment,
                    "artifact": ARTIFACT,
                    "parameter": "outcome",
                    "week_start": pd.Timestamp(data.weeks[i][t]),
                    "value": actual[i, t],
                    **{name: v[i, t] for name, v in intervals.items()},
                    "details": details_json(
                        fold=fold, cutoff=cutoff_date, train_weeks=int(cutoff[i]), horizon_week=int(t - cutoff[i] + 1)
                    ),
                }
            )
    frame = pd.DataFrame(rows, columns=list(sm.ARTIFACT_COLUMNS))
    return frame.astype({c: t for c, t in sm.ARTIFACT_COLUMNS.items() if t != "object"})


def _scored(segments: tuple[str, ...], rows: pd.DataFrame, folds: np.ndarray) -> Backtests:
    """Per segment MAPE and interval coverage over all its folds' weeks."""
    scores = {"mape": [], "coverage_80": [], "coverage_90": []}
    for segment in segments:
        r = rows[rows["segment_id"] == segment]
        scores["mape"].append(fs.forecast_mape(r["value"], r["mean"]))
        scores["coverage_80"].append(fs.coverage(r["value"], r["p10"], r["p90"]))
        scores["coverage_90"].append(fs.coverage(r["value"], r["p05"], r["p95"]))
    return Backtests(rows, np.asarray(folds, dtype=int), *(np.asarray(v, dtype=float) for v in scores.values()))
