"""The planning config (var ``planning`` in dbt_project.yml) as one frozen, validated spec."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["ChannelBound", "PlanningSpec", "planning_spec", "DEFAULT_ROUTES", "ALERT_KINDS"]

ALERT_KINDS = (
    "gate_failure",
    "rejected_fit",
    "sign_flip",
    "low_fit_quality",
    "stale_curves",
    "channel_deferred",
    "attribution_disagreement",
    "methodology_change",
    "reallocation_proposal",
    "experiment_disagrees",
    "model_review_failure",
)
DEFAULT_ROUTES = {
    "gate_failure": "analytics_engineer",
    "rejected_fit": "marketing_science_lead",
    "sign_flip": "marketing_science_lead",
    "low_fit_quality": "marketing_science_lead",
    "stale_curves": "marketing_science_lead",
    "channel_deferred": "analytics_engineer",
    "attribution_disagreement": "marketing_science_lead",
    "methodology_change": "marketing_science_lead",
    "reallocation_proposal": "budget_owner",
    "experiment_disagrees": "marketing_science_lead",
    "model_review_failure": "marketing_science_lead",
}
DEFAULT_DUE_DAYS = {"critical": 2, "warning": 7, "info": 30}


def _check(condition: bool, name: str, allowed: str, value: Any) -> None:
    if not condition:
        raise ValueError(f"planning.{name} must be {allowed}; got {value!r}")


@dataclass(frozen=True)
class ChannelBound:
    """A user bound on one channel's weekly spend (segment_id '*' = every segment).

    ``locked`` pins the channel at that spend; min / max narrow the observed range (never widen it).
    """

    channel: str
    segment_id: str = "*"
    min: float | None = None
    max: float | None = None
    locked: float | None = None

    def __post_init__(self) -> None:
        for name in ("min", "max", "locked"):
            value = getattr(self, name)
            _check(
                value is None or (isinstance(value, (int, float)) and value >= 0),
                f"channel_bounds[{self.channel}].{name}",
                "a non-negative number or null",
                value,
            )
        if self.min is not None and self.max is not None:
            _check(self.min <= self.max, f"channel_bounds[{self.channel}].min", "<= max", self.min)

    def applies_to(self, segment_id: str) -> bool:
        return self.segment_id in ("*", segment_id)


@dataclass(frozen=True)
class PlanningSpec:
    """Planning settings; every field is documented beside the var in dbt_project.yml."""

    reporting_weeks: int = 13
    budget_min_ratio: float = 0.5
    budget_max_ratio: float = 1.5
    budget_step: float = 0.05
    surface_min_scenarios: int = 10_000
    tilt_share: float = 0.25
    frontier_levels: int = 21
    frontier_top_k: int = 4
    frontier_tolerance: float = 0.01
    channel_bounds: tuple[ChannelBound, ...] = ()
    scenario_shift: float = 0.25
    sensitivity_shift: float = 0.2
    roi_floor: float = 1.0
    roi_floors: dict[str, float] = field(default_factory=dict)
    at_floor_tolerance: float = 0.1
    audit_max_move_share: float = 0.25
    confidence_high_width: float = 0.3
    confidence_low_width: float = 0.7
    pulse_share: float = 0.3
    materialise_share: float = 0.9
    pseudo_draws: int = 200
    seed: int = 20261122
    r2_floor: float = 0.45
    disagreement_flag: float = 0.3
    disagreement_escalate: float = 0.5
    proposal_alert_threshold: float = 10_000.0
    alert_routes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_ROUTES))
    alert_due_days: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DUE_DAYS))

    def __post_init__(self) -> None:
        for name in ("reporting_weeks", "surface_min_scenarios", "frontier_levels", "frontier_top_k", "pseudo_draws"):
            value = getattr(self, name)
            _check(isinstance(value, int) and value >= 1, name, "a positive integer", value)
        _check(
            0 < self.budget_min_ratio < self.budget_max_ratio,
            "budget_min_ratio",
            "positive and below budget_max_ratio",
            self.budget_min_ratio,
        )
        for name in (
            "budget_step",
            "tilt_share",
            "frontier_tolerance",
            "scenario_shift",
            "sensitivity_shift",
            "at_floor_tolerance",
            "audit_max_move_share",
            "pulse_share",
            "r2_floor",
            "disagreement_flag",
            "disagreement_escalate",
        ):
            value = getattr(self, name)
            _check(isinstance(value, (int, float)) and 0 < value < 1, name, "in (0, 1)", value)
        _check(0 < self.materialise_share < 1, "materialise_share", "in (0, 1)", self.materialise_share)
        _check(
            self.disagreement_flag < self.disagreement_escalate,
            "disagreement_flag",
            "below disagreement_escalate",
            self.disagreement_flag,
        )
        _check(
            0 < self.confidence_high_width < self.confidence_low_width,
            "confidence_high_width",
            "positive and below confidence_low_width",
            self.confidence_high_width,
        )
        _check(
            self.roi_floor >= 0 and all(v >= 0 for v in self.roi_floors.values()),
            "roi_floor",
            "non-negative",
            self.roi_floor,
        )
        _check(
            self.proposal_alert_threshold >= 0,
            "proposal_alert_threshold",
            "non-negative",
            self.proposal_alert_threshold,
        )
        unknown = sorted(set(self.alert_routes) - set(ALERT_KINDS))
        _check(not unknown, "alert_routes", f"keyed by alert kinds {ALERT_KINDS}", unknown)
        _check(
            set(self.alert_due_days) >= set(DEFAULT_DUE_DAYS),
            "alert_due_days",
            f"a mapping with keys {tuple(DEFAULT_DUE_DAYS)}",
            self.alert_due_days,
        )

    def floor_of(self, channel: str) -> float:
        """The ROI floor of a channel: its own entry in roi_floors, else roi_floor."""
        return float(self.roi_floors.get(channel, self.roi_floor))

    def budget_ratios(self) -> list[float]:
        """Surface budget levels as ratios of the current total, budget_min_ratio..budget_max_ratio by budget_step."""
        n = int(round((self.budget_max_ratio - self.budget_min_ratio) / self.budget_step)) + 1
        return [round(self.budget_min_ratio + i * self.budget_step, 10) for i in range(n)]

    def frontier_ratios(self) -> list[float]:
        """frontier_levels evenly spaced ratios from budget_min_ratio to budget_max_ratio."""
        n = self.frontier_levels
        span = self.budget_max_ratio - self.budget_min_ratio
        return [self.budget_min_ratio + span * i / max(n - 1, 1) for i in range(n)]

    def route_of(self, kind: str) -> str:
        return self.alert_routes.get(kind, DEFAULT_ROUTES[kind])


def planning_spec(config: dict | None) -> PlanningSpec:
    """Build the spec from the var's mapping; unknown keys are an error naming them."""
    config = dict(config or {})
    known = {f.name for f in fields(PlanningSpec)}
    unknown = sorted(set(config) - known)
    if unknown:
        raise ValueError(f"planning var has unknown keys {unknown}; known: {sorted(known)}")
    bounds = tuple(ChannelBound(**b) for b in (config.pop("channel_bounds", None) or ()))
    routes = {**DEFAULT_ROUTES, **(config.pop("alert_routes", None) or {})}
    due = {**DEFAULT_DUE_DAYS, **(config.pop("alert_due_days", None) or {})}
    floors = dict(config.pop("roi_floors", None) or {})
    return PlanningSpec(channel_bounds=bounds, alert_routes=routes, alert_due_days=due, roi_floors=floors, **config)
