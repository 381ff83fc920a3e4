"""What every BYOMM reader returns, and how it says no.

The curve convention shared with the built-in model: response per week at a sustained weekly
spend s, in outcome currency, is ``saturation_max * s**slope / (s**slope + half_point**slope)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = ["ChannelCurve", "ModelCurves", "ByommRejection"]


@dataclass(frozen=True)
class ChannelCurve:
    """One channel's saturation curve and contribution, already in the weekly-spend convention.

    Money is in outcome currency. ``*_p05`` / ``*_p95`` are 90% interval bounds where the source
    gives them (else None). ``contribution_*`` and ``spend`` cover the model's date range.
    ``observed_spend_min`` / ``_max`` are the weekly spend range the curve was fitted on, when known.
    ``points`` keeps source curve points as (weekly_spend, response_mean, response_lower, response_upper).
    ``extras`` keeps source-specific numbers worth publishing (e.g. Robyn's mean carryover).
    """

    channel_name: str
    display_name: str
    saturation_half_point: float
    saturation_max: float
    hill_slope: float
    contribution_mean: float | None
    contribution_lower: float | None
    contribution_upper: float | None
    spend: float | None
    saturation_half_point_p05: float | None = None
    saturation_half_point_p95: float | None = None
    saturation_max_p05: float | None = None
    saturation_max_p95: float | None = None
    hill_slope_p05: float | None = None
    hill_slope_p95: float | None = None
    observed_spend_min: float | None = None
    observed_spend_max: float | None = None
    curve_family: str = "hill"
    points: tuple[tuple[float, float, float | None, float | None], ...] = ()
    extras: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelCurves:
    """One BYOMM model as read from its file or folder."""

    model_id: str
    source: str  # custom_json | recast | robyn | meridian | meridian_proto | pymc_marketing
    refreshed_at: datetime
    date_range_start: date
    date_range_end: date
    total_revenue: float | None
    channels: tuple[ChannelCurve, ...]
    source_path: str
    segment_id: str | None = None  # None: the var byomm_default_segment applies
    warnings: tuple[str, ...] = ()


class ByommRejection(ValueError):
    """A model file or folder that cannot be loaded: which file, why, and the offending field."""

    def __init__(self, file: str, reason: str, field: str | None = None) -> None:
        self.file = file
        self.reason = reason
        self.field = field
        where = f" (field {field})" if field else ""
        super().__init__(f"{file}: {reason}{where}")
