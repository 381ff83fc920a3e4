"""One segment's review: every check of curvehouse.review.checks over its fit, and their artifact rows
(artifact 'review': parameter = check name, value = the number, the rest in details)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from curvehouse.model.spec import ModelSpec
from curvehouse.posterior import summaries as sm
from curvehouse.posterior.details import details_json
from curvehouse.review import checks as ck
from curvehouse.review.names import ALWAYS_BLOCKING

__all__ = [
    "ARTIFACT",
    "PPC_DRAWS",
    "SegmentFit",
    "blocks",
    "not_fittable",
    "publish_checks",
    "review_checks",
    "review_frame",
    "review_records",
    "summary",
]

ARTIFACT = "review"
PPC_DRAWS = 1000  # posterior draws (evenly thinned) replicated for the posterior predictive checks


@dataclass(frozen=True)
class SegmentFit:
    """What the review reads of one segment's fit, in mean-weekly-outcome units where scaled.

    y: (T,) observed; mu: (N, T) the model's mean per posterior draw; sigma: (N,) noise scale per draw;
    mask: (T,) fitted weeks; baseline: (M, T) the non-media part of the mean (baseline + trend +
    controls) per draw; roi / roi_prior: channel -> posterior / prior ROI draws of the channels in the
    segment; energy, num_steps: (chains, draws) sampler statistics.
    """

    y: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    mask: np.ndarray
    baseline: np.ndarray
    roi: dict[str, np.ndarray]
    roi_prior: dict[str, np.ndarray]
    energy: np.ndarray
    num_steps: np.ndarray


def publish_checks(
    spec: ModelSpec, worst: dict[str, float], divergences: int, r2: float, quantities_finite: bool
) -> list[ck.Check]:
    """Today's publish rule as checks, against the publish thresholds (PublishSpec; a refresh's R2
    against refresh.r2_min); a NaN fails."""
    p = spec.publish
    r2_min = spec.refresh.r2_min if spec.fit_mode == "refresh" else p.r2_min
    ess = min(worst["min_ess_bulk"], worst["min_ess_tail"])
    rows = [
        ck.threshold_check("max_rhat", worst["max_rhat"], p.rhat_max, "max", "fail", "max R-hat"),
        ck.threshold_check("min_ess", ess, p.ess_min, "min", "fail", "min ESS"),
        ck.threshold_check(
            "divergences", float(divergences), p.divergences_max, "max", "fail", "divergent transitions"
        ),
        ck.threshold_check("r2_in_sample", r2, r2_min, "min", "fail", "in-sample R2"),
    ]
    # Today's wording of each failure (status_reason).
    texts = {
        "max_rhat": f"max R-hat {worst['max_rhat']:.3f} > {p.rhat_max}",
        "min_ess": f"min ESS {ess:.0f} < {p.ess_min:.0f}",
        "divergences": f"{divergences} divergent transitions > {p.divergences_max}",
        "r2_in_sample": f"in-sample R2 {r2:.2f} < {r2_min}",
    }
    rows = [ck.Check(**{**c.__dict__, "message": texts[c.check]}) if c.outcome != "pass" else c for c in rows]
    finite = (
        "all finite" if quantities_finite else "non-finite values in the curves or channel summary (never published)"
    )
    rows.append(
        ck.Check(
            "finite_numbers",
            None,
            float(quantities_finite),
            1.0,
            "min",
            "pass" if quantities_finite else "fail",
            finite,
        )
    )
    return rows


def review_checks(
    spec: ModelSpec,
    fit: SegmentFit,
    seed: int,
    experiments_disagreeing: int | None = None,
    backtest_coverage_80: float | None = None,
) -> list[ck.Check]:
    """The checks beyond the publish rule: sampler health, posterior predictive, prior-posterior shift
    and plausibility; experiments and backtest where their figures are given (absent when None)."""
    r = spec.review
    rows = [
        ck.ebfmi_check(fit.energy, r.ebfmi_min),
        ck.tree_depth_share_check(fit.num_steps, spec.sampler.max_tree_depth, r.tree_depth_share_max),
    ]
    rng = np.random.default_rng(seed)
    keep = np.linspace(0, len(fit.mu) - 1, min(len(fit.mu), PPC_DRAWS)).astype(int)
    weeks = fit.mask > 0
    mu, sigma = fit.mu[keep][:, weeks], fit.sigma[keep][:, None]
    if spec.noise == "student_t":
        noise = rng.standard_t(spec.priors.student_t_df, size=mu.shape)
    else:
        noise = rng.standard_normal(mu.shape)
    y_rep = mu + sigma * noise
    rows += ck.posterior_predictive(ck.ppc_p_values(fit.y[weeks], mu, y_rep), r.ppc_p_review, r.ppc_p_fail)
    for channel, draws in fit.roi.items():
        rows.append(ck.roi_prior_shift(channel, draws, fit.roi_prior[channel], r.prior_sd_ratio_max))
        rows.append(ck.roi_plausible(channel, float(np.mean(draws)), r.roi_plausible_min, r.roi_plausible_max))
    rows.append(ck.baseline_negative(fit.baseline, fit.mask, r.baseline_negative_prob_max))
    if experiments_disagreeing is not None:
        rows.append(ck.experiments_disagree(experiments_disagreeing))
    if backtest_coverage_80 is not None:
        rows.append(ck.backtest_coverage(backtest_coverage_80, r.backtest_coverage_min))
    return rows


def blocks(spec: ModelSpec, check: ck.Check) -> bool:
    """Whether this check's failure blocks publishing (its name is in review.blocking)."""
    return check.check in spec.review.blocking or check.check in ALWAYS_BLOCKING


def not_fittable(reason: str) -> ck.Check:
    """The one check of a segment whose data cannot be fitted (curvehouse.model.checks' reason)."""
    return ck.Check("data_fittable", None, 0.0, 1.0, "min", "fail", reason)


def summary(checks: list[ck.Check]) -> tuple[dict[str, float], dict[str, str]]:
    """Run metrics of the review: counts of fail and review outcomes, and the worst outcome."""
    outcomes = [c.outcome for c in checks]
    numbers = {"review_fails": float(outcomes.count("fail")), "review_reviews": float(outcomes.count("review"))}
    return numbers, {"review_outcome": ck.worst_outcome(outcomes)}


def review_frame(run_id: str, segment: str, spec: ModelSpec, checks: list[ck.Check]) -> pd.DataFrame:
    """The review artifact rows of one run."""
    return sm.records_frame(review_records(run_id, segment, spec, checks))


def review_records(run_id: str, segment: str, spec: ModelSpec, checks: list[ck.Check]) -> list[dict]:
    """The review artifact rows of one run as dicts (a many-segment fit builds one frame of all)."""
    return [
        {
            "run_id": run_id,
            "segment_id": segment,
            "artifact": ARTIFACT,
            "parameter": c.check,
            "channel": c.channel,
            "value": c.value if np.isfinite(c.value) else np.nan,
            "details": details_json(
                check_group=c.group,
                threshold=c.threshold,
                direction=c.direction,
                outcome=c.outcome,
                blocks_publish=blocks(spec, c),
                message=c.message,
            ),
        }
        for c in checks
    ]
