"""The saturation audit: where each channel sits against its ROI floor, a net-zero move, its expected
ROI, confidence from the curve's interval, and the experiment that would tighten the least certain curve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from curvehouse.planning.config import PlanningSpec
from curvehouse.planning.curves import CurveSet, interval80
from curvehouse.planning.frontier import best_at
from curvehouse.planning.optimize import to_cents

__all__ = [
    "PROPOSED_COLUMNS",
    "confidence",
    "experiment",
    "first_monday_after",
    "floor_crossing",
    "net_zero_moves",
    "position",
    "proposed_experiment",
    "saturation_audit",
]

_GRID = 512
HOLDOUT_SHARE = 0.2  # share of geos / markets a holdout pauses
PROPOSAL_LEAD_DAYS = 14  # a proposed experiment starts at least this long after the fitted data ends


def floor_crossing(grid: np.ndarray, marginal: np.ndarray, floor: float) -> tuple[float, float | None]:
    """The inflection (where the expected marginal ROI peaks) and the first spend past it where the
    marginal ROI falls below the floor (linear interpolation on the grid; None if it never does)."""
    peak = int(np.argmax(marginal))
    below = np.flatnonzero(marginal[peak:] < floor)
    if below.size == 0:
        return float(grid[peak]), None
    j = peak + int(below[0])
    if j == peak:
        return float(grid[peak]), float(grid[peak])
    x0, x1, y0, y1 = grid[j - 1], grid[j], marginal[j - 1], marginal[j]
    return float(grid[peak]), float(x0 + (floor - y0) * (x1 - x0) / (y1 - y0))


def position(marginal_draws: np.ndarray, floor: float, tolerance: float) -> tuple[str, float]:
    """The saturation position at current spend against the ROI floor, the one meaning every table uses:
    pre (the expected marginal ROI is above floor x (1 + tolerance): the next dollar still returns at
    least the floor), past (below floor x (1 - tolerance)), at (in between); and the probability over the
    curve's draws that the marginal ROI is at least the floor."""
    draws = np.asarray(marginal_draws, dtype=float)
    expected = float(draws.mean())
    probability = float((draws >= floor).mean())
    if expected > floor * (1 + tolerance):
        return "pre", probability
    return ("past" if expected < floor * (1 - tolerance) else "at"), probability


def net_zero_moves(curves: CurveSet, max_share: float) -> np.ndarray:
    """Moves in dollars (to the cent, summing to exactly zero): the best allocation of the current total
    with each channel within +-max_share of its spend and inside its bounds, minus the current spend."""
    current = curves.current_c
    lower = np.minimum(np.maximum(curves.lower_c, current * (1 - max_share)), current)
    upper = np.maximum(np.minimum(curves.upper_c, current * (1 + max_share)), current)
    best = best_at(curves, curves.current_total, lower, upper)
    return to_cents(best.spend_c - current, 0.0, lower - current, upper - current)


def confidence(width: float | None, spec: PlanningSpec) -> str:
    """high / medium / low from the relative width of the 80% interval; low when unknown."""
    if width is None or not np.isfinite(width):
        return "low"
    if width < spec.confidence_high_width:
        return "high"
    return "medium" if width < spec.confidence_low_width else "low"


@dataclass(frozen=True)
class _Design:
    """The experiment for one channel: segment-level weekly spend from baseline to test for `weeks`,
    and the curve's expected weekly lift (mean, p10, p90)."""

    kind: str  # spend pulse | geo holdout
    weeks: int
    baseline: float
    test: float
    lift: tuple[float, float, float]


def _design(curves: CurveSet, c: int, spec: PlanningSpec) -> _Design:
    """A spend pulse where the observed range leaves room above current spend, else a geo holdout
    (about HOLDOUT_SHARE of the segment's spend paused); at least 4 weeks, or twice the weeks the
    channel's effect takes to materialise."""
    spend = curves.current_c[c]
    weeks = curves.materialise_c[c] if curves.materialise_c is not None else np.nan
    duration = int(max(4, np.ceil(2 * weeks))) if np.isfinite(weeks) else 6
    pulse = spend * spec.pulse_share
    kind, test = (
        ("spend pulse", spend + pulse)
        if spend + pulse <= curves.upper_c[c] + 0.005
        else ("geo holdout", spend * (1 - HOLDOUT_SHARE))
    )
    moved = curves.contributions(np.where(np.arange(curves.n_channels) == c, test, curves.current_c)[None])
    now = curves.contributions(curves.current_c[None])
    d_mean, d_p10, d_p90 = interval80((moved - now)[0, :, c])
    return _Design(kind, duration, float(spend), float(test), (float(d_mean), float(d_p10), float(d_p90)))


def experiment(curves: CurveSet, c: int, spec: PlanningSpec) -> str:
    """The experiment that would tighten channel c's curve, with its size, as a sentence."""
    channel, design = curves.channels[c], _design(curves, c, spec)
    d_mean, d_p10, d_p90 = design.lift
    if design.kind == "spend pulse":
        pulse = design.test - design.baseline
        return (
            f"spend pulse: raise {channel} by {spec.pulse_share:.0%} ({pulse:,.0f} per week, to {design.test:,.0f}) "
            f"for {design.weeks} weeks, then return; the curve expects {d_mean:+,.0f} per week "
            f"(80% interval {d_p10:+,.0f} to {d_p90:+,.0f}), so the observed lift narrows that interval"
        )
    return (
        f"geo holdout: pause {channel} in about {HOLDOUT_SHARE:.0%} of geos or markets for {design.weeks} weeks "
        f"(about {design.baseline - design.test:,.0f} per week withheld) and compare with the rest; spend is at the "
        "top of its observed range, so a pulse up would extrapolate"
    )


PROPOSED_COLUMNS = (
    "proposed_experiment_id",
    "proposed_start_date",
    "proposed_end_date",
    "proposed_baseline_weekly_spend",
    "proposed_test_weekly_spend",
    "expected_lift_weekly",
    "expected_lift_p10",
    "expected_lift_p90",
    "proposed_method",
)


def proposed_experiment(curves: CurveSet, c: int, spec: PlanningSpec, start: date | None) -> dict:
    """experiment() as the row of the experiments input a team fills in (measured lift_weekly and
    lift_weekly_sd) once it has run: segment-level weekly spend moved from baseline to test from
    `start` (a Monday; None leaves the dates and id open) for the design's weeks, with the curve's
    expected weekly lift and its 80% interval."""
    channel, design = curves.channels[c], _design(curves, c, spec)
    end = start + timedelta(weeks=design.weeks, days=-1) if start is not None else None
    return {
        "proposed_experiment_id": f"{curves.segment_id}_{channel}_{start:%Y%m%d}" if start is not None else None,
        "proposed_start_date": start,
        "proposed_end_date": end,
        "proposed_baseline_weekly_spend": round(design.baseline, 2),
        "proposed_test_weekly_spend": round(design.test, 2),
        "expected_lift_weekly": design.lift[0],
        "expected_lift_p10": design.lift[1],
        "expected_lift_p90": design.lift[2],
        "proposed_method": f"{design.kind} ({HOLDOUT_SHARE:.0%} of geos or markets)"
        if design.kind == "geo holdout"
        else design.kind,
    }


def first_monday_after(day: date, lead_days: int = PROPOSAL_LEAD_DAYS) -> date:
    """The first Monday at least lead_days after day: when a proposed experiment can start."""
    earliest = day + timedelta(days=lead_days)
    return earliest + timedelta(days=(7 - earliest.weekday()) % 7)


def saturation_audit(curves: CurveSet, spec: PlanningSpec, experiment_start: date | None = None) -> pd.DataFrame:
    """One row per channel (see mmm_saturation_audit); the most uncertain channel's row carries the
    proposed experiment, starting on experiment_start."""
    current = curves.current_c
    now = curves.contributions(current[None])[0]  # (d, c)
    r_mean, r_p10, r_p90 = interval80(now, axis=0)
    moves = net_zero_moves(curves, spec.audit_max_move_share)
    after = curves.contributions((current + moves)[None])[0]
    gain = after - now  # (d, c)
    marginal_dc = curves.marginal(current[None])[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        # A channel that does not move: the limit of a small move, its marginal ROI.
        roi_draws = np.where(np.abs(moves) > 0.005, gain / moves, marginal_dc)
        width = np.where(r_mean > 0, (r_p90 - r_p10) / r_mean, np.nan)
    m_mean, m_p10, m_p90 = interval80(marginal_dc, axis=0)
    known = curves.n_draws > 1 and np.isfinite(width).any()
    uncertain = int(np.nanargmax(width)) if known else int(np.argmax(current))
    top = np.maximum(curves.upper_c, current)
    rows = []
    for c, channel in enumerate(curves.channels):
        grid = np.linspace(0.0, top[c], _GRID)
        spend_grid = np.tile(current, (_GRID, 1))
        spend_grid[:, c] = grid
        marginal = curves.marginal(spend_grid)[:, :, c].mean(axis=1)
        floor = spec.floor_of(channel)
        inflection, floor_spend = floor_crossing(grid, marginal, floor)
        where, probability = position(marginal_dc[:, c], floor, spec.at_floor_tolerance)
        roi_mean, roi_p10, roi_p90 = interval80(roi_draws[:, c])
        channel_width = float(width[c]) if curves.n_draws > 1 and np.isfinite(width[c]) else None
        rows.append(
            {
                "channel": channel,
                "channel_group": curves.groups[c],
                "current_weekly_spend": current[c],
                "marginal_roi_mean": m_mean[c],
                "marginal_roi_p10": m_p10[c],
                "marginal_roi_p90": m_p90[c],
                "roi_floor": floor,
                "inflection_spend": inflection,
                "floor_spend": floor_spend,
                "position": where,
                "prob_marginal_roi_above_floor": probability,
                "recommended_move": moves[c],
                "recommended_weekly_spend": current[c] + moves[c],
                "expected_roi_of_move_mean": roi_mean,
                "expected_roi_of_move_p10": roi_p10,
                "expected_roi_of_move_p90": roi_p90,
                "response_interval_width": channel_width,
                "confidence": confidence(channel_width, spec),
                "is_most_uncertain": c == uncertain,
                "experiment": experiment(curves, c, spec) if c == uncertain else None,
                **(
                    proposed_experiment(curves, c, spec, experiment_start)
                    if c == uncertain
                    else dict.fromkeys(PROPOSED_COLUMNS)
                ),
            }
        )
    frame = pd.DataFrame(rows)
    frame.insert(0, "segment_id", curves.segment_id)
    frame.insert(0, "run_id", curves.run_id)
    frame["interval_source"] = curves.interval_source
    return frame
