"""``curvehouse bench --scenarios sbc``: simulation-based calibration of the built-in fit.

Spend and controls come from the demo generator (SBC_CHANNELS channels, SBC_WEEKS weeks, weekly);
the outcome is replaced by one draw from the methodology's own prior predictive (the NumPyro model
with observe=False, priors from build_priors), so every parameter of every segment is drawn from the
prior. Each segment is then fitted with the built-in sampler (one compiled program for the padded
shape) and the true ROI, half point, slope, adstock decay and contribution are ranked among the
posterior draws (curvehouse.sbc).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd

from curvehouse.sbc import central_coverage, rank_histogram, sbc_ranks, thin, uniformity_pvalue

__all__ = ["SBC_CONFIG", "run_sbc_bench", "sbc_summary"]

SBC_CONFIG: dict = {"sampler": {"chains": 2, "warmup": 300, "draws": 300}}
SBC_CHANNELS = 4
SBC_WEEKS = 104
SBC_SEED = 11
RECENT_WEEKS = 13  # "recent contribution": the channel's contribution over the last quarter fitted
RANKED_DRAWS = 99  # thinned draws each truth is ranked among: ranks 0..99, 10 per bin
BINS = 10
LEVELS = (0.5, 0.8, 0.9)
QUANTITIES = ("roi", "half_point", "slope", "theta", "contribution", "recent_contribution")


def sbc_summary(truth: dict[str, np.ndarray], draws: dict[str, np.ndarray]) -> dict[str, dict]:
    """Per quantity (truth: (n,), draws: (n, d) over the same channel-segment cases): coverage of the
    LEVELS central intervals, the rank histogram over thinned draws and its chi-square p-value."""
    out = {}
    for name in truth:
        ranks = sbc_ranks(truth[name], thin(draws[name], RANKED_DRAWS))
        counts = rank_histogram(ranks, RANKED_DRAWS, BINS)
        out[name] = {
            "n": int(len(truth[name])),
            **{f"coverage{round(100 * q)}": central_coverage(truth[name], draws[name], q) for q in LEVELS},
            "rank_counts": counts.tolist(),
            "rank_pvalue": uniformity_pvalue(counts),
        }
    return out


def _simulated_data(n_segments: int, spec, seed: int):
    """Model data of generated spend and controls with the outcome drawn from the prior predictive,
    the priors, and the drawn parameters (site -> (1, ...) arrays)."""
    import jax
    from numpyro.infer import Predictive

    from curvehouse import constants as k
    from curvehouse.bench import model_input_from_demo, scenario_channels
    from curvehouse.demo.generate import generate_demo
    from curvehouse.model.data import build_model_data
    from curvehouse.model.numpyro_model import mmm_model, model_arrays
    from curvehouse.model.priors import build_priors

    demo = generate_demo(
        n_segments=n_segments,
        n_weeks=SBC_WEEKS,
        seed=seed,
        channels=scenario_channels(SBC_CHANNELS),
        deferred_channel=None,
        daily=False,
    )
    long, registry = model_input_from_demo(demo)
    lags = {r.channel: int(r.adstock_max_lag) for r in registry.itertuples() if pd.notna(r.adstock_max_lag)}
    data = build_model_data(long, lags, spec.adstock_max_lag)
    priors = build_priors(data, spec, registry)
    args = model_arrays(data)
    prior_model = partial(mmm_model, spec=spec, observe=False)
    drawn = Predictive(prior_model, num_samples=1)(jax.random.PRNGKey(seed), **args, priors=priors)
    drawn = {name: np.asarray(v) for name, v in drawn.items()}
    y = np.asarray(drawn[k.OBS][0], dtype=np.float64) * data.time_mask
    return replace(data, y=y), priors, drawn


def _quantities(samples: dict[str, np.ndarray], data) -> dict[str, np.ndarray]:
    """(draws, C) per quantity for a one-segment fit (or a truth given as one draw)."""
    from curvehouse.posterior.derive import channel_draws, component_draws

    per_draw = channel_draws(samples, data)
    flat = {name: v.reshape((-1,) + v.shape[2:])[:, 0, :] for name, v in per_draw.items()}
    n = flat["roi"].shape[0]
    media = component_draws(samples, data, n)["media"][:, 0]  # (draws, T, C)
    last = int(data.time_mask[0].sum())
    flat["recent_contribution"] = media[:, last - RECENT_WEEKS : last].sum(axis=1)
    return {name: flat[name] for name in QUANTITIES}


def run_sbc_bench(
    n_segments: int = 100, config: dict | None = None, seed: int = SBC_SEED, echo: Callable[[str], None] = print
) -> dict:
    """Draw, fit and rank n_segments segments; echo the coverage and rank table; return the figures."""
    import curvehouse.model  # noqa: F401, I001  (before JAX: one host device per chain)
    from curvehouse.model.numpyro_model import model_arrays
    from curvehouse.model.sampling import sample_posterior
    from curvehouse.model.spec import spec_from_config

    spec = spec_from_config(config or SBC_CONFIG)
    started = time.perf_counter()
    data, priors, drawn = _simulated_data(n_segments, spec, seed)
    truth_parts, draw_parts, divergences = {q: [] for q in QUANTITIES}, {q: [] for q in QUANTITIES}, 0
    for i in range(n_segments):
        one = data.take([i])
        truth = _quantities({name: v[:, [i]][None] for name, v in drawn.items()}, one)
        posterior = sample_posterior(model_arrays(one), {name: v[[i]] for name, v in priors.items()}, spec)
        fitted = _quantities(posterior.samples, one)
        divergences += int(posterior.diverging.sum())
        active = one.channel_mask[0] > 0
        for q in QUANTITIES:
            truth_parts[q].append(truth[q][0, active])
            draw_parts[q].append(fitted[q][:, active].T)
        if (i + 1) % 10 == 0 or i + 1 == n_segments:
            echo(f"sbc: {i + 1}/{n_segments} segments fitted, {time.perf_counter() - started:.0f} s")
    summary = sbc_summary(
        {q: np.concatenate(v) for q, v in truth_parts.items()}, {q: np.concatenate(v) for q, v in draw_parts.items()}
    )
    seconds = time.perf_counter() - started
    sampler = spec.sampler
    echo(
        f"sbc: {n_segments} segments x {SBC_CHANNELS} channels x {SBC_WEEKS} weeks, truth drawn from the prior, "
        f"{sampler.chains} chains x {sampler.warmup}+{sampler.draws}, {seconds:.0f} s, {divergences} divergences"
    )
    for line in sbc_lines(summary):
        echo(line)
    return {"segments": n_segments, "wall_s": seconds, "divergences": divergences, "quantities": summary}


def sbc_lines(summary: dict[str, dict]) -> list[str]:
    """The printed table: coverage per level, rank-uniformity p-value and the rank histogram."""
    header = f"{'quantity':<20} {'n':>4} " + " ".join(f"{round(100 * q)}% cov" for q in LEVELS)
    lines = [header + "  rank chi2 p  rank histogram (10 bins)"]
    for name, s in summary.items():
        cover = " ".join(f"{s[f'coverage{round(100 * q)}']:>7.3f}" for q in LEVELS)
        lines.append(f"{name:<20} {s['n']:>4} {cover}  {s['rank_pvalue']:>11.3f}  {s['rank_counts']}")
    return lines
