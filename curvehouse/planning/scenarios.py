"""The scenario planner: A (more brand), B (more performance), C (hold the mix) at the current total,
with intervals, delta vs current, time to materialise, risk, reversibility, and a half-point sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse.planning.config import PlanningSpec
from curvehouse.planning.curves import CurveSet, interval80

__all__ = ["shift_spend", "scenario_allocations", "recommend", "plan_scenarios", "REVERSIBILITY_WEEKS"]

SCENARIOS = ("current", "A", "B", "C")
# Weeks to materialise (= to unwind) at or below which a change counts as highly / moderately reversible.
REVERSIBILITY_WEEKS = {"high": 4.0, "medium": 8.0}


def shift_spend(
    current_c: np.ndarray,
    lower_c: np.ndarray,
    upper_c: np.ndarray,
    recipients: list[int],
    donors: list[int],
    share: float,
) -> tuple[np.ndarray, float, str | None]:
    """Raise each recipient by ``share`` of its spend (capped at its upper bound), funded from the donors
    in order, each down to its lower bound. The total stays the same.

    Returns the new spend, the amount moved, and a note when bounds or donors cut the shift short.
    """
    spend = np.asarray(current_c, dtype=float).copy()
    wanted = share * spend[recipients].sum() if recipients else 0.0
    room_c = np.zeros_like(spend)
    room_c[recipients] = np.clip(
        np.minimum(share * spend[recipients], upper_c[recipients] - spend[recipients]), 0, None
    )
    donor_room = float(sum(max(spend[d] - lower_c[d], 0.0) for d in donors))
    moved = min(wanted, float(room_c.sum()), donor_room)
    notes = []
    if not recipients:
        notes.append("no recipient channels")
    elif not donors:
        notes.append("no donor channels")
    if recipients and room_c.sum() < wanted - 0.005:
        notes.append(f"recipients reach their observed maximum after {room_c.sum():,.2f} of {wanted:,.2f} per week")
    if donors and donor_room < min(wanted, room_c.sum()) - 0.005:
        notes.append(f"donors can give only {donor_room:,.2f} per week before their observed minimum")
    if moved <= 0:
        return spend, 0.0, "; ".join(notes) or None
    spend += room_c * (moved / room_c.sum())
    left = moved
    for d in donors:
        take = min(left, max(spend[d] - lower_c[d], 0.0))
        spend[d] -= take
        left -= take
    return spend, moved, "; ".join(notes) or None


def scenario_allocations(curves: CurveSet, share: float) -> dict[str, tuple[np.ndarray, str, str | None]]:
    """The four allocations (current, A, B, C) with a description and a shift note each."""
    current = curves.current_c
    brand = [c for c, g in enumerate(curves.groups) if g == "brand"]
    performance = [c for c, g in enumerate(curves.groups) if g == "performance"]
    contribution_c = curves.contributions(current[None])[0].mean(axis=0)
    smax_c = curves.calibration * curves.smax_dc.mean(axis=0)
    saturation_c = np.divide(contribution_c, smax_c, out=np.zeros_like(smax_c), where=smax_c > 0)
    roi_c = np.divide(contribution_c, current, out=np.zeros_like(current), where=current > 0)
    most_saturated = sorted(performance, key=lambda c: -saturation_c[c])
    lowest_roi_brand = sorted(brand, key=lambda c: roi_c[c])
    a, moved_a, note_a = shift_spend(current, curves.lower_c, curves.upper_c, brand, most_saturated, share)
    b, moved_b, note_b = shift_spend(current, curves.lower_c, curves.upper_c, performance, lowest_roi_brand, share)

    def names(idx: list[int]) -> str:
        return ", ".join(curves.channels[c] for c in idx) or "none"

    return {
        "current": (current.copy(), "The current allocation (trailing average weekly spend).", None),
        "A": (
            a,
            f"+{share:.0%} to brand channels ({names(brand)}): {moved_a:,.2f} per week moved from the most "
            f"saturated performance channels first ({names(most_saturated)}).",
            note_a,
        ),
        "B": (
            b,
            f"+{share:.0%} to performance channels ({names(performance)}): {moved_b:,.2f} per week moved from "
            f"brand channels, lowest ROI first ({names(lowest_roi_brand)}).",
            note_b,
        ),
        "C": (current.copy(), "Hold the mix: every channel keeps its current weekly spend.", None),
    }


def recommend(means: dict[str, float]) -> str:
    """The scenario with the highest expected incremental outcome; C (hold) wins ties."""
    best = "C"
    for name in ("A", "B"):
        if means[name] > means[best] + 1e-9 * max(abs(means[best]), 1.0):
            best = name
    return best


def _reversibility(weeks: float | None) -> str:
    if weeks is None or not np.isfinite(weeks):
        return "unknown"
    if weeks <= REVERSIBILITY_WEEKS["high"]:
        return "high"
    return "medium" if weeks <= REVERSIBILITY_WEEKS["medium"] else "low"


def plan_scenarios(curves: CurveSet, spec: PlanningSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """mmm_scenarios rows (scenario x channel) and mmm_scenario_sensitivity rows (channel x shift)."""
    plans = scenario_allocations(curves, spec.scenario_shift)
    names = list(plans)
    spend = np.vstack([plans[n][0] for n in names])
    contrib = curves.contributions(spend)  # (4, d, c)
    incr = contrib.sum(axis=2)
    delta = incr - incr[0]
    means = {n: float(incr[i].mean()) for i, n in enumerate(names)}
    recommended = recommend(means)

    sensitivity = []
    for c, channel in enumerate(curves.channels):
        for shift in (-spec.sensitivity_shift, spec.sensitivity_shift):
            factor = np.ones(curves.n_channels)
            factor[c] = 1.0 + shift
            shifted = curves.with_half_points(factor).incremental(spend).mean(axis=1)
            shifted_means = dict(zip(names, map(float, shifted), strict=True))
            pick = recommend(shifted_means)
            sensitivity.append(
                {
                    "channel": channel,
                    "half_point_shift": shift,
                    "incremental_outcome_current_mean": shifted_means["current"],
                    "incremental_outcome_a_mean": shifted_means["A"],
                    "incremental_outcome_b_mean": shifted_means["B"],
                    "incremental_outcome_c_mean": shifted_means["C"],
                    "recommended_scenario": pick,
                    "baseline_recommended_scenario": recommended,
                    "flips": pick != recommended,
                }
            )
    flips = [
        f"{s['channel']} half-saturation {s['half_point_shift']:+.0%} -> {s['recommended_scenario']}"
        for s in sensitivity
        if s["flips"]
    ]
    flipping = ("recommendation " + recommended + " flips if " + "; ".join(flips)) if flips else None

    rows = []
    for i, name in enumerate(names):
        change = spend[i] - curves.current_c
        changed = np.abs(change) > 0.005
        weeks_c = curves.materialise_c if curves.materialise_c is not None else np.full(curves.n_channels, np.nan)
        changed_weeks = weeks_c[changed]
        weeks = (
            float(np.nanmax(changed_weeks))
            if changed.any() and np.isfinite(changed_weeks).any()
            else (0.0 if not changed.any() else None)
        )
        d_mean, d_p10, d_p90 = interval80(delta[i])
        part = contrib[i] - contrib[0]  # (d, c): each channel's part of the delta
        width = np.where(changed, np.percentile(part, 90, axis=0) - np.percentile(part, 10, axis=0), -np.inf)
        if changed.any():
            r = int(np.argmax(width))
            risk_channel = curves.channels[r]
            p_mean, p10, p90 = interval80(part[:, r])
            p_worse = float((delta[i] < 0).mean())
            risk = (
                f"rests most on the {risk_channel} curve: its part of the weekly delta is {p_mean:+,.0f} "
                f"(80% interval {p10:+,.0f} to {p90:+,.0f}); worse than current in {p_worse:.0%} of draws"
            )
        else:
            risk_channel, p_worse, risk = None, 0.0, "no change from the current allocation"
        base_mean = float(incr[0].mean())
        mean_i, p10_i, p90_i = interval80(incr[i])
        for c, channel in enumerate(curves.channels):
            rows.append(
                {
                    "scenario": name,
                    "scenario_description": plans[name][1],
                    "channel": channel,
                    "channel_group": curves.groups[c],
                    "current_weekly_spend": curves.current_c[c],
                    "weekly_spend": spend[i, c],
                    "spend_change": change[c],
                    "total_weekly_budget": spend[i].sum(),
                    "channel_contribution_mean": contrib[i, :, c].mean(),
                    "incremental_outcome_mean": mean_i,
                    "incremental_outcome_p10": p10_i,
                    "incremental_outcome_p90": p90_i,
                    "delta_vs_current_mean": d_mean,
                    "delta_vs_current_p10": d_p10,
                    "delta_vs_current_p90": d_p90,
                    "delta_vs_current_pct": d_mean / base_mean if base_mean else None,
                    "channel_weeks_to_materialise": float(weeks_c[c])
                    if changed[c] and np.isfinite(weeks_c[c])
                    else None,
                    "weeks_to_materialise": weeks,
                    "prob_worse_than_current": p_worse,
                    "risk_channel": risk_channel,
                    "risk": risk,
                    "reversibility": _reversibility(weeks) if changed.any() else "high",
                    "is_recommended": name == recommended,
                    "flipping_assumption": flipping,
                    "shift_note": plans[name][2],
                }
            )
    frame = pd.DataFrame(rows)
    sens = pd.DataFrame(sensitivity)
    for table in (frame, sens):
        table.insert(0, "segment_id", curves.segment_id)
        table.insert(0, "run_id", curves.run_id)
    frame["interval_source"] = curves.interval_source
    return frame, sens
