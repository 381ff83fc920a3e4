"""The saturation audit: where each channel sits against its ROI floor, a net-zero move, its expected
ROI, confidence from the curve's interval, and the experiment that would tighten the least certain curve."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse.planning.config import PlanningSpec
from curvehouse.planning.curves import CurveSet, interval80
from curvehouse.planning.frontier import best_at
from curvehouse.planning.optimize import to_cents

__all__ = ["floor_crossing", "position", "net_zero_moves", "confidence", "experiment", "saturation_audit"]

_GRID = 512
HOLDOUT_SHARE = 0.2  # share of geos / markets a holdout pauses


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


def experiment(curves: CurveSet, c: int, spec: PlanningSpec) -> str:
    """The experiment that would tighten channel c's curve, with its size: a spend pulse where the observed
    range leaves room above current spend, else a geo holdout."""
    channel, spend = curves.channels[c], curves.current_c[c]
    weeks = curves.materialise_c[c] if curves.materialise_c is not None else np.nan
    duration = int(max(4, np.ceil(2 * weeks))) if np.isfinite(weeks) else 6
    pulse = spend * spec.pulse_share
    if spend + pulse <= curves.upper_c[c] + 0.005:
        gain = curves.contributions(np.where(np.arange(curves.n_channels) == c, spend + pulse, curves.current_c)[None])
        now = curves.contributions(curves.current_c[None])
        d_mean, d_p10, d_p90 = interval80((gain - now)[0, :, c])
        return (
            f"spend pulse: raise {channel} by {spec.pulse_share:.0%} ({pulse:,.0f} per week, to {spend + pulse:,.0f}) "
            f"for {duration} weeks, then return; the curve expects {d_mean:+,.0f} per week "
            f"(80% interval {d_p10:+,.0f} to {d_p90:+,.0f}), so the observed lift narrows that interval"
        )
    return (
        f"geo holdout: pause {channel} in about {HOLDOUT_SHARE:.0%} of geos or markets for {duration} weeks "
        f"(about {HOLDOUT_SHARE * spend:,.0f} per week withheld) and compare with the rest; spend is at the top "
        "of its observed range, so a pulse up would extrapolate"
    )


def saturation_audit(curves: CurveSet, spec: PlanningSpec) -> pd.DataFrame:
    """One row per channel (see mmm_saturation_audit)."""
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
            }
        )
    frame = pd.DataFrame(rows)
    frame.insert(0, "segment_id", curves.segment_id)
    frame.insert(0, "run_id", curves.run_id)
    frame["interval_source"] = curves.interval_source
    return frame
