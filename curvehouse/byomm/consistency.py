"""Does a model's stated contribution agree with its own curve at its stated spend?

Over a date range of W weeks (inclusive days / 7) with total spend S, the curve implies a
contribution of W * curve(S / W): the stated spend as a sustained weekly spend. A gap above the
tolerance does not reject the model (its curve may still be the better estimate: real spend is
not flat), it is recorded as a warning with both numbers.
"""

from __future__ import annotations

from dataclasses import replace

from curvehouse.byomm.records import ChannelCurve, ModelCurves
from curvehouse.hill import hill_response

__all__ = ["consistency_warnings", "with_consistency_warnings"]


def consistency_warnings(model: ModelCurves, tolerance: float) -> tuple[str, ...]:
    """One warning per channel whose implied and stated contributions differ by more than ``tolerance`` (relative)."""
    weeks = ((model.date_range_end - model.date_range_start).days + 1) / 7
    return tuple(
        warning for channel in model.channels if (warning := _channel_warning(channel, weeks, tolerance)) is not None
    )


def with_consistency_warnings(model: ModelCurves, tolerance: float) -> ModelCurves:
    """The model with its consistency warnings appended to ``warnings``."""
    return replace(model, warnings=model.warnings + consistency_warnings(model, tolerance))


def _channel_warning(channel: ChannelCurve, weeks: float, tolerance: float) -> str | None:
    if channel.contribution_mean is None or channel.spend is None:
        return None
    weekly_spend = channel.spend / weeks
    implied = weeks * float(
        hill_response(weekly_spend, channel.saturation_half_point, channel.saturation_max, channel.hill_slope)
    )
    stated = channel.contribution_mean
    if stated == implied:
        return None
    gap = abs(implied - stated) / abs(stated) if stated else float("inf")
    if gap <= tolerance:
        return None
    return (
        f"channel {channel.channel_name}: contribution_mean {stated:,.0f} disagrees with the curve, which gives "
        f"{implied:,.0f} at the stated spend {channel.spend:,.0f} ({weekly_spend:,.0f}/week over {weeks:.1f} weeks); "
        f"{gap:.0%} apart, tolerance {tolerance:.0%}"
    )
