"""``curvehouse bench --scenarios baseline``: what the time-varying baseline adds to the fit.

The relaunch scenario: generated weekly data (SEGMENTS segments x WEEKS weeks, CHANNELS channels,
known true ROI and contributions) whose outcome level rises by SHIFT (a share of the segment's mean
weekly outcome before it) from week SHIFT_WEEK on (a relaunch); a new channel (LAUNCHED) went live
at LAUNCH_WEEK, so a fixed baseline can credit it with the relaunch's lift. The media's true
contributions are unchanged, so the truth to recover is the generator's. Fitted without (baseline
fixed) and with (time_varying) the feature; per variant: ROI MARE, true ROI inside the 90% interval,
contribution-share error, divergences, fit seconds. Then the fit time of time_varying against fixed
on the default s156x8 shape (1 segment x 156 weeks x 8 channels) without a shift. Targets: error at
least a third lower, coverage >= 85%, no divergences, time at most 1.5x.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pandas as pd

__all__ = [
    "ERROR_TARGET",
    "TIME_TARGET",
    "baseline_effect",
    "relaunch_input",
    "run_baseline_bench",
    "shift_level",
]

SEGMENTS = 3
WEEKS = 156
CHANNELS = 4
SHIFT = 0.2
SHIFT_WEEK = 80
LAUNCHED = "display"  # a channel that goes live before the relaunch, at LAUNCH_WEEK
LAUNCH_WEEK = 56
SEED = 18
ERROR_TARGET = 2 / 3  # ROI MARE with / without at most this
COVERAGE_TARGET = 0.85
TIME_TARGET = 1.5  # warm fit seconds time_varying / fixed on s156x8 at most this
VARIANTS = {"fixed": {"kind": "fixed"}, "time_varying": {"kind": "time_varying"}}


def shift_level(long: pd.DataFrame, week: int, share: float) -> pd.DataFrame:
    """The long model input with each segment's outcome raised from its week-th week on by `share`
    of its mean weekly outcome before that week."""
    out = long.copy()
    starts = pd.to_datetime(out["week_start"])
    first = starts.groupby(out["segment_id"]).transform("min")
    index = ((starts - first).dt.days // 7).to_numpy()
    is_y = (out["variable_kind"] == "outcome").to_numpy()
    before = out[is_y & (index < week)].groupby("segment_id")["value"].mean()
    after = is_y & (index >= week)
    out.loc[after, "value"] += share * out.loc[after, "segment_id"].map(before)
    return out


def relaunch_input(
    segments: int = SEGMENTS, weeks: int = WEEKS, seed: int = SEED
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The relaunch scenario's long model input, channel registry and truth."""
    from curvehouse.bench import model_input_from_demo, scenario_channels
    from curvehouse.demo.generate import generate_demo

    demo = generate_demo(
        n_segments=segments,
        n_weeks=weeks,
        seed=seed,
        channels=scenario_channels(CHANNELS),
        deferred_channel=LAUNCHED,
        deferred_weeks=weeks - LAUNCH_WEEK,
        daily=False,
    )
    long, registry = model_input_from_demo(demo)
    return shift_level(long, SHIFT_WEEK, SHIFT), registry, demo.truth


def _variant_figures(artifacts: pd.DataFrame, truth: dict, seconds: float, cpu: float) -> dict[str, float]:
    from curvehouse.bench import _estimates, fit_figures
    from curvehouse.demo.recovery import recovery

    fit = fit_figures(artifacts, seconds)
    return {
        **recovery(_estimates(artifacts), truth),
        "divergences": fit["divergences"],
        "fit_seconds": seconds,
        "cpu_seconds": cpu,
        "published": fit["published"],
    }


def baseline_effect(without: dict[str, float], with_: dict[str, float], time_ratio: float) -> dict[str, float]:
    """Error ratio (with / without) and whether every target is met."""
    ratio = with_["roi_mare"] / without["roi_mare"]
    meets = (
        ratio <= ERROR_TARGET
        and with_["roi_coverage90"] >= COVERAGE_TARGET
        and with_["divergences"] == 0
        and time_ratio <= TIME_TARGET
    )
    return {"error_ratio": ratio, "time_ratio": time_ratio, "meets_target": bool(meets)}


def _fitted(
    long: pd.DataFrame, registry: pd.DataFrame, config: dict, baseline: dict
) -> tuple[pd.DataFrame, float, float]:
    """Artifacts, wall seconds and this process's CPU seconds (all its threads: on a shared machine
    they count the fit's work, where the wall clock also counts the other processes' load)."""
    from curvehouse.fitting.segments import fit_segments

    started, cpu = time.perf_counter(), time.process_time()
    artifacts = fit_segments(long, registry, {**config, "baseline": baseline}, progress=lambda _: None)
    return artifacts, time.perf_counter() - started, time.process_time() - cpu


def _line(f: dict[str, float]) -> str:
    return (
        f"ROI MARE {f['roi_mare']:.3f}, true ROI in 90% {f['roi_coverage90']:.0%}, share MAE {f['share_mae']:.3f}, "
        f"divergences {f['divergences']}, {f['fit_seconds']:.1f} s wall, {f['cpu_seconds']:.1f} s CPU"
    )


def run_baseline_bench(config: dict | None = None, echo: Callable[[str], None] = print) -> dict:
    """Fit the relaunch scenario without and with the time-varying baseline, then time both on the
    s156x8 shape; echo one line per variant and the summary."""
    from curvehouse.bench import SCENARIOS, model_input_from_demo, scenario_channels
    from curvehouse.demo.generate import DEFAULT_SEED, generate_demo

    os.environ.setdefault("CURVEHOUSE_JAX_CACHE", "off")  # cold means compiling, as in run_bench
    config = dict(config or {})
    long, registry, truth = relaunch_input()
    results = {}
    for name, baseline in VARIANTS.items():
        artifacts, seconds, cpu = _fitted(long, registry, config, baseline)
        results[name] = _variant_figures(artifacts, truth, seconds, cpu)
        echo(
            f"baseline relaunch/{name}: {SEGMENTS} seg x {WEEKS} wk x {CHANNELS} ch, +{SHIFT:.0%} level from week "
            f"{SHIFT_WEEK}, {LAUNCHED} live from week {LAUNCH_WEEK} | {_line(results[name])}, "
            f"published {results[name]['published']}/{SEGMENTS}"
        )
    shape = SCENARIOS["s156x8"]
    demo = generate_demo(
        shape.segments,
        shape.weeks,
        DEFAULT_SEED,
        channels=scenario_channels(shape.channels),
        deferred_channel=None,
        daily=False,
    )
    plain, plain_registry = model_input_from_demo(demo)
    rounds: list[dict[str, dict[str, float]]] = []
    for label in ("cold", "warm"):  # alternating, so a change of the machine's load falls on both
        rounds.append({})
        for name, baseline in VARIANTS.items():
            artifacts, seconds, cpu = _fitted(plain, plain_registry, config, baseline)
            rounds[-1][name] = _variant_figures(artifacts, demo.truth, seconds, cpu)
            echo(f"baseline s156x8/{name} {label} (no shift) | {_line(rounds[-1][name])}")
    cold, warm = (r["time_varying"]["fit_seconds"] / r["fixed"]["fit_seconds"] for r in rounds)
    effect = baseline_effect(results["fixed"], results["time_varying"], warm)
    echo(
        f"baseline: ROI MARE {results['fixed']['roi_mare']:.3f} -> {results['time_varying']['roi_mare']:.3f} "
        f"(x{effect['error_ratio']:.2f}, target <= {ERROR_TARGET:.2f}), coverage "
        f"{results['time_varying']['roi_coverage90']:.0%} (target >= {COVERAGE_TARGET:.0%}), time on s156x8 "
        f"x{warm:.2f} compiled (target <= {TIME_TARGET}), x{cold:.2f} with each program's compilation; "
        f"meets target: {effect['meets_target']}"
    )
    return {
        **effect,
        "time_ratio_cold": cold,
        "relaunch": results,
        "s156x8": dict(zip(("cold", "warm"), rounds, strict=True)),
    }
