"""``curvehouse bench --scenarios experiments``: what one lift experiment adds to the fit.

Each replication generates one segment with a known truth (its own seed), takes the demo's
experiment on the least identified channel (curvehouse.demo.experiments: the one whose spend has the
least variation of its own; a steady-state lift measured with a 15-30% standard error), and fits the
same data twice with ``fit_segments``: without experiments and with that one. It reports the
channel's ROI error and 90% interval width (relative to the true ROI) before and after, and whether
the interval covers the truth. Target: error at least halved, interval at least 40% narrower.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

__all__ = ["ERROR_TARGET", "WIDTH_TARGET", "channel_roi", "experiment_effect", "run_experiments_bench"]

CHANNELS = 6
WEEKS = 156
FIRST_SEED = 101
ERROR_TARGET = 0.5  # error after / before at most this
WIDTH_TARGET = 0.6  # interval width after / before at most this


def channel_roi(table: pd.DataFrame, segment_id: str, channel: str) -> dict[str, float]:
    """A channel's ROI error, 90% interval width (both relative to the true ROI) and coverage, from a
    recovery_table (curvehouse.demo.recovery)."""
    row = table[(table["segment_id"] == segment_id) & (table["channel"] == channel)].iloc[0]
    return {
        "true_roi": float(row["true_roi"]),
        "roi_mean": float(row["roi_mean"]),
        "error": float(abs(row["roi_mean"] - row["true_roi"]) / row["true_roi"]),
        "width90": float((row["roi_p95"] - row["roi_p05"]) / row["true_roi"]),
        "covered90": bool(row["roi_in_90"]),
    }


def experiment_effect(before: list[dict], after: list[dict]) -> dict[str, float]:
    """Mean error and width over replications, without and with the experiment, their ratios, coverage,
    and whether the targets are met."""
    mean = lambda rows, key: float(np.mean([r[key] for r in rows]))  # noqa: E731
    figures = {
        "error_before": mean(before, "error"),
        "error_after": mean(after, "error"),
        "width90_before": mean(before, "width90"),
        "width90_after": mean(after, "width90"),
        "coverage90_before": mean(before, "covered90"),
        "coverage90_after": mean(after, "covered90"),
    }
    figures["error_ratio"] = figures["error_after"] / figures["error_before"]
    figures["width_ratio"] = figures["width90_after"] / figures["width90_before"]
    figures["meets_target"] = figures["error_ratio"] <= ERROR_TARGET and figures["width_ratio"] <= WIDTH_TARGET
    return figures


def run_experiments_bench(
    replications: int = 5, config: dict | None = None, echo: Callable[[str], None] = print
) -> dict:
    """Fit each replication without and with its experiment; echo one line per replication and the summary."""
    from curvehouse.bench import _estimates, model_input_from_demo, scenario_channels
    from curvehouse.demo.generate import generate_demo
    from curvehouse.demo.recovery import recovery_table
    from curvehouse.fitting.segments import fit_segments

    before, after, rows = [], [], []
    started = time.perf_counter()
    for seed in range(FIRST_SEED, FIRST_SEED + replications):
        demo = generate_demo(
            n_segments=1, n_weeks=WEEKS, seed=seed, channels=scenario_channels(CHANNELS), deferred_channel=None
        )
        long, registry = model_input_from_demo(demo)
        experiment = demo.experiments.iloc[[0]]  # the least identified channel's (see curvehouse.demo.generate)
        segment, channel = experiment.iloc[0]["segment_id"], experiment.iloc[0]["channel"]
        true_lift = demo.truth["experiments"][0]["true_lift_weekly"]
        measured = {
            "lift_error": float(abs(experiment.iloc[0]["lift_weekly"] - true_lift) / abs(true_lift)),
            "lift_se": float(experiment.iloc[0]["lift_weekly_sd"] / abs(true_lift)),
        }
        quiet = lambda _: None  # noqa: E731
        fits = {
            "without": fit_segments(long, registry, config, progress=quiet),
            "with": fit_segments(long, registry, config, progress=quiet, experiments=experiment),
        }
        result = {
            name: channel_roi(recovery_table(_estimates(artifacts), demo.truth), segment, channel)
            for name, artifacts in fits.items()
        }
        before.append(result["without"])
        after.append(result["with"])
        rows.append(
            {
                "seed": seed,
                "channel": channel,
                **measured,
                **{f"{k}_{n}": v for n, r in result.items() for k, v in r.items()},
            }
        )
        echo(
            f"experiments seed {seed}: {channel} (true ROI {result['without']['true_roi']:.2f}) "
            f"ROI error {result['without']['error']:.3f} -> {result['with']['error']:.3f}, "
            f"90% width {result['without']['width90']:.2f} -> {result['with']['width90']:.2f} x true, "
            f"covered {result['without']['covered90']} -> {result['with']['covered90']}; the test's measured lift "
            f"is off the true lift by {measured['lift_error']:.0%} (standard error {measured['lift_se']:.0%})"
        )
    figures = experiment_effect(before, after)
    echo(
        f"experiments: {replications} replications, {time.perf_counter() - started:.0f} s | ROI error "
        f"{figures['error_before']:.3f} -> {figures['error_after']:.3f} (x{figures['error_ratio']:.2f}, target <= "
        f"{ERROR_TARGET}), 90% width {figures['width90_before']:.2f} -> {figures['width90_after']:.2f} x true "
        f"(x{figures['width_ratio']:.2f}, target <= {WIDTH_TARGET}), coverage {figures['coverage90_before']:.0%} -> "
        f"{figures['coverage90_after']:.0%}"
    )
    return {**figures, "replications": rows}
