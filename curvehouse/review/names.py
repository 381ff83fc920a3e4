"""The review's check names and groups: the one list the methodology (ReviewSpec.blocking), the
checks and the rows read."""

from __future__ import annotations

__all__ = ["ALWAYS_BLOCKING", "CHECK_GROUPS", "CHECK_NAMES", "DEFAULT_BLOCKING", "OUTCOMES"]

# check name -> group (shown together on the diagnostics page).
CHECK_GROUPS = {
    "data_fittable": "data",
    "max_rhat": "sampler",
    "min_ess": "sampler",
    "divergences": "sampler",
    "ebfmi": "sampler",
    "tree_depth_share": "sampler",
    "r2_in_sample": "fit",
    "finite_numbers": "fit",
    "ppc_residual_mean": "posterior_predictive",
    "ppc_residual_sd": "posterior_predictive",
    "ppc_residual_lag1": "posterior_predictive",
    "ppc_outcome_max": "posterior_predictive",
    "ppc_outcome_min": "posterior_predictive",
    "roi_prior_shift": "prior_posterior",
    "roi_plausible": "plausibility",
    "baseline_negative": "plausibility",
    "experiments_disagree": "experiments",
    "backtest_coverage_80": "backtest",
}
CHECK_NAMES = tuple(CHECK_GROUPS)
# The default publish rule: sampler health (R-hat, ESS), divergences and finite numbers. In-sample R2
# is reviewed but does not block by default: it measures the data's signal-to-noise as much as the
# model (on Meridian's national data no linear fit of spend, controls and seasonality reaches 0.5).
DEFAULT_BLOCKING = ("max_rhat", "min_ess", "divergences", "finite_numbers")
# Data that cannot be fitted (curvehouse.model.checks) leave nothing to publish, whatever the setting.
ALWAYS_BLOCKING = ("data_fittable",)
OUTCOMES = ("pass", "review", "fail")  # in order of severity
