"""Fit the built-in MMM for every cleared segment and return its artifacts as one long frame.

This is what the dbt Python model calls (on DuckDB in-process, on Snowflake per partition).
A segment whose data and methodology were fitted before (same run_id) is not fitted again, so
re-running a build on unchanged data adds nothing and keeps the current run current.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import arviz as az
import numpy as np
import pandas as pd
from scipy import stats

from curvehouse import constants as k
from curvehouse.model.checks import SegmentCheck, check_segment
from curvehouse.model.data import ModelData, build_model_data
from curvehouse.model.numpyro_model import expected_outcome, model_arrays
from curvehouse.model.priors import build_priors
from curvehouse.model.sampling import Posterior, continue_posterior, sample_posterior, segment_diagnostics
from curvehouse.model.spec import ModelSpec, spec_from_config
from curvehouse.posterior import summaries as sm
from curvehouse.posterior.derive import channel_draws, component_draws, curve_draws, fitted_draws

__all__ = ["fit_segments", "run_id_for"]

PARETO_K_MAX = 0.7  # above this, PSIS weights are unreliable (Vehtari et al. 2024)
REFIT_BURN_IN = 200  # holdout refit: iterations from the fit's final states to the new posterior (at most a fifth of the warmup)
REFIT_DRAWS = 250  # holdout refit: draws kept per chain (only their mean prediction is used)
DECOMPOSITION_DRAWS = 400
SEGMENT_SITES = (k.LEVEL, k.INTERCEPT, k.TREND, k.SIGMA, k.GAMMA)


# Registry columns the fit reads: a change to them is a change of method, so it makes a new run.
REGISTRY_FIT_COLUMNS = ("channel", "channel_group", "roi_prior_mean", "roi_prior_sd", "adstock_max_lag")


def run_id_for(segment_rows: pd.DataFrame, spec: ModelSpec, registry: pd.DataFrame) -> str:
    """Deterministic run id: the segment's model input, the methodology version and the registry's
    priors and lags of the segment's channels, hashed."""
    rows = segment_rows.sort_values(["week_start", "variable_kind", "variable_name"])
    text = rows[["week_start", "variable_kind", "variable_name", "value"]].to_csv(index=False, float_format="%.6f")
    channels = set(rows.loc[rows["variable_kind"] == "spend", "variable_name"])
    used = registry[registry["channel"].isin(channels)].reindex(columns=list(REGISTRY_FIT_COLUMNS))
    priors = used.sort_values("channel").to_csv(index=False, float_format="%.6f")
    return hashlib.sha256(f"{spec.version}\n{priors}\n{text}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class _Context:
    spec: ModelSpec
    registry: pd.DataFrame
    refreshed_at: str
    progress: Callable[[str], None]


def fit_segments(
    model_input: pd.DataFrame,
    registry: pd.DataFrame,
    config: dict | None,
    existing_run_ids: frozenset[str] = frozenset(),
    previous: pd.DataFrame | None = None,
    now: datetime | None = None,
    progress: Callable[[str], None] = print,
) -> pd.DataFrame:
    """Artifacts (curvehouse.posterior.summaries.ARTIFACT_COLUMNS) of every new run.

    model_input: the long int_model_input_weekly frame; registry: the channel registry;
    previous: last published parameters (segment_id, channel, parameter, mean, sd) for refresh mode.
    """
    spec = spec_from_config(config)
    if model_input.empty:
        return sm.empty_artifacts()
    model_input = model_input.assign(week_start=pd.to_datetime(model_input["week_start"]))
    if spec.fit_mode == "refresh":
        model_input = _trailing_weeks(model_input, spec.refresh_window_weeks)
    run_ids = {s: run_id_for(rows, spec, registry) for s, rows in model_input.groupby("segment_id")}
    todo = sorted(s for s, r in run_ids.items() if r not in existing_run_ids)
    for segment in sorted(set(run_ids) - set(todo)):
        progress(f"curvehouse: segment {segment!r} unchanged since run {run_ids[segment]}; not refitted")
    if not todo:
        return sm.empty_artifacts()
    lags = {r.channel: int(r.adstock_max_lag) for r in registry.itertuples() if pd.notna(r.adstock_max_lag)}
    data = build_model_data(model_input[model_input["segment_id"].isin(todo)], lags, spec.adstock_max_lag)
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)
    ctx = _Context(spec, registry, stamp.isoformat(sep=" ", timespec="seconds"), progress)

    checks = [check_segment(data, i) for i in range(len(data.segments))]
    frames = [_rejected_before_fit(run_ids, data, i, c, ctx) for i, c in enumerate(checks) if c.reject_reason]
    fit_index = [i for i, c in enumerate(checks) if not c.reject_reason]
    for i in fit_index:
        data = data.without_channels(i, checks[i].dropped_channels)
    groups = [[i] for i in fit_index] if spec.pooling == "none" else ([fit_index] if fit_index else [])
    for group in groups:
        frames.append(_fit_group(data.take(group), [checks[i] for i in group], run_ids, ctx, previous))
    return pd.concat(frames, ignore_index=True) if frames else sm.empty_artifacts()


def _trailing_weeks(model_input: pd.DataFrame, n_weeks: int) -> pd.DataFrame:
    last = model_input.groupby("segment_id")["week_start"].transform("max")
    return model_input[model_input["week_start"] > last - pd.Timedelta(weeks=n_weeks)]


def _fit_group(data: ModelData, checks: list[SegmentCheck], run_ids: dict[str, str], ctx: _Context,
               previous: pd.DataFrame | None) -> pd.DataFrame:
    """Fit one group of segments (one segment, or all under partial pooling) and summarise it."""
    spec = ctx.spec
    names = ", ".join(data.segments)
    ctx.progress(f"curvehouse: fitting {names} ({int(data.n_weeks.max())} weeks, "
                 f"{int(data.channel_mask.sum())} channel curves, {spec.sampler.chains} chains x "
                 f"{spec.sampler.warmup}+{spec.sampler.draws} draws)")
    started = time.perf_counter()
    priors = build_priors(data, spec, ctx.registry, previous if spec.fit_mode == "refresh" else None)
    args = model_arrays(data)
    posterior = sample_posterior(args, priors, spec)
    prior = posterior.prior
    quantities = channel_draws(posterior.samples, data)
    prior_quantities = channel_draws({name: v[None] for name, v in prior.items()}, data)
    diagnostics = segment_diagnostics(posterior, _sites(posterior), data.channel_mask)
    parts = component_draws(posterior.samples, data, DECOMPOSITION_DRAWS)
    fitted = expected_outcome(parts)
    holdout = _holdout_metrics(data, priors, spec, posterior)
    actual = data.y * data.y_scale[:, None]
    seconds = time.perf_counter() - started
    ctx.progress(f"curvehouse: fitted {names} in {seconds:.1f}s")

    frames = [
        _parameters(run_ids, data, posterior, prior, quantities, prior_quantities),
        _draws(run_ids, data, posterior, prior, quantities, prior_quantities, spec.sampler.draws_kept),
        _curves_and_summary(run_ids, data, quantities, spec),
        _decomposition(run_ids, data, parts, fitted, actual),
    ]
    curves = frames[2]
    for i, segment in enumerate(data.segments):
        metrics = _fit_metrics(actual[i], fitted.mean(axis=0)[i], data.time_mask[i])
        finite = _all_finite(curves[curves["segment_id"] == segment])
        frames.append(_run_rows(run_ids[segment], segment, data, i, ctx, seconds, posterior, diagnostics,
                                metrics, holdout[i], checks[i], finite))
    return pd.concat(frames, ignore_index=True)


def _all_finite(rows: pd.DataFrame) -> bool:
    """Curve points (mean and 90% interval) and summary metrics (mean) are all finite numbers."""
    curve = rows.loc[rows["artifact"] == "curve", ["mean", "p05", "p95"]].to_numpy(dtype=float)
    summary = rows.loc[rows["artifact"] == "summary", "mean"]
    return bool(np.isfinite(curve).all() and np.isfinite(summary.to_numpy(dtype=float)).all())


def _sites(posterior: Posterior) -> tuple[str, ...]:
    present = set(posterior.samples)
    return tuple(s for s in (*k.CHANNEL_SITES, *SEGMENT_SITES) if s in present)


def _holdout_metrics(data: ModelData, priors: dict, spec: ModelSpec,
                     posterior: Posterior) -> list[dict[str, float | str]]:
    """Out-of-sample R2 / MAPE on each segment's last holdout weeks, as from a fit without them.

    Approximate leave-future-out (Buerkner, Gabry & Vehtari 2020): every posterior draw is
    reweighted by 1 / p(y_holdout | draw), Pareto-smoothed, and predicts the held-out weeks.
    Where the smoothed weights are unreliable (Pareto k above the sample-size threshold for any
    segment; with a few percent noise, 8 joint weeks usually are) the group is refitted without
    those weeks, resumed from the fit's adapted chains (see holdout_refit_prediction).
    """
    n_hold = min(spec.holdout_weeks, int(data.n_weeks.min()) // 4)
    if n_hold < 1:
        return [{"r2_holdout": np.nan, "mape_holdout": np.nan, "holdout_weeks": 0, "holdout_pareto_k": np.nan,
                 "holdout_method": "none"} for _ in data.segments]
    hold_mask = np.zeros_like(data.time_mask)
    for i, n in enumerate(data.n_weeks):
        hold_mask[i, n - n_hold: n] = 1
    actual = data.y * data.y_scale[:, None]
    predicted, pareto_k = psis_holdout_prediction(data, spec, posterior, hold_mask)
    method = "psis_lfo"
    if not np.all(pareto_k <= pareto_k_threshold(posterior.flat(k.SIGMA).shape[0])):
        predicted, method = holdout_refit_prediction(data, priors, spec, hold_mask, posterior), "refit"
    return [{**{f"{key}_holdout": v for key, v in _fit_metrics(actual[i], predicted[i], hold_mask[i]).items()},
             "holdout_weeks": n_hold, "holdout_pareto_k": float(pareto_k[i]), "holdout_method": method}
            for i in range(len(data.segments))]


def pareto_k_threshold(n_draws: int) -> float:
    """Largest Pareto k at which PSIS estimates are reliable for this many draws:
    min(1 - 1 / log10(S), 0.7) (Vehtari et al. 2024)."""
    return min(1 - 1 / np.log10(max(n_draws, 11)), PARETO_K_MAX)


def psis_holdout_prediction(data: ModelData, spec: ModelSpec, posterior: Posterior,
                            hold_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leave-future-out prediction (S, T) from all posterior draws, and Pareto k per segment."""
    fitted = fitted_draws(posterior.samples, data)
    actual = data.y * data.y_scale[:, None]
    sigma = posterior.flat(k.SIGMA) * data.y_scale
    log_lik = (_noise_logpdf(actual[None], fitted, sigma[:, :, None], spec) * hold_mask[None]).sum(axis=2)
    log_w, pareto_k = az.psislw(-log_lik.T)  # (S, N) smoothed log weights, k per segment
    weights = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("sn,nst->st", weights, fitted), np.atleast_1d(np.asarray(pareto_k, dtype=float))


def _noise_logpdf(y: np.ndarray, mean: np.ndarray, scale: np.ndarray, spec: ModelSpec) -> np.ndarray:
    """Pointwise log density of the model's noise family."""
    if spec.noise == "student_t":
        return stats.t.logpdf(y, spec.priors.student_t_df, loc=mean, scale=scale)
    return stats.norm.logpdf(y, loc=mean, scale=scale)


def holdout_refit_prediction(data: ModelData, priors: dict, spec: ModelSpec, hold_mask: np.ndarray,
                             posterior: Posterior) -> np.ndarray:
    """Posterior-mean prediction (S, T) from a posterior that never saw the holdout weeks.

    The fit's chains resume on the data without those weeks, with their adapted step size and
    mass matrix: REFIT_BURN_IN iterations (at most a fifth of the fit's warmup) to move to the new
    posterior, then REFIT_DRAWS per chain (at most the fit's draws).
    The two posteriors differ by a few weeks of data, so no new warmup is needed; a cold refit cost
    as much as the fit itself.
    """
    fit_mask = data.time_mask * (1 - hold_mask)
    burn_in = max(1, min(REFIT_BURN_IN, spec.sampler.warmup // 5))
    refit = continue_posterior(posterior, model_arrays(data, fit_mask), priors, spec, burn_in,
                               REFIT_DRAWS, spec.sampler.seed + 2)
    return fitted_draws(refit.samples, data).mean(0)


def _fit_metrics(actual: np.ndarray, predicted: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """R-squared and MAPE over the masked weeks."""
    keep = mask > 0
    a, p = actual[keep], predicted[keep]
    ss_tot = float(((a - a.mean()) ** 2).sum())
    r2 = 1 - float(((a - p) ** 2).sum()) / ss_tot if ss_tot > 0 else np.nan
    nonzero = np.abs(a) > 0
    mape = float(np.mean(np.abs(a[nonzero] - p[nonzero]) / np.abs(a[nonzero]))) if nonzero.any() else np.nan
    return {"r2": r2, "mape": mape}


def _labels(data: ModelData) -> dict[str, tuple[str, ...] | None]:
    labels: dict[str, tuple[str, ...] | None] = {name: data.channels for name in
                                                  ("roi", "contribution", "saturation_max", "half_point", "slope",
                                                   "theta", "adstock_half_life")}
    labels.update({k.LEVEL: None, k.INTERCEPT: None, k.TREND: None, k.SIGMA: None, k.GAMMA: data.controls})
    return labels


def _segment_level(samples: dict[str, np.ndarray], data: ModelData, lead: int) -> dict[str, np.ndarray]:
    """Segment-level sites in outcome currency per week (gamma: per standard deviation of the control)."""
    scale = data.y_scale
    out = {}
    for name in SEGMENT_SITES:
        if name in samples:
            v = samples[name]
            shape = (1,) * lead + (len(scale),) + (1,) * (v.ndim - lead - 1)
            out[name] = v * scale.reshape(shape)
    return out


def _parameters(run_ids, data, posterior, prior, quantities, prior_quantities) -> pd.DataFrame:
    post = {**quantities, **_segment_level(posterior.samples, data, 2)}
    pri = {**{n: v[0] for n, v in prior_quantities.items()}, **_segment_level(prior, data, 1)}
    return sm.parameter_rows(run_ids, data.segments, _labels(data), post, pri)


def _draws(run_ids, data, posterior, prior, quantities, prior_quantities, keep: int) -> pd.DataFrame:
    post = {**quantities, **_segment_level(posterior.samples, data, 2)}
    pri = {**{n: v[0] for n, v in prior_quantities.items()}, **_segment_level(prior, data, 1)}
    labels = _labels(data)
    return pd.concat([sm.draw_rows(run_ids, data.segments, labels, post, "posterior", keep),
                      sm.draw_rows(run_ids, data.segments, labels, pri, "prior", keep)], ignore_index=True)


def _curves_and_summary(run_ids, data: ModelData, quantities, spec: ModelSpec) -> pd.DataFrame:
    flat = {n: v.reshape((-1,) + v.shape[2:]) for n, v in quantities.items()}
    spend = data.spend * data.time_mask[..., None]
    top = spend.max(axis=1)
    bottom = np.where(data.time_mask[..., None] > 0, data.spend, np.inf).min(axis=1)
    grid = top[..., None] * np.linspace(0.0, 1.0, spec.curve_grid_points)
    current = np.zeros_like(top)
    for i, n in enumerate(data.n_weeks):
        current[i] = data.spend[i, max(0, n - spec.current_spend_weeks): n].mean(axis=0)
    curves = curve_draws(flat, grid, current)
    half_med = np.nanmedian(flat["half_point"], axis=0)
    inflection = np.nanmedian(curves["inflection"], axis=0)
    scalars = {"current_weekly_spend": current, "spend": data.total_spend, "max_weekly_spend": top,
               "min_weekly_spend": bottom,
               "inflection_spend": inflection, "half_point_median": half_med}
    summary_q = {**{n: flat[n] for n in ("roi", "contribution", "saturation_max", "half_point", "slope",
                                         "adstock_half_life")},
                 "marginal_roi": curves["marginal_roi_now"], "response_at_current": curves["response_now"]}
    return pd.concat([
        sm.curve_rows(run_ids, data.segments, data.channels, grid, curves["response"], curves["marginal_roi"],
                      data.channel_mask),
        sm.summary_rows(run_ids, data.segments, data.channels, summary_q, scalars, data.channel_mask),
    ], ignore_index=True)


def _decomposition(run_ids, data: ModelData, parts, fitted, actual) -> pd.DataFrame:
    components = {"baseline": parts["baseline"], "trend": parts["trend"]}
    kinds = {"baseline": "baseline", "trend": "trend", "fitted": "fitted"}
    names: dict[str, str] = {}
    seasonal = [j for j, c in enumerate(data.controls) if c.startswith("fourier_")]
    if seasonal:
        components["seasonality"] = parts["controls"][..., seasonal].sum(-1)
        kinds["seasonality"] = "seasonality"
    for j, control in enumerate(data.controls):
        if j not in seasonal:
            components[control] = parts["controls"][..., j]
            kinds[control] = "holiday" if control == "holidays" else "control"
    for c, channel in enumerate(data.channels):
        if data.channel_mask[:, c].any():
            key = f"channel:{channel}"
            components[key] = parts["media"][..., c]
            kinds[key] = "channel"
            names[key] = channel
    components["fitted"] = fitted
    frame = sm.decomposition_rows(run_ids, data.weeks, data.segments, components, names, kinds, actual)
    is_channel = frame["details"] == "channel"
    frame.loc[is_channel, "parameter"] = frame.loc[is_channel, "channel"]
    present = {(s, c) for i, s in enumerate(data.segments) for j, c in enumerate(data.channels)
               if data.channel_mask[i, j] > 0}
    lacks = is_channel & np.array([(s, c) not in present for s, c in zip(frame["segment_id"], frame["channel"])])
    return frame[~lacks]


def _run_rows(run_id, segment, data: ModelData, i, ctx: _Context, seconds, posterior: Posterior, diagnostics,
              metrics, holdout, check: SegmentCheck, finite: bool) -> pd.DataFrame:
    spec = ctx.spec
    worst = {key: float(v[i]) for key, v in diagnostics["per_segment"].items()}
    divergences = int(posterior.diverging.sum())
    reasons = _publish_failures(spec, worst, divergences, metrics["r2"], finite)
    numbers = {
        "n_weeks": float(data.n_weeks[i]), "n_channels": float(data.channel_mask[i].sum()),
        "fit_seconds": seconds, "divergences": float(divergences), **worst,
        "r2_in_sample": metrics["r2"], "mape_in_sample": metrics["mape"],
        "r2_holdout": holdout["r2_holdout"], "mape_holdout": holdout["mape_holdout"],
        "holdout_weeks": float(holdout["holdout_weeks"]), "holdout_pareto_k": holdout["holdout_pareto_k"],
        "chains": float(spec.sampler.chains),
        "warmup": float(spec.sampler.warmup), "draws": float(spec.sampler.draws), "seed": float(spec.sampler.seed),
    }
    texts = {
        "status": k.STATUS_REJECTED if reasons else k.STATUS_PUBLISHED,
        "status_reason": "; ".join(reasons) if reasons else "passed diagnostics",
        "warnings": "; ".join(check.warnings),
        "holdout_method": holdout["holdout_method"],
        **_run_texts(data, i, ctx),
    }
    if reasons:
        ctx.progress(f"curvehouse: run {run_id} for segment {segment!r} rejected: {texts['status_reason']}")
    return _metric_rows(run_id, segment, numbers, texts)


def _run_texts(data: ModelData, i: int, ctx: _Context) -> dict[str, str]:
    n = int(data.n_weeks[i])
    spec = ctx.spec
    return {
        "refreshed_at": ctx.refreshed_at,
        "data_window_start": pd.Timestamp(data.weeks[i][0]).date().isoformat(),
        "data_window_end": (pd.Timestamp(data.weeks[i][n - 1]) + pd.Timedelta(days=6)).date().isoformat(),
        "methodology_version": spec.version,
        "methodology": json.dumps(spec.to_dict(), sort_keys=True),
        "pooling": spec.pooling, "noise": spec.noise, "fit_mode": spec.fit_mode,
        "channels": ",".join(c for c, m in zip(data.channels, data.channel_mask[i]) if m > 0),
    }


def _publish_failures(spec: ModelSpec, worst: dict[str, float], divergences: int, r2: float,
                      quantities_finite: bool) -> list[str]:
    p = spec.publish
    reasons = []
    if not worst["max_rhat"] <= p.rhat_max:
        reasons.append(f"max R-hat {worst['max_rhat']:.3f} > {p.rhat_max}")
    if not min(worst["min_ess_bulk"], worst["min_ess_tail"]) >= p.ess_min:
        reasons.append(f"min ESS {min(worst['min_ess_bulk'], worst['min_ess_tail']):.0f} < {p.ess_min:.0f}")
    if divergences > p.divergences_max:
        reasons.append(f"{divergences} divergent transitions > {p.divergences_max}")
    if not (r2 >= p.r2_min):
        reasons.append(f"in-sample R2 {r2:.2f} < {p.r2_min}")
    if not quantities_finite:
        reasons.append("non-finite values in the curves or channel summary (never published)")
    return reasons


def _metric_rows(run_id: str, segment: str, numbers: dict[str, float], texts: dict[str, str]) -> pd.DataFrame:
    rows = [{"run_id": run_id, "segment_id": segment, "artifact": "run", "parameter": name,
             "value": float(v) if v is not None and np.isfinite(v) else np.nan} for name, v in numbers.items()]
    rows += [{"run_id": run_id, "segment_id": segment, "artifact": "run", "parameter": name, "details": v}
             for name, v in texts.items()]
    return pd.DataFrame(rows, columns=list(sm.ARTIFACT_COLUMNS)).astype(
        {c: t for c, t in sm.ARTIFACT_COLUMNS.items() if t != "object"})


def _rejected_before_fit(run_ids, data: ModelData, i: int, check: SegmentCheck, ctx: _Context) -> pd.DataFrame:
    """A run row for a segment whose data cannot be fitted: stored as rejected with the reason."""
    segment = data.segments[i]
    ctx.progress(f"curvehouse: segment {segment!r} not fitted: {check.reject_reason}")
    texts = {"status": k.STATUS_REJECTED, "status_reason": check.reject_reason,
             "warnings": "; ".join(check.warnings), **_run_texts(data, i, ctx)}
    return _metric_rows(run_ids[segment], segment, {"n_weeks": float(data.n_weeks[i]), "fit_seconds": 0.0}, texts)
