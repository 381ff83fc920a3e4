"""A fit's artifact rows (curvehouse.posterior.summaries.ARTIFACT_COLUMNS): parameters, draws,
response curves and channel summary, weekly decomposition, and the run rows that record how the fit
went and whether it was published."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from curvehouse import constants as k
from curvehouse.model.checks import SegmentCheck
from curvehouse.model.data import ModelData
from curvehouse.model.organic import ORGANIC
from curvehouse.model.sampling import Posterior
from curvehouse.model.spec import ModelSpec
from curvehouse.posterior import summaries as sm
from curvehouse.posterior.artifact_names import check_names
from curvehouse.posterior.derive import TREATMENT_QUANTITIES, curve_draws
from curvehouse.posterior.details import details_json

__all__ = [
    "SEGMENT_SITES",
    "curve_and_summary_frame",
    "decomposition_frame",
    "draw_frame",
    "parameter_frame",
    "rejected_run_frame",
    "run_records",
]

# Segment-level sites, stored in outcome currency per week (gamma: per standard deviation of the control).
SEGMENT_SITES = (k.LEVEL, k.INTERCEPT, k.TREND, k.SIGMA, k.GAMMA)


def parameter_frame(
    run_ids: dict[str, str],
    data: ModelData,
    posterior: Posterior,
    quantities: dict[str, np.ndarray],
    prior_quantities: dict[str, np.ndarray],
    prior_kinds: dict[str, str] | None = None,
    units: dict[str, str | None] | None = None,
    treatment_units: dict[str, str | None] | None = None,
) -> pd.DataFrame:
    """Posterior and prior summaries of every channel and segment-level parameter (prior_kinds:
    channel -> roi | mroi | share, units: organic channel -> unit, for the details of those rows).

    quantities: channel draws by chain (curvehouse.posterior.derive.channel_draws of the posterior);
    prior_quantities: the same of the prior draws, with a leading axis of one; treatment_units: the
    registry's unit of each non-media treatment (carried in its rows' details).
    """
    post = {**quantities, **_segment_level(posterior.samples, data, 2)}
    pri = {**{n: v[0] for n, v in prior_quantities.items()}, **_segment_level(posterior.prior, data, 1)}
    frame = sm.parameter_rows(run_ids, data.segments, _labels(data), post, pri)
    frame = _prior_kind_details(frame, data, prior_kinds or {}, units or {})
    return _with_treatment_details(frame, data, treatment_units or {})


def _prior_kind_details(
    frame: pd.DataFrame, data: ModelData, prior_kinds: dict[str, str], units: dict[str, str | None]
) -> pd.DataFrame:
    """details of the channel parameter rows of channels without an ROI prior: the kind of prior their
    effect had (mroi | share; the rows' prior_* columns are the prior that kind implies for the
    parameter) and, for organic channels, channel_kind and unit."""
    other = {c: kind for c, kind in prior_kinds.items() if kind != "roi"}
    if not other:
        return frame
    organic = set(np.asarray(data.channels)[data.is_organic])
    mine = frame["channel"].isin(other) & (frame["artifact"] == "parameter")
    frame["details"] = frame["details"].astype(object)
    frame.loc[mine, "details"] = [
        details_json(prior_kind=other[c], **({"channel_kind": ORGANIC, "unit": units.get(c)} if c in organic else {}))
        for c in frame.loc[mine, "channel"]
    ]
    return frame


def _with_treatment_details(frame: pd.DataFrame, data: ModelData, units: dict[str, str | None]) -> pd.DataFrame:
    """Treatment parameter rows carry their kind, unit and reference value (x_ref) in details."""
    if not data.treatments:
        return frame
    seg = {s: i for i, s in enumerate(data.segments)}
    col = {t: j for j, t in enumerate(data.treatments)}
    rows = frame["parameter"].isin(list(TREATMENT_QUANTITIES))
    frame["details"] = frame["details"].astype(object)
    frame.loc[rows, "details"] = [
        details_json(channel_kind="non_media", unit=units.get(t), reference_value=data.treatment_ref[seg[s], col[t]])
        for s, t in zip(frame.loc[rows, "segment_id"], frame.loc[rows, "channel"], strict=True)
    ]
    return frame


def draw_frame(
    run_ids: dict[str, str],
    data: ModelData,
    posterior: Posterior,
    quantities: dict[str, np.ndarray],
    prior_quantities: dict[str, np.ndarray],
    keep: int,
) -> pd.DataFrame:
    """Up to `keep` posterior and prior draws of every parameter (as parameter_frame takes them)."""
    post = {**quantities, **_segment_level(posterior.samples, data, 2)}
    pri = {**{n: v[0] for n, v in prior_quantities.items()}, **_segment_level(posterior.prior, data, 1)}
    labels = _labels(data)
    return pd.concat(
        [
            sm.draw_rows(run_ids, data.segments, labels, post, "posterior", keep),
            sm.draw_rows(run_ids, data.segments, labels, pri, "prior", keep),
        ],
        ignore_index=True,
    )


def curve_and_summary_frame(
    run_ids: dict[str, str],
    data: ModelData,
    quantities: dict[str, np.ndarray],
    spec: ModelSpec,
    units: dict[str, str | None] | None = None,
) -> pd.DataFrame:
    """Response and marginal-ROI curves over a grid up to each channel's top weekly spend, and the
    channel summary (ROI, contribution, curve parameters, marginal ROI and response at current spend).

    An organic channel's grid and spend-named scalars are its weekly volume in its own unit (units:
    channel -> unit) and its marginal ROI is the marginal response per unit; its rows carry
    ``{"channel_kind": "organic", "unit": ...}`` in details and it has no ROI row.
    """
    flat = {n: v.reshape((-1,) + v.shape[2:]) for n, v in quantities.items()}
    driver = data.driver  # weekly spend; organic channels: weekly volume
    spend = driver * data.time_mask[..., None]
    top = spend.max(axis=1)
    bottom = np.where(data.time_mask[..., None] > 0, driver, np.inf).min(axis=1)
    grid = top[..., None] * np.linspace(0.0, 1.0, spec.curve_grid_points)
    current = np.zeros_like(top)
    for i, n in enumerate(data.n_weeks):
        current[i] = driver[i, max(0, n - spec.current_spend_weeks) : n].mean(axis=0)
    curves = curve_draws(flat, grid, current)
    inflection = np.nanmedian(curves["inflection"], axis=0)
    scalars = {
        "current_weekly_spend": current,
        "spend": np.where(data.is_organic, spend.sum(axis=1), data.total_spend),
        "max_weekly_spend": top,
        "min_weekly_spend": bottom,
        "inflection_spend": inflection,
    }
    summary_q = {
        **{n: flat[n] for n in ("roi", "contribution", "saturation_max", "half_point", "slope", "adstock_half_life")},
        "marginal_roi": curves["marginal_roi_now"],
        "response_at_current": curves["response_now"],
    }
    frame = pd.concat(
        [
            sm.curve_rows(
                run_ids,
                data.segments,
                data.channels,
                grid,
                curves["response"],
                curves["marginal_roi"],
                data.channel_mask,
            ),
            sm.summary_rows(run_ids, data.segments, data.channels, summary_q, scalars, data.channel_mask),
        ],
        ignore_index=True,
    )
    return _with_exposure_details(organic_rows(frame, data, units or {}), data)


def organic_rows(frame: pd.DataFrame, data: ModelData, units: dict[str, str | None]) -> pd.DataFrame:
    """Mark organic channels' rows (details: channel_kind and unit) and drop their ROI rows (no spend)."""
    organic = [c for c, is_organic in zip(data.channels, data.is_organic, strict=True) if is_organic]
    if not organic:
        return frame
    mine = frame["channel"].isin(organic)
    frame = frame[~(mine & (frame["parameter"] == "roi"))].copy()
    mine = frame["channel"].isin(organic)
    frame["details"] = frame["details"].astype(object)
    frame.loc[mine, "details"] = [
        details_json(channel_kind=ORGANIC, unit=units.get(channel)) for channel in frame.loc[mine, "channel"]
    ]
    return frame


def _with_exposure_details(frame: pd.DataFrame, data: ModelData) -> pd.DataFrame:
    """Curve and summary rows of exposure-driven channels say so in details: saturation_unit
    'impressions' and the window's cost_per_impression (the curve's spend axis is impressions x it).
    Other rows leave details empty (read as saturation_unit 'spend')."""
    cpi = data.cost_per_impression
    if cpi is None or not np.isfinite(cpi).any():
        return frame
    seg = {s: i for i, s in enumerate(data.segments)}
    col = {c: j for j, c in enumerate(data.channels)}
    value = np.array([cpi[seg[s], col[c]] for s, c in zip(frame["segment_id"], frame["channel"], strict=True)])
    rows = np.isfinite(value)
    frame["details"] = frame["details"].astype(object)
    frame.loc[rows, "details"] = [
        details_json(saturation_unit="impressions", cost_per_impression=v) for v in value[rows]
    ]
    return frame


def decomposition_frame(
    run_ids: dict[str, str], data: ModelData, parts: dict[str, np.ndarray], fitted: np.ndarray, actual: np.ndarray
) -> pd.DataFrame:
    """Weekly outcome split into baseline, trend, seasonality, holidays, other controls, each
    channel present in the segment (component kind 'organic' for organic channels) and each non-media
    treatment varying in it (its effect against its reference value), beside the fitted and actual
    outcome.

    parts: curvehouse.posterior.derive.component_draws; fitted: their expected outcome (draws, S, T).
    """
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
            kinds[key] = ORGANIC if data.is_organic[c] else "channel"
            names[key] = channel
    for j, treatment in enumerate(data.treatments):
        key = f"treatment:{treatment}"
        components[key] = parts["treatments"][..., j]
        kinds[key] = "treatment"
        names[key] = treatment
    components["fitted"] = fitted
    frame = sm.decomposition_rows(run_ids, data.weeks, data.segments, components, names, kinds, actual)
    is_channel = frame["details"].isin(("channel", ORGANIC, "treatment"))
    frame.loc[is_channel, "parameter"] = frame.loc[is_channel, "channel"]
    present = {
        (s, c) for i, s in enumerate(data.segments) for j, c in enumerate(data.channels) if data.channel_mask[i, j] > 0
    } | {
        (s, t)
        for i, s in enumerate(data.segments)
        for j, t in enumerate(data.treatments)
        if data.treatment_mask[i, j] > 0
    }
    lacks = is_channel & np.array(
        [(s, c) not in present for s, c in zip(frame["segment_id"], frame["channel"], strict=True)]
    )
    return frame[~lacks]


def run_records(
    run_id: str,
    data: ModelData,
    i: int,
    *,
    spec: ModelSpec,
    refreshed_at: str,
    seconds: float,
    divergences: int,
    worst: dict[str, float],
    metrics: dict[str, float],
    holdout: dict[str, float | str],
    check: SegmentCheck,
    reasons: list[str],
    review: tuple[dict[str, float], dict[str, str]],
    backtest: dict[str, float] | None = None,
) -> list[dict]:
    """The run rows of segment i's fit, as dicts: its figures (size, time, diagnostics, in-sample and holdout
    fit, sampler settings, review counts) and texts (status, reasons, warnings, data window,
    methodology, review outcome).

    reasons: curvehouse.fitting.publish.publish_failures (empty: published); review:
    curvehouse.review.rows.summary of its checks; backtest: curvehouse.fitting.backtests.Backtests.run_metrics.
    """
    numbers = {
        "n_weeks": float(data.n_weeks[i]),
        "n_channels": float(data.channel_mask[i].sum()),
        "fit_seconds": seconds,
        "divergences": float(divergences),
        **worst,
        "r2_in_sample": metrics["r2"],
        "mape_in_sample": metrics["mape"],
        "r2_holdout": holdout["r2_holdout"],
        "mape_holdout": holdout["mape_holdout"],
        "holdout_weeks": float(holdout["holdout_weeks"]),
        "holdout_pareto_k": holdout["holdout_pareto_k"],
        **(backtest or {}),
        "chains": float(spec.sampler.chains),
        "warmup": float(spec.sampler.warmup),
        "draws": float(spec.sampler.draws),
        "seed": float(spec.sampler.seed),
        **review[0],
    }
    texts = {
        "status": k.STATUS_REJECTED if reasons else k.STATUS_PUBLISHED,
        "status_reason": "; ".join(reasons) if reasons else "passed diagnostics",
        "warnings": "; ".join(check.warnings),
        "holdout_method": holdout["holdout_method"],
        **review[1],
        **_run_texts(data, i, spec, refreshed_at),
    }
    return _metric_records(run_id, data.segments[i], numbers, texts)


def rejected_run_frame(
    run_id: str, data: ModelData, i: int, check: SegmentCheck, spec: ModelSpec, refreshed_at: str
) -> pd.DataFrame:
    """The run rows of segment i when its data cannot be fitted: rejected, with the check's reason."""
    texts = {
        "status": k.STATUS_REJECTED,
        "status_reason": check.reject_reason,
        "warnings": "; ".join(check.warnings),
        "review_outcome": "fail",
        **_run_texts(data, i, spec, refreshed_at),
    }
    numbers = {"n_weeks": float(data.n_weeks[i]), "fit_seconds": 0.0, "review_fails": 1.0, "review_reviews": 0.0}
    return sm.records_frame(_metric_records(run_id, data.segments[i], numbers, texts))


def _run_texts(data: ModelData, i: int, spec: ModelSpec, refreshed_at: str) -> dict[str, str]:
    n = int(data.n_weeks[i])
    return {
        "refreshed_at": refreshed_at,
        "data_window_start": pd.Timestamp(data.weeks[i][0]).date().isoformat(),
        "data_window_end": (pd.Timestamp(data.weeks[i][n - 1]) + pd.Timedelta(days=6)).date().isoformat(),
        "methodology_version": spec.version,
        "methodology": json.dumps(spec.to_dict(), sort_keys=True),
        "pooling": spec.pooling,
        "noise": spec.noise,
        "fit_mode": spec.fit_mode,
        "channels": ",".join(c for c, m in zip(data.channels, data.channel_mask[i], strict=True) if m > 0),
    }


def _metric_records(run_id: str, segment: str, numbers: dict[str, float], texts: dict[str, str]) -> list[dict]:
    check_names("run_numbers", list(numbers))
    check_names("run_texts", list(texts))
    rows = [
        {
            "run_id": run_id,
            "segment_id": segment,
            "artifact": "run",
            "parameter": name,
            "value": float(v) if v is not None and np.isfinite(v) else np.nan,
        }
        for name, v in numbers.items()
    ]
    return rows + [
        {"run_id": run_id, "segment_id": segment, "artifact": "run", "parameter": name, "details": v}
        for name, v in texts.items()
    ]


def _labels(data: ModelData) -> dict[str, tuple[str, ...] | None]:
    labels: dict[str, tuple[str, ...] | None] = {
        name: data.channels
        for name in ("roi", "contribution", "saturation_max", "half_point", "slope", "theta", "adstock_half_life")
    }
    labels.update({k.LEVEL: None, k.INTERCEPT: None, k.TREND: None, k.SIGMA: None, k.GAMMA: data.controls})
    labels.update({name: data.treatments for name in TREATMENT_QUANTITIES})
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
