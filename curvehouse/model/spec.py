"""The methodology config as frozen, validated specs; its hash is the methodology version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from curvehouse.review.names import CHECK_NAMES, DEFAULT_BLOCKING

__all__ = [
    "BacktestSpec",
    "BaselineSpec",
    "PriorSpec",
    "SamplerSpec",
    "PublishSpec",
    "RefreshSpec",
    "ReviewSpec",
    "ModelSpec",
    "spec_from_config",
]

NOISE_FAMILIES = ("normal", "student_t")
POOLING = ("none", "partial")
POOLING_METHOD = "population_prior_from_other_segments"  # curvehouse.model.pooling
FIT_MODES = ("full", "refresh")
CHAIN_METHODS = ("auto", "parallel", "vectorized", "sequential", "lanes")
EXECUTION_SETTINGS = {"chain_method": "parallel", "lane_chunk": None}  # where chains run, not what they fit
BASELINE_KINDS = ("fixed", "time_varying")


def _check(condition: bool, name: str, allowed: str, value: Any) -> None:
    if not condition:
        raise ValueError(f"methodology {name} must be {allowed}; got {value!r}")


@dataclass(frozen=True)
class PriorSpec:
    """Priors, in business units where the quantity has one.

    ROI (outcome currency per unit of spend) is LogNormal with this mean and sd unless the channel
    registry gives its own. Half point is LogNormal around ``half_point_median`` times the channel's
    mean weekly spend in active weeks. Adstock decay is Beta(theta_alpha, theta_beta), and
    Beta(brand_theta_alpha, brand_theta_beta) for channels of the registry's ``brand`` group, whose
    effect lasts longer (Robyn's guidance: TV decay 0.3-0.8, digital 0-0.3). Level (the mean outcome at
    average media and trend, centred as brms centres its intercept, so the baseline does not trade off
    against the media along a curved ridge), trend, control effects and noise are in units of the
    segment's mean weekly outcome.
    """

    roi_mean: float = 1.5
    roi_sd: float = 1.5
    half_point_median: float = 1.0
    half_point_log_sd: float = 0.7
    slope_median: float = 1.5
    slope_log_sd: float = 0.4
    theta_alpha: float = 2.0
    theta_beta: float = 3.0
    brand_theta_alpha: float = 3.0
    brand_theta_beta: float = 3.0
    level_mean: float = 1.0
    level_sd: float = 0.25
    trend_sd: float = 0.5
    control_sd: float = 0.3
    sigma_scale: float = 0.2
    pool_log_sd: float = 0.3
    student_t_df: float = 5.0
    # Contribution-share prior (share of the fit weeks' outcome) of organic channels whose registry
    # row gives none; in the methodology version only when changed (see OPTIONAL_PRIORS).
    organic_share_mean: float = 0.1
    organic_share_sd: float = 0.1

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            _check(isinstance(value, (int, float)) and value > 0, f"priors.{f.name}", "a positive number", value)


# PriorSpec fields added after runs were published: hashed only when set to another value.
OPTIONAL_PRIORS = {"organic_share_mean": 0.1, "organic_share_sd": 0.1}


@dataclass(frozen=True)
class SamplerSpec:
    """NUTS settings. chain_method auto (the default): on a GPU every segment of a fit is a lane of
    one program (`lanes`, lane_chunk segments a program call; curvehouse.model.sampling.sample_lanes),
    elsewhere one program call per segment whose chains run in parallel on host devices where there
    are enough (XLA_FLAGS set before JAX is imported, see curvehouse.model), else vectorized
    (`parallel`; `vectorized` and `sequential` force the others). dense_mass None (the
    default) picks by fit mode: dense for full fits (diagonal in refresh mode, see
    curvehouse.model.sampling._dense_mass), because ROI, half point and slope are correlated
    (far fewer leapfrog steps).
    warmup_tree_depth caps trajectories while the mass matrix is still unadapted: uncapped, the
    first warmup iterations ran maximal trees and dominated the fit's time."""

    chains: int = 4
    warmup: int = 1000
    draws: int = 1000
    seed: int = 20261122
    target_accept: float = 0.95
    max_tree_depth: int = 10
    warmup_tree_depth: int = 6
    chain_method: str = "auto"
    dense_mass: bool | None = None
    draws_kept: int = 200
    lane_chunk: int = 1000

    def __post_init__(self) -> None:
        for name in ("chains", "warmup", "draws", "max_tree_depth", "warmup_tree_depth", "draws_kept", "lane_chunk"):
            value = getattr(self, name)
            _check(isinstance(value, int) and value >= 1, f"sampler.{name}", "a positive integer", value)
        _check(0.5 <= self.target_accept < 1, "sampler.target_accept", "in [0.5, 1)", self.target_accept)
        _check(self.chain_method in CHAIN_METHODS, "sampler.chain_method", f"one of {CHAIN_METHODS}", self.chain_method)
        _check(self.dense_mass in (None, True, False), "sampler.dense_mass", "true, false or null", self.dense_mass)


@dataclass(frozen=True)
class PublishSpec:
    """Thresholds a run must meet to become current; otherwise it is stored as rejected."""

    rhat_max: float = 1.01
    ess_min: float = 400.0
    divergences_max: int = 0
    r2_min: float = 0.5


@dataclass(frozen=True)
class ReviewSpec:
    """Thresholds of the review checks (curvehouse.review.checks) beyond the publish thresholds, and
    which checks block publishing when they fail (default: sampler health, divergences and finite
    numbers; the other checks, in-sample R2 among them, are read in mmm_model_review and mmm_alerts).

    ppc_p_review / ppc_p_fail: a posterior predictive p-value below it or above one minus it is
    review / fail. prior_sd_ratio_max: an ROI whose posterior sd is above this share of its prior sd
    is still its prior (review). baseline_negative_prob_max: the largest posterior probability that
    the baseline goes negative in some week (fail above). roi_plausible_min / max: a posterior mean
    ROI outside is review. ebfmi_min: the lowest E-BFMI of any chain (fail below).
    tree_depth_share_max: the largest share of draws whose trajectory hit the maximum tree depth
    (review above). backtest_coverage_min: the lowest backtest 80% interval coverage (review below).
    """

    ppc_p_review: float = 0.05
    ppc_p_fail: float = 0.01
    prior_sd_ratio_max: float = 0.9
    baseline_negative_prob_max: float = 0.1
    roi_plausible_min: float = 0.05
    roi_plausible_max: float = 20.0
    ebfmi_min: float = 0.3
    tree_depth_share_max: float = 0.05
    backtest_coverage_min: float = 0.6
    blocking: tuple[str, ...] = DEFAULT_BLOCKING

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocking", tuple(self.blocking))
        _check(
            0 < self.ppc_p_fail <= self.ppc_p_review < 0.5,
            "review.ppc_p_*",
            "0 < fail <= review < 0.5",
            (self.ppc_p_fail, self.ppc_p_review),
        )
        for name in (
            "prior_sd_ratio_max",
            "baseline_negative_prob_max",
            "tree_depth_share_max",
            "backtest_coverage_min",
        ):
            value = getattr(self, name)
            _check(isinstance(value, (int, float)) and 0 <= value <= 1, f"review.{name}", "in [0, 1]", value)
        _check(
            0 <= self.roi_plausible_min < self.roi_plausible_max,
            "review.roi_plausible_min / max",
            "0 <= min < max",
            (self.roi_plausible_min, self.roi_plausible_max),
        )
        _check(self.ebfmi_min >= 0, "review.ebfmi_min", "non-negative", self.ebfmi_min)
        unknown = sorted(set(self.blocking) - set(CHECK_NAMES))
        _check(not unknown, "review.blocking", f"check names among {list(CHECK_NAMES)}", unknown)


@dataclass(frozen=True)
class BacktestSpec:
    """Rolling-origin backtests (curvehouse.fitting.backtests): fold j = 1..folds refits on the weeks
    before T - j * horizon_weeks and forecasts the horizon_weeks after. A fold that would leave fewer
    than min_train_weeks to train on is skipped: a year, so the yearly seasonality terms have seen
    one cycle and the forecast scores the model, not a window too short to fit it. burn_in and
    draws are per chain of the refit resumed from the fit's adapted chains. folds 0 turns them off."""

    folds: int = 4
    horizon_weeks: int = 8
    min_train_weeks: int = 52
    burn_in: int = 150
    draws: int = 100

    def __post_init__(self) -> None:
        _check(isinstance(self.folds, int) and self.folds >= 0, "backtest.folds", "a non-negative integer", self.folds)
        for name in ("horizon_weeks", "min_train_weeks", "burn_in", "draws"):
            value = getattr(self, name)
            _check(isinstance(value, int) and value >= 1, f"backtest.{name}", "a positive integer", value)


@dataclass(frozen=True)
class RefreshSpec:
    """Refresh mode: the short window re-estimates ROI and level only; half point, slope, adstock decay,
    control effects and trend are held at the previous published posterior's means. The ROI prior is
    LogNormal with the previous posterior's mean and its sd times ``roi_sd_inflation`` (above 1 lets
    the recent weeks move ROI further from the previous run)."""

    roi_sd_inflation: float = 1.5
    target_accept: float = 0.99  # NUTS target acceptance of a refresh (a small posterior: smaller steps are cheap)
    # In-sample R2 a refresh must reach to publish, in place of publish.r2_min: on 13 weeks the outcome's
    # variance is mostly week-to-week noise and a refresh can move only ROI and level, so R2 says little
    # about the model; below 0 the refresh fits its window worse than the window's mean.
    r2_min: float = 0.0

    def __post_init__(self) -> None:
        _check(
            isinstance(self.roi_sd_inflation, (int, float)) and self.roi_sd_inflation >= 1,
            "refresh.roi_sd_inflation",
            "a number >= 1",
            self.roi_sd_inflation,
        )
        _check(0.5 <= self.target_accept < 1, "refresh.target_accept", "in [0.5, 1)", self.target_accept)
        _check(isinstance(self.r2_min, (int, float)) and self.r2_min <= 1, "refresh.r2_min", "at most 1", self.r2_min)


@dataclass(frozen=True)
class BaselineSpec:
    """The baseline: ``time_varying`` (the default: the level plus a smooth shift with mean zero over
    the fit weeks, a Gaussian random walk on ``knots`` knots spread evenly over the fit weeks, linearly
    interpolated between them and flat beyond; each step between knots ~ Normal(0, step_sd), in units
    of the segment's mean weekly outcome) or ``fixed`` (one level per segment, plus trend: the model
    before the setting existed, with its methodology versions and run ids). A refresh fits no shift:
    it re-estimates the level on its short window, which is the moving level's current value. See
    curvehouse.model.baseline and docs/methodology.md."""

    kind: str = "time_varying"
    knots: int = 6
    step_sd: float = 0.1

    def __post_init__(self) -> None:
        _check(self.kind in BASELINE_KINDS, "baseline.kind", f"one of {BASELINE_KINDS}", self.kind)
        _check(isinstance(self.knots, int) and self.knots >= 2, "baseline.knots", "an integer >= 2", self.knots)
        _check(
            isinstance(self.step_sd, (int, float)) and self.step_sd > 0,
            "baseline.step_sd",
            "a positive number",
            self.step_sd,
        )


@dataclass(frozen=True)
class ModelSpec:
    """Everything that decides what a fit publishes (hashed into the methodology version)."""

    adstock_max_lag: int = 8
    noise: str = "normal"
    pooling: str = "none"
    fit_mode: str = "full"
    window_weeks: int = 156
    refresh_window_weeks: int = 13
    holdout_weeks: int = 8
    current_spend_weeks: int = 13
    curve_grid_points: int = 41
    priors: PriorSpec = field(default_factory=PriorSpec)
    sampler: SamplerSpec = field(default_factory=SamplerSpec)
    publish: PublishSpec = field(default_factory=PublishSpec)
    review: ReviewSpec = field(default_factory=ReviewSpec)
    backtest: BacktestSpec = field(default_factory=BacktestSpec)
    refresh: RefreshSpec = field(default_factory=RefreshSpec)
    baseline: BaselineSpec = field(default_factory=BaselineSpec)

    def __post_init__(self) -> None:
        _check(self.noise in NOISE_FAMILIES, "noise", f"one of {NOISE_FAMILIES}", self.noise)
        _check(self.pooling in POOLING, "pooling", f"one of {POOLING}", self.pooling)
        _check(self.fit_mode in FIT_MODES, "fit_mode", f"one of {FIT_MODES}", self.fit_mode)
        for name in ("adstock_max_lag", "window_weeks", "refresh_window_weeks", "current_spend_weeks"):
            value = getattr(self, name)
            _check(isinstance(value, int) and value >= 1, name, "a positive integer", value)
        _check(
            isinstance(self.holdout_weeks, int) and self.holdout_weeks >= 0,
            "holdout_weeks",
            "a non-negative integer",
            self.holdout_weeks,
        )
        _check(self.curve_grid_points >= 2, "curve_grid_points", "at least 2", self.curve_grid_points)

    def to_dict(self) -> dict[str, Any]:
        """The config as a dict; the refresh settings only in refresh mode, where they act (so a
        full fit's methodology version and run id do not depend on them), the OPTIONAL_PRIORS only where
        changed (so adding them left every existing version as it was), and the baseline settings only
        when time-varying (so a fixed baseline's run ids are those from before the setting existed); under
        partial pooling the pooling method too. The sampler's execution settings (where chains run: on
        host devices, vectorized, as lanes of one program) do not change what is fitted, so a segment
        has one run id however it runs: they are recorded as the one value every version had before."""
        out = asdict(self)
        for name, recorded in EXECUTION_SETTINGS.items():  # the value versions recorded before lanes existed
            out["sampler"].pop(name)
            if recorded is not None:
                out["sampler"][name] = recorded
        if self.fit_mode != "refresh":
            del out["refresh"]
        for name, default in OPTIONAL_PRIORS.items():
            if out["priors"][name] == default:
                del out["priors"][name]
        if self.baseline.kind == "fixed":
            del out["baseline"]
        if self.pooling == "partial":  # partial pooling's runs before it were one joint hierarchical run
            out["pooling_method"] = POOLING_METHOD
        return out

    @property
    def version(self) -> str:
        """Methodology version: a short hash of the whole config."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def spec_from_config(config: dict[str, Any] | None) -> ModelSpec:
    """Build a ModelSpec from the dbt var (nested dict); unknown keys are an error, not ignored."""
    config = dict(config or {})
    nested = {
        "priors": PriorSpec,
        "sampler": SamplerSpec,
        "publish": PublishSpec,
        "review": ReviewSpec,
        "backtest": BacktestSpec,
        "refresh": RefreshSpec,
        "baseline": BaselineSpec,
    }
    known = {f.name for f in fields(ModelSpec)}
    unknown = sorted(set(config) - known)
    if unknown:
        raise ValueError(f"unknown methodology setting(s) {unknown}; known: {sorted(known)}")
    kwargs: dict[str, Any] = {}
    for name, value in config.items():
        if name in nested:
            sub = nested[name]
            sub_known = {f.name for f in fields(sub)}
            bad = sorted(set(value or {}) - sub_known)
            if bad:
                raise ValueError(f"unknown methodology {name} setting(s) {bad}; known: {sorted(sub_known)}")
            kwargs[name] = sub(**(value or {}))
        else:
            kwargs[name] = value
    return ModelSpec(**kwargs)
