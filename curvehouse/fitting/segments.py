"""Fit the built-in MMM for every cleared segment and return its artifacts as one long frame.

This is what the dbt Python model calls (on DuckDB in-process, on Snowflake per partition).
A segment whose data and methodology were fitted before (same run_id) is not fitted again, so
re-running a build on unchanged data adds nothing and keeps the current run current.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from curvehouse import constants as k
from curvehouse.fitting import artifacts
from curvehouse.fitting.backtests import run_backtests
from curvehouse.fitting.experiment_lift import experiment_artifacts, experiment_disagreement_counts
from curvehouse.fitting.experiment_lift import not_fitted_experiment_frame as unfitted_experiments
from curvehouse.fitting.metrics import fit_metrics, holdout_metrics
from curvehouse.fitting.publish import finite_segments, publish_failures
from curvehouse.fitting.run_ids import run_ids_for
from curvehouse.model.anchors import FIXED_SITES, FREE_CONTROL_SITE, previous_control_sd
from curvehouse.model.baseline import STEPS as BASELINE_STEPS
from curvehouse.model.checks import SegmentCheck, check_segment
from curvehouse.model.data import ModelData, build_model_data
from curvehouse.model.experiments import build_experiments, segment_experiments
from curvehouse.model.exposure import with_exposure
from curvehouse.model.numpyro_model import expected_outcome, model_arrays
from curvehouse.model.organic import organic_units, prior_kinds_of
from curvehouse.model.pooling import POOLED, POOLING_DRAWS, likelihood_moments, population_priors
from curvehouse.model.priors import PRIOR_KEYS, build_priors
from curvehouse.model.registry import exposure_driven_channels, registry_value
from curvehouse.model.sampling import Posterior, sample_lanes, sample_posterior, segment_diagnostics, uses_lanes
from curvehouse.model.spec import ModelSpec, spec_from_config
from curvehouse.posterior import summaries as sm
from curvehouse.posterior.derive import channel_draws, component_draws, treatment_draws
from curvehouse.review import rows as review

__all__ = ["fit_segments"]

DECOMPOSITION_DRAWS = 400


@dataclass(frozen=True)
class _Context:
    spec: ModelSpec
    registry: pd.DataFrame
    refreshed_at: str
    experiments: pd.DataFrame | None
    progress: Callable[[str], None]
    control_sd: pd.DataFrame | None = None  # refresh mode: the controls' sd over the previous runs' windows
    keep_posterior: Callable[[ModelData, Posterior, dict[str, str]], None] | None = None


def fit_segments(
    model_input: pd.DataFrame,
    registry: pd.DataFrame,
    config: dict | None,
    existing_run_ids: frozenset[str] = frozenset(),
    previous: pd.DataFrame | None = None,
    now: datetime | None = None,
    progress: Callable[[str], None] = print,
    experiments: pd.DataFrame | None = None,
    keep_posterior: Callable[[ModelData, Posterior, dict[str, str]], None] | None = None,
) -> pd.DataFrame:
    """Artifacts (curvehouse.posterior.summaries.ARTIFACT_COLUMNS) of every new run.

    model_input: the long int_model_input_weekly frame; registry: the channel registry;
    previous: the current runs' parameters (curvehouse.published.current_parameters_sql) for refresh
    mode, which fits each segment's last refresh_window_weeks centred on its current run (its run id
    says which); a segment with no published run to centre on is rejected;
    experiments: lift tests (stg_raw__experiments), data in the fit of their segment and part of its run id;
    keep_posterior: called with each fitted group's model data, full posterior and the run ids
    (curvehouse.api, curvehouse.posterior.store).
    """
    spec = spec_from_config(config)
    if model_input.empty:
        return sm.empty_artifacts()
    model_input = model_input.assign(week_start=pd.to_datetime(model_input["week_start"]))
    lags = {r.channel: int(r.adstock_max_lag) for r in registry.itertuples() if pd.notna(r.adstock_max_lag)}
    centred_on: dict[str, str] = {}
    control_sd = lead_in = None
    hashed = model_input
    if spec.fit_mode == "refresh":
        if previous is not None and len(previous):
            centred_on = previous.groupby("segment_id")["run_id"].first().to_dict()
            control_sd = previous_control_sd(model_input, previous)
        window = _trailing_weeks(model_input, spec.refresh_window_weeks)
        carry = max([spec.adstock_max_lag, *lags.values()]) - 1  # weeks before whose spend reaches the window
        lead_in = _lead_in(model_input, window, carry)
        hashed = pd.concat([lead_in, window], ignore_index=True)
        model_input = window
    run_ids = run_ids_for(hashed, spec, registry, experiments, centred_on)
    todo = sorted(s for s, r in run_ids.items() if r not in existing_run_ids)
    for segment in sorted(set(run_ids) - set(todo)):
        progress(f"curvehouse: segment {segment!r} unchanged since run {run_ids[segment]}; not refitted")
    if not todo:
        return sm.empty_artifacts()
    data = build_model_data(model_input[model_input["segment_id"].isin(todo)], lags, spec.adstock_max_lag, lead_in)
    exposure_warnings: dict[int, list[str]] = {}
    if exposure_driven_channels(registry):
        data, exposure_warnings = with_exposure(data, model_input, exposure_driven_channels(registry), lead_in)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    ctx = _Context(
        spec, registry, stamp.isoformat(sep=" ", timespec="seconds"), experiments, progress, control_sd, keep_posterior
    )

    checks = [_checked(data, i, spec, centred_on) for i in range(len(data.segments))]
    checks = [replace(c, warnings=c.warnings + tuple(exposure_warnings.get(i, []))) for i, c in enumerate(checks)]
    frames = []
    for i, check in enumerate(checks):
        if check.reject_reason:
            progress(f"curvehouse: segment {data.segments[i]!r} not fitted: {check.reject_reason}")
            run_id = run_ids[data.segments[i]]
            frames.append(artifacts.rejected_run_frame(run_id, data, i, check, spec, ctx.refreshed_at))
            frames.append(
                review.review_frame(run_id, data.segments[i], spec, [review.not_fittable(check.reject_reason)])
            )
            segment = data.segments[i]
            tests = segment_experiments(experiments, segment)
            if not tests.empty:
                reason = f"segment not fitted: {check.reject_reason}"
                frames.append(unfitted_experiments(run_ids[segment], segment, tests, reason))
    fit_index = [i for i, c in enumerate(checks) if not c.reject_reason]
    for i in fit_index:
        data = data.without_channels(i, checks[i].dropped_channels)
    pooled = _population_priors(data, fit_index, ctx) if spec.pooling == "partial" and spec.fit_mode == "full" else {}
    lanes = _as_lanes(spec)
    groups = [fit_index] if lanes and fit_index else [[i] for i in fit_index]
    for group, priors in zip(groups, _group_priors(data, fit_index, groups, ctx, previous, pooled), strict=True):
        frames.append(_fit_group(data.take(group), [checks[i] for i in group], run_ids, ctx, priors, lanes))
    return pd.concat(frames, ignore_index=True) if frames else sm.empty_artifacts()


def _as_lanes(spec: ModelSpec) -> bool:
    """Whether the fit's segments run as lanes of one program (curvehouse.model.sampling.uses_lanes);
    not in refresh mode, whose segments hold different numbers of free control effects."""
    return uses_lanes(spec.sampler) and spec.fit_mode == "full"


def _group_priors(
    data: ModelData,
    fit_index: list[int],
    groups: list[list[int]],
    ctx: _Context,
    previous: pd.DataFrame | None,
    pooled: dict[int, dict[str, np.ndarray]],
) -> list[dict[str, np.ndarray]]:
    """Each group's priors: from the config and registry, built for all fitted segments at once and
    taken per group; under partial pooling, each segment's population priors. In refresh mode per
    segment (one per group), centred on its previous run (its freely sampled controls are listed as
    (segment, control) pairs, not per segment)."""
    spec, registry = ctx.spec, ctx.registry
    if spec.fit_mode == "refresh":
        return [build_priors(data.take(group), spec, registry, previous, ctx.control_sd) for group in groups]
    if not fit_index:
        return []
    priors = build_priors(data.take(fit_index), spec, registry)
    row = {i: r for r, i in enumerate(fit_index)}
    for i, values in pooled.items():
        for name, value in values.items():
            priors[name][row[i]] = value[0]
    return [{name: v[[row[i] for i in group]] for name, v in priors.items()} for group in groups]


def _population_priors(data: ModelData, fit_index: list[int], ctx: _Context) -> dict[int, dict[str, np.ndarray]]:
    """Partial pooling's priors per segment (curvehouse.model.pooling): stage one fits every segment
    unpooled, keeping POOLING_DRAWS draws a chain, for the likelihood each gives its curves."""
    if not fit_index:
        return {}
    stacked = build_priors(data.take(fit_index), ctx.spec, ctx.registry)
    index = fit_index if len(fit_index) > 1 else []  # alone, a segment's population is the prior's
    lanes = _as_lanes(ctx.spec)
    moments = []
    for group in ([index] if lanes else [[i] for i in index]) if index else []:
        part = data.take(group)
        what = f"{len(group)} segments unpooled as lanes" if lanes else f"{part.segments[0]} unpooled"
        ctx.progress(f"curvehouse: partial pooling, stage 1 of 2: {what}")
        priors = build_priors(part, ctx.spec, ctx.registry)
        args = {**model_arrays(part), **build_experiments(ctx.experiments, part).arrays}
        sample = sample_lanes if lanes else sample_posterior
        moments.append(likelihood_moments(sample(args, priors, ctx.spec, POOLING_DRAWS).samples, priors))
    if moments:
        joined = {
            name: tuple(np.concatenate(parts) for parts in zip(*(m[name] for m in moments), strict=True))
            for name in POOLED
        }
    else:
        joined = {name: (np.zeros(stacked["roi_loc"].shape), np.zeros(stacked["roi_loc"].shape)) for name in POOLED}
    channel_mask = data.take(fit_index).channel_mask
    population = population_priors(stacked, joined, channel_mask, ctx.spec.priors.pool_log_sd)
    return {i: {name: population[name][row : row + 1] for name in PRIOR_KEYS} for row, i in enumerate(fit_index)}


def _checked(data: ModelData, i: int, spec: ModelSpec, centred_on: dict[str, str]) -> SegmentCheck:
    """The data checks of segment i; in refresh mode also that it has a published run to centre on."""
    if spec.fit_mode == "refresh" and data.segments[i] not in centred_on:
        return SegmentCheck(
            "refresh mode needs a published run of the segment to centre on; build once with mmm.fit_mode: full"
        )
    return check_segment(data, i)


def _lead_in(model_input: pd.DataFrame, window: pd.DataFrame, n_weeks: int) -> pd.DataFrame:
    """The spend, impressions and organic volume rows of the n_weeks before each segment's window
    (their adstock carries into it)."""
    first = window.groupby("segment_id")["week_start"].min().rename("first")
    kinds = ("spend", "impressions", "organic")
    rows = model_input[model_input["variable_kind"].isin(kinds)].join(first, on="segment_id")
    before = (rows["week_start"] < rows["first"]) & (rows["week_start"] >= rows["first"] - pd.Timedelta(weeks=n_weeks))
    return rows.loc[before, list(model_input.columns)]


def _trailing_weeks(model_input: pd.DataFrame, n_weeks: int) -> pd.DataFrame:
    last = model_input.groupby("segment_id")["week_start"].transform("max")
    return model_input[model_input["week_start"] > last - pd.Timedelta(weeks=n_weeks)]


def _fit_group(
    data: ModelData,
    checks: list[SegmentCheck],
    run_ids: dict[str, str],
    ctx: _Context,
    priors: dict[str, np.ndarray],
    lanes: bool,
) -> pd.DataFrame:
    """Fit a group of segments and summarise it: one segment, or all as lanes of one program, where
    each segment still has its own chains and is judged on its own diagnostics."""
    spec = ctx.spec
    names = ", ".join(data.segments) if len(data.segments) <= 3 else f"{len(data.segments)} segments as lanes"
    ctx.progress(
        f"curvehouse: fitting {names} ({int(data.n_weeks.max())} weeks, "
        f"{int(data.channel_mask.sum())} channel curves, {spec.sampler.chains} chains x "
        f"{spec.sampler.warmup}+{spec.sampler.draws} draws)"
    )
    started = time.perf_counter()
    refresh = spec.fit_mode == "refresh"
    exps = build_experiments(ctx.experiments, data)
    args = {**model_arrays(data), **exps.arrays}
    posterior = sample_lanes(args, priors, spec) if lanes else sample_posterior(args, priors, spec)
    if ctx.keep_posterior is not None:
        ctx.keep_posterior(data, posterior, run_ids)
    quantities = {**channel_draws(posterior.samples, data), **treatment_draws(posterior.samples, data)}
    prior_draws = {name: v[None] for name, v in posterior.prior.items()}
    prior_quantities = {**channel_draws(prior_draws, data), **treatment_draws(prior_draws, data)}
    diagnostics = segment_diagnostics(posterior, _diagnosed_sites(posterior, refresh), data.channel_mask)
    parts = component_draws(posterior.samples, data, DECOMPOSITION_DRAWS)
    fitted = expected_outcome(parts)
    holdout = holdout_metrics(data, priors, spec, posterior, exps.arrays)
    lifts = experiment_artifacts(run_ids, exps, args, data, priors, spec, posterior)
    disagreeing = experiment_disagreement_counts(lifts)
    backtests = run_backtests(data, priors, spec, posterior, run_ids, exps)
    actual = data.y * data.y_scale[:, None]
    seconds = time.perf_counter() - started
    ctx.progress(f"curvehouse: fitted {names} in {seconds:.1f}s (sampling {posterior.seconds:.1f}s)")

    units = organic_units(ctx.registry, data)
    curves = artifacts.curve_and_summary_frame(run_ids, data, quantities, spec, units)
    frames = [
        artifacts.parameter_frame(
            run_ids,
            data,
            posterior,
            quantities,
            prior_quantities,
            prior_kinds_of(priors, data),
            units,
            {t: registry_value(ctx.registry, t, "unit", None) for t in data.treatments},
        ),
        artifacts.draw_frame(run_ids, data, posterior, quantities, prior_quantities, spec.sampler.draws_kept),
        curves,
        artifacts.decomposition_frame(run_ids, data, parts, fitted, actual),
        lifts,
        backtests.rows,
    ]
    divergences = posterior.divergences(len(data.segments))
    finite = finite_segments(curves)
    fitted_mean = fitted.mean(axis=0)  # (S, T), once for all segments, as is everything the loop slices
    baseline = _non_media(parts)
    records: list[dict] = []
    for i, segment in enumerate(data.segments):
        metrics = fit_metrics(actual[i], fitted_mean[i], data.time_mask[i])
        worst = {key: float(v[i]) for key, v in diagnostics["per_segment"].items()}
        checks_i = review.publish_checks(spec, worst, int(divergences[i]), metrics["r2"], segment in finite)
        checks_i += review.review_checks(
            spec,
            _segment_fit(posterior, data, baseline, quantities, prior_quantities, i),
            spec.sampler.seed,
            disagreeing.get(segment),
            float(backtests.coverage_80[i]) if backtests.folds[i] > 0 else None,
        )
        reasons = publish_failures(spec, checks_i)
        records += review.review_records(run_ids[segment], segment, spec, checks_i)
        records += artifacts.run_records(
            run_ids[segment],
            data,
            i,
            spec=spec,
            refreshed_at=ctx.refreshed_at,
            seconds=seconds / len(data.segments),
            divergences=int(divergences[i]),
            worst=worst,
            metrics=metrics,
            holdout=holdout[i],
            check=checks[i],
            reasons=reasons,
            review=review.summary(checks_i),
            backtest=backtests.run_metrics(i),
        )
        if reasons:
            ctx.progress(f"curvehouse: run {run_ids[segment]} for segment {segment!r} rejected: {'; '.join(reasons)}")
    return pd.concat([*frames, sm.records_frame(records)], ignore_index=True)


def _non_media(parts: dict[str, np.ndarray]) -> np.ndarray:
    """(draws, S, T) the non-media part of the mean: baseline, trend, controls and treatments."""
    baseline = parts["baseline"] + parts["trend"] + parts["controls"].sum(axis=-1)
    return baseline + parts["treatments"].sum(axis=-1) if "treatments" in parts else baseline


def _segment_fit(
    posterior: Posterior,
    data: ModelData,
    baseline: np.ndarray,
    quantities: dict[str, np.ndarray],
    prior_quantities: dict[str, np.ndarray],
    i: int,
) -> review.SegmentFit:
    """What the review reads of segment i (the group's sampler statistics are its chains'); its ROI
    checks read paid channels only (an organic channel has no ROI). baseline: _non_media of the group."""
    present = [
        (c, channel)
        for c, channel in enumerate(data.channels)
        if data.channel_mask[i, c] > 0 and not data.is_organic[c]
    ]
    roi, roi_prior = quantities["roi"], prior_quantities["roi"]
    return review.SegmentFit(
        y=data.y[i],
        mu=posterior.flat(k.MU)[:, i],
        sigma=posterior.flat(k.SIGMA)[:, i],
        mask=data.time_mask[i],
        baseline=baseline[:, i],
        roi={channel: roi[..., i, c].ravel() for c, channel in present},
        roi_prior={channel: roi_prior[..., i, c].ravel() for c, channel in present},
        energy=posterior.segment_stats("energy", i),
        num_steps=posterior.segment_stats("num_steps", i),
    )


def _diagnosed_sites(posterior: Posterior, refresh: bool) -> tuple[str, ...]:
    """The sampled sites whose R-hat and ESS decide publication: channel and segment-level sites (in
    refresh mode not those it holds fixed, which have no chains to compare, and the controls it samples),
    and the time-varying baseline's steps."""
    present = set(posterior.samples) - (set(FIXED_SITES) if refresh else set())
    if k.EFFECT in present:  # ROI is derived from the sampled effect (0 for organic channels)
        present.discard(k.ROI)
    sites = (*k.CHANNEL_SITES, *artifacts.SEGMENT_SITES, FREE_CONTROL_SITE, k.TREATMENT, BASELINE_STEPS)
    return tuple(s for s in sites if s in present)
