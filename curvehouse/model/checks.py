"""Per-segment checks before a fit: reject what cannot be fitted, warn about what fits poorly."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from curvehouse.model.data import ModelData

__all__ = ["SegmentCheck", "check_segment", "MIN_ACTIVE_WEEKS", "COLLINEAR_R", "OUTLIER_Z"]

MIN_ACTIVE_WEEKS = 4  # a channel spending in fewer weeks has no curve to learn
COLLINEAR_R = 0.95  # channels whose weekly spend correlates above this cannot be told apart
OUTLIER_Z = 8.0  # robust z-score of a week's outcome that is flagged as an outlier


@dataclass(frozen=True)
class SegmentCheck:
    """What the checks decided for one segment."""

    reject_reason: str | None = None
    warnings: tuple[str, ...] = ()
    dropped_channels: list[int] = field(default_factory=list)


def check_segment(data: ModelData, i: int) -> SegmentCheck:
    """Checks of segment i: constant or negative outcome reject; idle, one-off, collinear channels and
    outlier weeks are warnings (idle and one-off channels are left out of the fit)."""
    n = int(data.n_weeks[i])
    y = data.y[i, :n] * data.y_scale[i]
    weeks = data.weeks[i]
    if np.any(y < 0):
        worst = int(np.argmin(y))
        return SegmentCheck(
            f"outcome is negative in {int((y < 0).sum())} week(s) (e.g. week "
            f"{_day(weeks[worst])}: {y[worst]:,.2f}); the KPI must be non-negative"
        )
    if np.ptp(y) <= 1e-9 * max(1.0, abs(float(y.mean()))):
        return SegmentCheck(f"outcome is constant ({y[0]:,.2f} every week): nothing for the model to explain")

    warnings: list[str] = []
    dropped: list[int] = []
    spend = data.driver[i, :n]  # organic channels: weekly volume
    active = (spend > 0).sum(axis=0)
    for c, channel in enumerate(data.channels):
        if data.channel_mask[i, c] <= 0:
            continue
        if active[c] < MIN_ACTIVE_WEEKS:
            dropped.append(c)
            warnings.append(
                f"channel {channel!r} spends in only {int(active[c])} week(s) of the window; "
                f"left out of the fit (needs {MIN_ACTIVE_WEEKS})"
            )
    kept = [c for c in range(len(data.channels)) if data.channel_mask[i, c] > 0 and c not in dropped]
    for a_pos, a in enumerate(kept):
        for b in kept[a_pos + 1 :]:
            r = np.corrcoef(spend[:, a], spend[:, b])[0, 1]
            if np.isfinite(r) and r > COLLINEAR_R:
                warnings.append(
                    f"channels {data.channels[a]!r} and {data.channels[b]!r} move together "
                    f"(r = {r:.3f}): their split rests on the priors"
                )
    median = np.median(y)
    mad = 1.4826 * np.median(np.abs(y - median))
    if mad > 0:
        z = np.abs(y - median) / mad
        outliers = np.flatnonzero(z > OUTLIER_Z)
        if outliers.size:
            first = outliers[0]
            warnings.append(
                f"{outliers.size} outlier week(s) in the outcome (e.g. week {_day(weeks[first])}: "
                f"{y[first]:,.2f} vs median {median:,.2f}); consider noise: student_t"
            )
    return SegmentCheck(None, tuple(warnings), dropped)


def _day(week) -> str:
    return str(week)[:10]
