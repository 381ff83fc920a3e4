"""``curvehouse bench --scenarios organic``: what modelling an organic channel adds to the fit.

Generated data with known truth: the demo's paid channels (curvehouse.demo) plus one organic channel
(``newsletter``, volume in sends) whose weekly volume follows the paid calendar (newsletters go out
with campaigns), with adstock and Hill saturation of its own and a true contribution of
ORGANIC_SHARE of the outcome. The same data are fitted twice with ``fit_segments``: without the
organic rows (as a model without organic media would see them) and with them, and a third time with
a correct contribution-share prior on the organic channel (registry contribution_share_prior_*: mean
the true share, sd SHARE_PRIOR_SD), to measure what a share prior adds. Reported: paid ROI
MARE, true ROI inside the 90% interval, contribution-share error (paid and organic, as shares of the
outcome), divergences and seconds. Target with the feature: ROI error at least a third lower,
coverage >= 85%, no divergences.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["BENCH_CONFIG", "ORGANIC", "OrganicData", "organic_data", "organic_figures", "run_organic_bench"]

ORGANIC = "newsletter"
UNIT = "sends"
ORGANIC_SHARE = 0.12  # true organic contribution / outcome over the window
THETA, SLOPE, LAGS = 0.5, 1.5, 8
CHANNELS, WEEKS, SEGMENTS, SEED = 4, 156, 3, 1801
ERROR_TARGET, COVERAGE_TARGET = 2 / 3, 0.85
SHARE_PRIOR_SD = 0.03  # the third fit's contribution-share prior on the organic channel: mean the truth
# Both fits' methodology: the defaults but for a shorter sampler and no holdout or backtests (neither
# is measured here), so the two fits of three segments run in minutes on a small machine.
BENCH_CONFIG = {
    "sampler": {"chains": 2, "warmup": 400, "draws": 400, "chain_method": "vectorized"},
    "holdout_weeks": 0,
    "backtest": {"folds": 0},
}


@dataclass(frozen=True)
class OrganicData:
    """The long model input with organic rows, its registry, the demo truth (paid) and per segment
    the organic channel's true contribution over the window."""

    long: pd.DataFrame
    registry: pd.DataFrame
    truth: dict
    organic_contribution: dict[str, float]


def _adstock(x: np.ndarray, theta: float, lags: int) -> np.ndarray:
    weights = theta ** np.arange(lags)
    weights = weights / weights.sum()
    return np.array([sum(weights[j] * x[t - j] for j in range(min(lags, t + 1))) for t in range(len(x))])


def organic_data(seed: int = SEED, n_segments: int = SEGMENTS, n_weeks: int = WEEKS) -> OrganicData:
    """Demo data plus the organic channel: volume from the week's paid spend (and noise), its true
    contribution added to the outcome so it is ORGANIC_SHARE of the new outcome."""
    from curvehouse.bench import model_input_from_demo, scenario_channels
    from curvehouse.demo.generate import generate_demo

    demo = generate_demo(
        n_segments=n_segments, n_weeks=n_weeks, seed=seed, channels=scenario_channels(CHANNELS), deferred_channel=None
    )
    long, registry = model_input_from_demo(demo)
    rng = np.random.default_rng(seed)
    rows, contributions = [], {}
    for segment, frame in long.groupby("segment_id"):
        spend = frame[frame["variable_kind"] == "spend"].groupby("week_start")["value"].sum().sort_index()
        volume = 50_000 * (0.3 + spend.to_numpy() / spend.mean()) * rng.lognormal(0.0, 0.2, len(spend))
        adstocked = _adstock(volume, THETA, LAGS)
        saturated = adstocked**SLOPE / (adstocked**SLOPE + volume.mean() ** SLOPE)
        outcome = frame[frame["variable_kind"] == "outcome"].set_index("week_start")["value"].reindex(spend.index)
        beta = ORGANIC_SHARE / (1 - ORGANIC_SHARE) * outcome.sum() / saturated.sum()
        added = pd.Series(beta * saturated, index=spend.index)
        contributions[segment] = float(added.sum())
        is_outcome = (long["segment_id"] == segment) & (long["variable_kind"] == "outcome")
        long.loc[is_outcome, "value"] = long.loc[is_outcome, "value"] + long.loc[is_outcome, "week_start"].map(added)
        rows.append(
            pd.DataFrame(
                {
                    "segment_id": segment,
                    "week_start": spend.index,
                    "variable_kind": "organic",
                    "variable_name": ORGANIC,
                    "value": volume,
                }
            )
        )
    long = pd.concat([long, *rows], ignore_index=True)
    registry = registry.assign(channel_kind="paid", unit=None)
    registry.loc[len(registry), ["channel", "display_name", "channel_kind", "unit"]] = [
        ORGANIC,
        "Newsletter",
        "organic",
        UNIT,
    ]
    return OrganicData(long, registry, demo.truth, contributions)


def organic_figures(artifacts: pd.DataFrame, data: OrganicData, seconds: float) -> dict[str, float]:
    """Paid ROI MARE and 90% coverage, mean absolute contribution-share error of the paid channels and
    of the organic one (shares of the segment's outcome), the organic contribution's 90% coverage and
    interval width (relative to its truth), divergences and seconds of one fit."""
    from curvehouse.bench import _estimates
    from curvehouse.demo.recovery import recovery_table

    table = recovery_table(_estimates(artifacts[artifacts["channel"] != ORGANIC]), data.truth)
    outcome = data.long[data.long["variable_kind"] == "outcome"].groupby("segment_id")["value"].sum()
    share = lambda v, s: v / outcome[s]  # noqa: E731
    paid_share_error = [
        abs(share(r.contribution_mean, r.segment_id) - share(r.true_contribution, r.segment_id))
        for r in table.itertuples()
    ]
    summary = artifacts[(artifacts["artifact"] == "summary") & (artifacts["parameter"] == "contribution")]
    organic = summary[summary["channel"] == ORGANIC].set_index("segment_id")
    organic_error = [
        abs(share(organic.at[s, "mean"] if s in organic.index else 0.0, s) - share(c, s))
        for s, c in data.organic_contribution.items()
    ]
    organic_width = [
        (organic.at[s, "p95"] - organic.at[s, "p05"]) / c if s in organic.index else np.nan
        for s, c in data.organic_contribution.items()
    ]
    organic_covered = [
        bool(s in organic.index and organic.at[s, "p05"] <= c <= organic.at[s, "p95"])
        for s, c in data.organic_contribution.items()
    ]
    runs = artifacts[(artifacts["artifact"] == "run") & (artifacts["parameter"] == "divergences")]
    return {
        "roi_mare": float((abs(table["roi_mean"] - table["true_roi"]) / table["true_roi"]).mean()),
        "roi_coverage90": float(table["roi_in_90"].mean()),
        "paid_share_error": float(np.mean(paid_share_error)),
        "organic_share_error": float(np.mean(organic_error)),
        "organic_coverage90": float(np.mean(organic_covered)),
        "organic_width90": float(np.mean(organic_width)),
        "divergences": float(runs["value"].max()) if len(runs) else float("nan"),
        "seconds": seconds,
    }


def run_organic_bench(
    config: dict | None = None, seed: int = SEED, n_segments: int = SEGMENTS, echo: Callable[[str], None] = print
) -> dict:
    """Fit the scenario without and with the organic channel; echo one line per fit and the verdict."""
    from curvehouse.fitting.segments import fit_segments

    data = organic_data(seed, n_segments)
    quiet = lambda _: None  # noqa: E731
    informed = data.registry.copy()
    is_organic = informed["channel"] == ORGANIC
    informed.loc[is_organic, "contribution_share_prior_mean"] = ORGANIC_SHARE
    informed.loc[is_organic, "contribution_share_prior_sd"] = SHARE_PRIOR_SD
    inputs = {
        "without": (data.long[data.long["variable_kind"] != "organic"], data.registry),
        "with": (data.long, data.registry),
        "with_share_prior": (data.long, informed),
    }
    figures = {}
    for name, (long, registry) in inputs.items():
        started = time.perf_counter()
        artifacts = fit_segments(long, registry, config, progress=quiet)
        figures[name] = organic_figures(artifacts, data, time.perf_counter() - started)
        f = figures[name]
        echo(
            f"organic {name}: ROI MARE {f['roi_mare']:.3f}, coverage90 {f['roi_coverage90']:.0%}, paid share error "
            f"{f['paid_share_error']:.3f}, organic share error {f['organic_share_error']:.3f}, organic covered "
            f"{f['organic_coverage90']:.0%} (90% width {f['organic_width90']:.2f} x true), divergences "
            f"{f['divergences']:.0f}, {f['seconds']:.0f} s"
        )
    ratio = figures["with"]["roi_mare"] / figures["without"]["roi_mare"]
    meets = (
        ratio <= ERROR_TARGET
        and figures["with"]["roi_coverage90"] >= COVERAGE_TARGET
        and figures["with"]["divergences"] == 0
    )
    narrowing = figures["with_share_prior"]["organic_width90"] / figures["with"]["organic_width90"]
    echo(
        f"organic: ROI error ratio with/without {ratio:.2f} (target <= {ERROR_TARGET:.2f}); meets target {meets}; "
        f"a correct share prior (sd {SHARE_PRIOR_SD}) gives the organic interval x{narrowing:.2f} the width"
    )
    return {**figures, "error_ratio": ratio, "meets_target": meets, "share_prior_width_ratio": narrowing}
