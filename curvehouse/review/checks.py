"""The review checks as pure functions over a fit's arrays: each returns its Check rows.

A check says what it measured (value), against what (threshold, direction) and what it means
(outcome pass / review / fail, message). Which failures block publishing is decided by the caller
(curvehouse.review.rows, from ReviewSpec.blocking).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from curvehouse.review.names import CHECK_GROUPS

__all__ = [
    "Check",
    "baseline_negative",
    "ebfmi",
    "experiments_disagree",
    "backtest_coverage",
    "ebfmi_check",
    "lag1_autocorrelation",
    "posterior_predictive",
    "ppc_p_values",
    "roi_plausible",
    "roi_prior_shift",
    "threshold_check",
    "tree_depth_share",
    "tree_depth_share_check",
    "worst_outcome",
]


@dataclass(frozen=True)
class Check:
    """One reviewed number. direction: how value must compare with threshold to pass (max: at most,
    min: at least, two_sided: a p-value inside [threshold, 1 - threshold])."""

    check: str
    channel: str | None
    value: float
    threshold: float
    direction: str
    outcome: str
    message: str

    @property
    def group(self) -> str:
        return CHECK_GROUPS[self.check]


def worst_outcome(outcomes: list[str]) -> str:
    """fail over review over pass (pass when there are none)."""
    return "fail" if "fail" in outcomes else "review" if "review" in outcomes else "pass"


def threshold_check(
    check: str, value: float, threshold: float, direction: str, failing: str, label: str, channel: str | None = None
) -> Check:
    """value against a one-sided threshold (direction max: at most, min: at least); outside it the
    outcome is `failing` (review or fail); NaN is outside. label: how the message names the value."""
    ok = value <= threshold if direction == "max" else value >= threshold
    sign = ">" if direction == "max" else "<"
    keep = "<=" if direction == "max" else ">="
    message = f"{label} {value:.4g} {keep if ok else sign} {threshold:g}"
    return Check(check, channel, float(value), float(threshold), direction, "pass" if ok else failing, message)


# Sampler health --------------------------------------------------------------------------------


def ebfmi(energy: np.ndarray) -> np.ndarray:
    """Energy Bayesian fraction of missing information per chain (Betancourt 2016): the mean squared
    change of the Hamiltonian energy between successive draws over its variance. energy: (chains,
    draws). Low values (below about 0.3) mean the momentum resampling explores the energy poorly
    (heavy tails, funnels)."""
    energy = np.asarray(energy, dtype=float)
    return (np.diff(energy, axis=1) ** 2).mean(axis=1) / energy.var(axis=1)


def tree_depth_share(num_steps: np.ndarray, max_tree_depth: int) -> float:
    """Share of draws whose trajectory reached the maximum tree depth: depth = log2(steps + 1),
    rounded (a full tree of depth d takes 2**d - 1 leapfrog steps). num_steps: (chains, draws)."""
    depth = np.rint(np.log2(np.asarray(num_steps, dtype=float) + 1))
    return float((depth >= max_tree_depth).mean())


def ebfmi_check(energy: np.ndarray, minimum: float) -> Check:
    """The lowest chain's E-BFMI at least `minimum`, else fail; the message lists every chain."""
    values = ebfmi(energy)
    check = threshold_check("ebfmi", float(values.min()), minimum, "min", "fail", "lowest E-BFMI")
    per_chain = ", ".join(f"{v:.2f}" for v in values)
    return Check(**{**check.__dict__, "message": f"{check.message} (per chain: {per_chain})"})


def tree_depth_share_check(num_steps: np.ndarray, max_tree_depth: int, maximum: float) -> Check:
    """Share of draws at the maximum tree depth at most `maximum`, else review (an efficiency
    concern: trajectories were cut short, not a biased posterior)."""
    share = tree_depth_share(num_steps, max_tree_depth)
    return threshold_check(
        "tree_depth_share", share, maximum, "max", "review", f"share of draws at max tree depth {max_tree_depth}"
    )


# Posterior predictive ---------------------------------------------------------------------------


def lag1_autocorrelation(x: np.ndarray) -> np.ndarray:
    """Lag-1 autocorrelation along the last axis (0 where x is constant)."""
    centred = x - x.mean(axis=-1, keepdims=True)
    denominator = (centred**2).sum(axis=-1)
    numerator = (centred[..., 1:] * centred[..., :-1]).sum(axis=-1)
    return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), 0.0)


def ppc_p_values(y: np.ndarray, mu: np.ndarray, y_rep: np.ndarray) -> dict[str, float]:
    """Posterior predictive p-values P(T(replicated) >= T(observed)) over draws, on one segment's fitted
    weeks. y: (T,) observed; mu: (N, T) the model's mean per draw; y_rep: (N, T) replicated outcome
    per draw. Residual discrepancies compare y - mu with y_rep - mu per draw (mean, sd, lag-1
    autocorrelation); the outcome's max and min compare y with y_rep."""
    observed, replicated = y[None, :] - mu, y_rep - mu
    statistics = {
        "ppc_residual_mean": lambda r: r.mean(axis=-1),
        "ppc_residual_sd": lambda r: r.std(axis=-1),
        "ppc_residual_lag1": lag1_autocorrelation,
    }
    p = {name: float((t(replicated) >= t(observed)).mean()) for name, t in statistics.items()}
    p["ppc_outcome_max"] = float((y_rep.max(axis=-1) >= y.max()).mean())
    p["ppc_outcome_min"] = float((y_rep.min(axis=-1) >= y.min()).mean())
    return p


def posterior_predictive(p_values: dict[str, float], p_review: float, p_fail: float) -> list[Check]:
    """Two-sided: a p-value below p_fail or above 1 - p_fail fails, below p_review or above
    1 - p_review is review (the data sit in a tail of what the model predicts)."""
    labels = {
        "ppc_residual_mean": "residual mean",
        "ppc_residual_sd": "residual sd",
        "ppc_residual_lag1": "residual lag-1 autocorrelation",
        "ppc_outcome_max": "outcome max",
        "ppc_outcome_min": "outcome min",
    }
    rows = []
    for name, p in p_values.items():
        tail = min(p, 1 - p)
        outcome = "fail" if not tail >= p_fail else "review" if tail < p_review else "pass"
        side = "above" if p < 0.5 else "below"
        message = f"{labels[name]}: Bayesian p-value {p:.3f}"
        if outcome != "pass":
            message += f" (observed {side} what the model replicates; outside [{p_review:g}, {1 - p_review:g}])"
        rows.append(Check(name, None, p, p_review, "two_sided", outcome, message))
    return rows


# Posterior against prior and plausibility ---------------------------------------------------------


def roi_prior_shift(channel: str, posterior: np.ndarray, prior: np.ndarray, sd_ratio_max: float) -> Check:
    """How much the data narrowed and moved one channel's ROI: value = posterior sd / prior sd
    (above sd_ratio_max: review, the ROI is still its prior); the message adds the contraction
    1 - var_post / var_prior and the shift |mean_post - mean_prior| / sd_prior."""
    post, pri = np.asarray(posterior, dtype=float), np.asarray(prior, dtype=float)
    ratio = float(post.std() / pri.std())
    contraction = 1 - ratio**2
    shift = float(abs(post.mean() - pri.mean()) / pri.std())
    still = not ratio <= sd_ratio_max
    message = (
        f"ROI of {channel} is still its prior: posterior sd {ratio:.2f} x prior sd > {sd_ratio_max:g}"
        if still
        else f"ROI of {channel} informed by the data: posterior sd {ratio:.2f} x prior sd"
    )
    message += f" (contraction {contraction:.2f}, shift {shift:.2f} prior sd)"
    return Check("roi_prior_shift", channel, ratio, sd_ratio_max, "max", "review" if still else "pass", message)


def roi_plausible(channel: str, roi_mean: float, minimum: float, maximum: float) -> Check:
    """The posterior mean ROI inside [minimum, maximum], else review; threshold reports the bound crossed."""
    low = not roi_mean >= minimum
    high = not roi_mean <= maximum
    bound = minimum if low else maximum
    message = f"ROI of {channel} {roi_mean:.3g} " + (
        f"outside the plausible range [{minimum:g}, {maximum:g}]" if low or high else f"in [{minimum:g}, {maximum:g}]"
    )
    direction = "min" if low else "max"
    return Check(
        "roi_plausible", channel, float(roi_mean), bound, direction, "review" if low or high else "pass", message
    )


def baseline_negative(baseline: np.ndarray, mask: np.ndarray, maximum: float) -> Check:
    """Posterior probability that the baseline (the non-media part of the mean) is negative in any
    fitted week, at most `maximum`, else fail. baseline: (N, T) draws; mask: (T,) fitted weeks."""
    weeks = np.asarray(mask) > 0
    prob = float((np.asarray(baseline)[:, weeks] < 0).any(axis=1).mean())
    return threshold_check(
        "baseline_negative", prob, maximum, "max", "fail", "probability that the baseline is negative in some week"
    )


# Optional inputs from other parts ------------------------------------------------------------------


def experiments_disagree(count: int) -> Check:
    """Experiments whose lift the fit's posterior disagrees with: fail if any."""
    return threshold_check("experiments_disagree", float(count), 0.0, "max", "fail", "experiments disagreeing")


def backtest_coverage(coverage: float, minimum: float) -> Check:
    """Share of backtest weeks inside the 80% predictive interval at least `minimum`, else review."""
    return threshold_check("backtest_coverage_80", coverage, minimum, "min", "review", "backtest 80% interval coverage")
