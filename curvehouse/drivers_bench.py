"""``curvehouse bench --scenarios treatment,exposure``: what a non-media treatment and exposure-driven
media add to the fit, on generated data with a known truth.

treatment: paid channels and a price index whose promotions (price cuts) run with the social bursts;
the price has a true negative effect, so a fit that leaves it out credits social with the promotions'
lift. Fitted without the treatment rows and with them.
exposure: one channel (video) saturates on impressions while its cost per impression rises by 30%
over the window, with week-to-week auction noise (CPI_NOISE), so its spend is a drifting, noisy proxy
of what it delivered and a curve on spend is misspecified. Fitted spend-driven (registry flag off)
and exposure-driven (flag on, impressions rows in the input); judged on video's ROI, the only one
the flag changes (FEATURE_CHANNELS), with every channel's figures beside it.

Per variant: ROI mean absolute relative error (MARE) over segments x channels, true ROI inside the
90% interval (count / total), contribution-share error (mean absolute difference of each channel's
share of the window's outcome, in points), divergences and fit seconds. Target with the feature:
error at least a third lower than without, coverage >= 85%, no divergences.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "BENCH_CONFIG",
    "DriverData",
    "driver_figures",
    "exposure_data",
    "run_drivers_bench",
    "treatment_data",
]

SEGMENTS = 3
WEEKS = 156
SEED = 1811
CPI_NOISE = 0.2  # week-to-week auction noise of the exposure channel's cost per impression (sd, relative)
ERROR_TARGET = 2 / 3  # error with / without the feature at most this
COVERAGE_TARGET = 0.85
BENCH_CONFIG: dict = {
    "sampler": {"chains": 2, "warmup": 300, "draws": 300},
    "holdout_weeks": 0,
    "backtest": {"folds": 0},
}
# The channels whose ROI the feature is judged on: all (None) for a treatment, whose omission biases every
# channel it moves with; the exposure-driven channel for exposure, the only one the flag changes.
FEATURE_CHANNELS: dict[str, tuple[str, ...] | None] = {"treatment": None, "exposure": ("video",)}
LONG_COLUMNS = ["segment_id", "week_start", "variable_kind", "variable_name", "value"]


@dataclass(frozen=True)
class DriverData:
    """A generated scenario: the long model input, registry, and truth per (segment, channel):
    roi and contribution; outcome: each segment's window outcome."""

    long: pd.DataFrame
    registry: pd.DataFrame
    truth: dict[tuple[str, str], dict[str, float]]
    outcome: dict[str, float]


def _adstock(x: np.ndarray, theta: float, max_lag: int = 8) -> np.ndarray:
    """Normalised geometric adstock of a weekly series (the model's transform)."""
    weights = theta ** np.arange(max_lag)
    weights /= weights.sum()
    return np.array(
        [np.dot(weights[: t + 1][::-1][-max_lag:], x[max(0, t - max_lag + 1) : t + 1]) for t in range(len(x))]
    )


def _hill(x: np.ndarray, half: float, slope: float) -> np.ndarray:
    return x**slope / (x**slope + half**slope)


def _bursts(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """0/1 flights of 2-4 weeks covering about `share` of the weeks."""
    on = np.zeros(n)
    t = int(rng.integers(0, 6))
    while t < n:
        length = int(rng.integers(2, 5))
        on[t : t + length] = 1
        t += length + int(rng.integers(2, int(2 / share) + 3))
    return on


def _frame(segment: str, weeks: pd.DatetimeIndex, kind: str, name: str, value: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {"segment_id": segment, "week_start": weeks, "variable_kind": kind, "variable_name": name, "value": value}
    )


def _fourier(segment: str, weeks: pd.DatetimeIndex) -> tuple[list[pd.DataFrame], np.ndarray]:
    day = (weeks + pd.Timedelta(days=3)).dayofyear.to_numpy()
    sin, cos = np.sin(2 * np.pi * day / 365.25), np.cos(2 * np.pi * day / 365.25)
    rows = [
        _frame(segment, weeks, "control", "fourier_sin_1", sin),
        _frame(segment, weeks, "control", "fourier_cos_1", cos),
    ]
    return rows, sin


def _scenario(seed: int, exposure: bool) -> DriverData:
    """Three paid channels; with `exposure` the third saturates on impressions (cpi up 30%), else a
    price treatment cut with the second's bursts."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2023-01-02", periods=WEEKS, freq="7D")
    channels = ("search", "social", "video")
    frames, truth, outcome = [], {}, {}
    for s in range(SEGMENTS):
        segment = f"seg_{s + 1}"
        base = 10000.0 * (1 + 0.3 * s)
        rows, season = _fourier(segment, weeks)
        y = base * (1 + 0.08 * season + 0.05 * np.linspace(0, 1, WEEKS))
        social_on = _bursts(rng, WEEKS, 0.35)
        contributions = {}
        spends = {}
        for c, channel in enumerate(channels):
            level = base * (0.10, 0.08, 0.12)[c]
            pattern = 1 + 0.35 * rng.standard_normal(WEEKS).clip(-2, 2)
            if channel == "social":
                pattern = 0.3 + 1.4 * social_on * (1 + 0.2 * rng.standard_normal(WEEKS))
            if channel == "video":
                pattern = 0.2 + 1.5 * _bursts(rng, WEEKS, 0.4) * (1 + 0.2 * rng.standard_normal(WEEKS))
            volume = level * np.maximum(pattern, 0.05)
            roi = (1.2, 2.0, 1.5)[c] * (1 + 0.15 * rng.standard_normal())
            theta, half, slope = (0.2, 0.3, 0.5)[c], (0.8, 1.0, 1.2)[c], (1.5, 1.8, 2.2)[c]
            if exposure and channel == "video":
                cpi = (
                    0.01
                    * (1 + 0.3 * np.linspace(0, 1, WEEKS))
                    * (1 + CPI_NOISE * rng.standard_normal(WEEKS).clip(-2, 2))
                )
                imps = volume / 0.01
                spend = imps * cpi
                driver = imps / imps[imps > 0].mean()
                rows.append(_frame(segment, weeks, "impressions", channel, imps))
            else:
                spend = volume
                driver = spend / spend[spend > 0].mean()
            shape = _hill(_adstock(driver, theta), half, slope)
            contribution = shape * roi * spend.sum() / shape.sum()
            contributions[channel], spends[channel] = contribution, spend
            rows.append(_frame(segment, weeks, "spend", channel, spend))
            truth[(segment, channel)] = {"roi": float(roi), "contribution": float(contribution.sum())}
        y = y + sum(contributions.values())
        if not exposure:
            price = 1.0 - 0.12 * social_on * (1 + 0.3 * rng.random(WEEKS)) + 0.02 * rng.standard_normal(WEEKS)
            effect = -2.5 * base  # outcome per week per unit of the price index
            y = y + effect * (price - price.min())
            rows.append(_frame(segment, weeks, "treatment", "price_index", price))
        y = y * (1 + 0.03 * rng.standard_normal(WEEKS))
        rows.append(_frame(segment, weeks, "outcome", "outcome", y))
        outcome[segment] = float(y.sum())
        frames += rows
    long = pd.concat(frames, ignore_index=True)[LONG_COLUMNS]
    registry = pd.DataFrame(
        {
            "channel": [*channels, "price_index"],
            "channel_kind": ["paid", "paid", "paid", "non_media"],
            "unit": [None, None, None, "index"],
            "adstock_max_lag": [np.nan] * 4,
            "exposure_driven": [False, False, exposure, False],
        }
    )
    return DriverData(long, registry, truth, outcome)


def treatment_data(seed: int = SEED) -> DriverData:
    """The treatment scenario's generated data (price index with a negative effect, cut with social's bursts)."""
    return _scenario(seed, exposure=False)


def exposure_data(seed: int = SEED) -> DriverData:
    """The exposure scenario's generated data (video saturates on impressions; its cpi rises 30%)."""
    return _scenario(seed, exposure=True)


def driver_figures(
    artifacts: pd.DataFrame, data: DriverData, channels: tuple[str, ...] | None = None
) -> dict[str, float]:
    """ROI MARE, 90% coverage (covered, total), contribution-share error (points) and divergences of one
    fit, over the given channels (all where None)."""
    summary = artifacts[artifacts["artifact"] == "summary"]
    roi = summary[summary["parameter"] == "roi"].set_index(["segment_id", "channel"])
    contribution = summary[summary["parameter"] == "contribution"].set_index(["segment_id", "channel"])
    errors, covered, share_errors = [], 0, []
    for key, truth in data.truth.items():
        if channels is not None and key[1] not in channels:
            continue
        row = roi.loc[key]
        errors.append(abs(row["mean"] - truth["roi"]) / truth["roi"])
        covered += int(row["p05"] <= truth["roi"] <= row["p95"])
        total = data.outcome[key[0]]
        share_errors.append(abs(contribution.loc[key, "mean"] - truth["contribution"]) / total * 100)
    runs = artifacts[(artifacts["artifact"] == "run") & (artifacts["parameter"] == "divergences")]
    return {
        "roi_mare": float(np.mean(errors)),
        "covered90": covered,
        "total": len(errors),
        "share_error_points": float(np.mean(share_errors)),
        "divergences": float(runs.groupby("segment_id")["value"].first().sum()),
    }


def _variants(name: str, data: DriverData) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """(model input, registry) without and with the feature."""
    if name == "treatment":
        return {
            "without": (data.long[data.long["variable_kind"] != "treatment"], data.registry),
            "with": (data.long, data.registry),
        }
    spend_driven = data.registry.assign(exposure_driven=False)
    return {"without": (data.long, spend_driven), "with": (data.long, data.registry)}


def run_drivers_bench(
    names: tuple[str, ...] = ("treatment", "exposure"),
    quick: bool = False,
    echo: Callable[[str], None] = print,
    seed: int = SEED,
) -> dict:
    """Fit each scenario without and with its feature (BENCH_CONFIG; quick: the bench's quick sampler)
    on data generated with `seed`; echo one line per variant and the verdict."""
    from curvehouse.bench import QUICK_CONFIG
    from curvehouse.fitting.segments import fit_segments

    config = {**BENCH_CONFIG, **QUICK_CONFIG} if quick else BENCH_CONFIG
    out = {}
    for name in names:
        data = treatment_data(seed) if name == "treatment" else exposure_data(seed)
        figures = {}
        feature = FEATURE_CHANNELS[name]
        for variant, (long, registry) in _variants(name, data).items():
            started = time.perf_counter()
            artifacts = fit_segments(long, registry, config, progress=lambda _: None)
            seconds = time.perf_counter() - started
            f = {**driver_figures(artifacts, data), "fit_seconds": seconds}
            if feature is not None:
                f.update({f"feature_{key}": v for key, v in driver_figures(artifacts, data, feature).items()})
            figures[variant] = f
            echo(
                f"{name} {variant:<7}: ROI MARE {f['roi_mare']:.3f}, true ROI in 90% {f['covered90']}/{f['total']}, "
                f"contribution-share error {f['share_error_points']:.2f} pts, divergences {f['divergences']:.0f}, "
                f"fit {f['fit_seconds']:.0f} s"
                + (
                    f" | {','.join(feature)}: ROI MARE {f['feature_roi_mare']:.3f}, true ROI in 90% "
                    f"{f['feature_covered90']}/{f['feature_total']}, contribution-share error "
                    f"{f['feature_share_error_points']:.2f} pts"
                    if feature is not None
                    else ""
                )
            )
        judged = "roi_mare" if feature is None else "feature_roi_mare"
        ratio = figures["with"][judged] / figures["without"][judged]
        coverage = figures["with"]["covered90"] / figures["with"]["total"]
        meets = ratio <= ERROR_TARGET and coverage >= COVERAGE_TARGET and figures["with"]["divergences"] == 0
        label = "ROI MARE" if feature is None else f"{','.join(feature)} ROI MARE"
        echo(
            f"{name}: {label} x{ratio:.2f} with the feature (target <= {ERROR_TARGET:.2f}), coverage {coverage:.0%} "
            f"(target >= {COVERAGE_TARGET:.0%}); {'meets' if meets else 'misses'} the target"
        )
        out[name] = {**figures, "error_ratio": ratio, "meets_target": meets}
    return out
