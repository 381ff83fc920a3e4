"""From the current curves (and posterior draws where a source has them) to planning inputs: curve draws,
spend bounds, time to materialise and calibration per segment; and back from the published tables to
CurveSets.

Interval sources, best first: ``posterior_draws`` (built-in fits), ``curve_interval`` (log-normal
pseudo-draws matching the curve's own p05/p95 columns), ``contribution_interval`` (saturation max
spread like the contribution interval, read as 90%), ``mean_only`` (one draw: the point curve).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse.planning.config import PlanningSpec
from curvehouse.planning.curves import CurveSet

__all__ = [
    "materialise_weeks",
    "pseudo_draws",
    "spend_bounds",
    "calibration_factor",
    "build_curve_inputs",
    "curve_sets",
    "INTERVAL_SOURCES",
]

INTERVAL_SOURCES = ("posterior_draws", "curve_interval", "contribution_interval", "mean_only")
_Z90 = 1.6448536269514722  # standard normal 95th percentile: p05..p95 spans 2 * _Z90 sd
_PARAMS = ("saturation_half_point", "saturation_max", "hill_slope")
FACTOR_PLAUSIBLE = (2 / 3, 3 / 2)


def materialise_weeks(half_life: np.ndarray, max_lag: np.ndarray, share: float) -> np.ndarray:
    """Weeks until a sustained spend change reaches ``share`` of its full effect under geometric adstock
    normalised over max_lag weeks: solve (1 - theta**n) / (1 - theta**L) = share, theta = 0.5**(1/half_life).
    NaN where the half-life is unknown."""
    half_life = np.asarray(half_life, dtype=float)
    lag = np.asarray(max_lag, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.power(0.5, 1.0 / np.clip(half_life, 1e-9, None))
        weeks = np.log(1.0 - share * (1.0 - np.power(theta, lag))) / np.log(theta)
    return np.where(np.isfinite(half_life), np.minimum(weeks, lag), np.nan)


def pseudo_draws(
    point: float, p05: float | None, p95: float | None, n: int, rng: np.random.Generator
) -> np.ndarray | None:
    """Log-normal draws with median ``point`` and the log-spread of the p05..p95 interval; None if unknown."""
    if p05 is None or p95 is None or not np.isfinite([p05, p95]).all() or p05 <= 0 or p95 <= p05:
        return None
    sigma = (np.log(p95) - np.log(p05)) / (2 * _Z90)
    return point * np.exp(sigma * rng.standard_normal(n))


def spend_bounds(
    segment_id: str, channel: str, observed_min: float, observed_max: float, spec: PlanningSpec
) -> tuple[float, float, bool, str]:
    """Weekly spend bounds: the observed range, narrowed (never widened) by user bounds; a locked value
    outside the observed range is clipped to it. Returns lower, upper, is_locked and a note."""
    lower, upper = float(observed_min), float(observed_max)
    notes = [f"observed weekly range {lower:,.2f}..{upper:,.2f}"]
    locked = False
    for bound in spec.channel_bounds:
        if bound.channel != channel or not bound.applies_to(segment_id):
            continue
        if bound.locked is not None:
            value = float(np.clip(bound.locked, lower, upper))
            if value != bound.locked:
                notes.append(f"lock at {bound.locked:,.2f} clipped to {value:,.2f} (outside the observed range)")
            else:
                notes.append(f"locked at {value:,.2f}")
            lower = upper = value
            locked = True
            continue
        if bound.min is not None:
            if bound.min > upper:
                notes.append(f"user min {bound.min:,.2f} above the observed max: clipped to {upper:,.2f}")
            lower = min(max(lower, bound.min), upper)
        if bound.max is not None:
            if bound.max > float(observed_max):
                notes.append(f"user max {bound.max:,.2f} above the observed max {observed_max:,.2f}: not extrapolated")
            upper = max(min(upper, bound.max), lower)
        notes.append(f"user bounds {lower:,.2f}..{upper:,.2f}")
    return lower, upper, locked, "; ".join(notes)


def calibration_factor(
    observed: float | None, base: float | None, media: float, basis: str | None = None
) -> tuple[float, str]:
    """observed / (base + media): the factor that makes the current allocation reproduce the observed
    average weekly outcome; 1 with a reason when either number is missing or the model total is not positive.
    A factor outside FACTOR_PLAUSIBLE is applied but called out: the curves may not describe this outcome."""
    if observed is None or base is None or not np.isfinite([observed, base]).all():
        return 1.0, "uncalibrated: the source gives no baseline or no observed outcome for this segment"
    modelled = base + media
    if modelled <= 0 or observed <= 0:
        return 1.0, f"uncalibrated: modelled weekly outcome {modelled:,.2f} vs observed {observed:,.2f} is not positive"
    factor = observed / modelled
    note = (
        f"observed {observed:,.2f} per week ({basis or 'observed outcome'}) / modelled {modelled:,.2f} "
        f"(base {base:,.2f} + media {media:,.2f}) at the current allocation"
    )
    if not FACTOR_PLAUSIBLE[0] <= factor <= FACTOR_PLAUSIBLE[1]:
        note += f"; WARNING factor {factor:.2f} is far from 1: check that the curves describe this segment's outcome"
    return factor, note


def _value(row: dict, name: str) -> float | None:
    value = row.get(name)
    return None if value is None or pd.isna(value) else float(value)


def _channel_draws(
    rows: list[dict], builtin: pd.DataFrame, spec: PlanningSpec, seed: int
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Per channel a (n_draws, 3) array of (half point, max, slope) and its interval source."""
    if not builtin.empty and set(builtin["channel"]) >= {r["channel"] for r in rows}:
        out = {}
        for r in rows:
            part = builtin[builtin["channel"] == r["channel"]].sort_values("draw")
            out[r["channel"]] = part[list(_PARAMS)].to_numpy(dtype=float)
        return out, ["posterior_draws"] * len(rows)
    rng = np.random.default_rng(seed)
    n = spec.pseudo_draws
    out, sources = {}, []
    for r in rows:
        point = [_value(r, p) for p in _PARAMS]
        spread = [
            pseudo_draws(v, _value(r, f"{p}_p05"), _value(r, f"{p}_p95"), n, rng)
            for p, v in zip(_PARAMS, point, strict=True)
        ]
        if any(s is not None for s in spread):
            columns = [s if s is not None else np.full(n, v) for s, v in zip(spread, point, strict=True)]
            sources.append("curve_interval")
        else:
            mean, low, high = (_value(r, f"contribution_{k}") for k in ("mean", "lower", "upper"))
            scaled = None
            if mean and low and high and mean > 0:
                scaled = pseudo_draws(1.0, low / mean, high / mean, n, rng)
            if scaled is not None:
                columns = [np.full(n, point[0]), point[1] * scaled, np.full(n, point[2])]
                sources.append("contribution_interval")
            else:
                columns = [np.full(1, v) for v in point]
                sources.append("mean_only")
        out[r["channel"]] = np.column_stack(columns)
    return out, sources


def build_curve_inputs(
    channels: pd.DataFrame, builtin_draws: pd.DataFrame, spec: PlanningSpec
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Planning channel rows (bounds, materialise weeks, floors, calibration) and curve draw rows.

    channels: int_planning_channels_joined (one row per current segment x channel); builtin_draws:
    int_planning_draws_pivoted (segment_id, run_id, channel, draw, saturation_half_point, saturation_max,
    hill_slope) for built-in current runs.
    """
    channel_rows, draw_rows = [], []
    for i, (segment, part) in enumerate(channels.groupby("segment_id", sort=True)):
        rows = part.sort_values("channel").to_dict("records")
        run_id = rows[0]["run_id"]
        own = builtin_draws[(builtin_draws["segment_id"] == segment) & (builtin_draws["run_id"] == run_id)]
        per_channel, sources = _channel_draws(rows, own, spec, spec.seed + i)
        n_draws = max(len(v) for v in per_channel.values())
        stacked = {ch: (np.repeat(v, n_draws, axis=0) if len(v) == 1 else v) for ch, v in per_channel.items()}
        if len({len(v) for v in stacked.values()}) > 1:
            raise ValueError(f"segment {segment}: channels have different numbers of posterior draws")
        current = np.array([_value(r, "current_weekly_spend") or 0.0 for r in rows])
        params = np.stack([stacked[r["channel"]] for r in rows], axis=1)  # (d, c, 3)
        probe = CurveSet(
            segment,
            run_id,
            tuple(r["channel"] for r in rows),
            ("",) * len(rows),
            params[..., 0],
            params[..., 1],
            params[..., 2],
            current,
            current,
            current,
        )
        media = probe.expected_incremental(current)
        factor, note = calibration_factor(
            _value(rows[0], "observed_outcome_weekly"),
            _value(rows[0], "base_outcome_weekly"),
            media,
            rows[0].get("outcome_basis"),
        )
        segment_source = "+".join(dict.fromkeys(sources))
        weeks = materialise_weeks(
            np.array([_value(r, "adstock_half_life_weeks") or np.nan for r in rows]),
            np.array([_value(r, "adstock_max_lag") or np.nan for r in rows]),
            spec.materialise_share,
        )
        for c, r in enumerate(rows):
            observed_min = _value(r, "observed_spend_min") or 0.0
            observed_max = _value(r, "observed_spend_max")
            if observed_max is None:
                observed_max = current[c]
            lower, upper, locked, bound_note = spend_bounds(segment, r["channel"], observed_min, observed_max, spec)
            if _value(r, "observed_spend_max") is None:
                bound_note = "no observed range known: bounded at current spend; " + bound_note
            channel_rows.append(
                {
                    **{
                        k: r.get(k)
                        for k in (
                            "run_id",
                            "segment_id",
                            "model_id",
                            "source",
                            "channel",
                            "display_name",
                            "channel_group",
                            "saturation_half_point",
                            "saturation_max",
                            "hill_slope",
                            "current_weekly_spend",
                            "current_spend_basis",
                            "observed_spend_min",
                            "observed_spend_max",
                            "adstock_half_life_weeks",
                            "observed_outcome_weekly",
                            "base_outcome_weekly",
                            "reporting_window_start",
                            "reporting_window_end",
                            "data_window_start",
                            "data_window_end",
                            "refreshed_at",
                            "staleness_days",
                        )
                    },
                    "spend_lower_bound": lower,
                    "spend_upper_bound": upper,
                    "is_locked": locked,
                    "bound_note": bound_note,
                    "weeks_to_materialise": weeks[c] if np.isfinite(weeks[c]) else None,
                    "roi_floor": spec.floor_of(r["channel"]),
                    "calibration_factor": factor,
                    "calibration_note": note,
                    "n_draws": n_draws,
                    "interval_source": segment_source,
                }
            )
            draw_rows.append(
                pd.DataFrame(
                    {
                        "run_id": run_id,
                        "segment_id": segment,
                        "channel": r["channel"],
                        "draw": np.arange(n_draws),
                        "saturation_half_point": params[:, c, 0],
                        "saturation_max": params[:, c, 1],
                        "hill_slope": params[:, c, 2],
                        "calibration_factor": factor,
                        "interval_source": sources[c],
                    }
                )
            )
    draw_columns = ["run_id", "segment_id", "channel", "draw", *_PARAMS, "calibration_factor", "interval_source"]
    draws = pd.concat(draw_rows, ignore_index=True) if draw_rows else pd.DataFrame(columns=draw_columns)
    return pd.DataFrame(channel_rows), draws


def curve_sets(channels: pd.DataFrame, draws: pd.DataFrame) -> dict[str, CurveSet]:
    """CurveSets per segment from mmm_planning_channels and mmm_planning_curve_draws."""
    sets = {}
    for segment, part in channels.groupby("segment_id", sort=True):
        part = part.sort_values("channel")
        own = draws[draws["segment_id"] == segment]
        names = tuple(part["channel"])

        def matrix(column: str, own: pd.DataFrame = own, names: tuple[str, ...] = names) -> np.ndarray:
            wide = own.pivot(index="draw", columns="channel", values=column)
            return wide[list(names)].to_numpy(dtype=float)

        first = part.iloc[0]
        sets[segment] = CurveSet(
            segment_id=segment,
            run_id=first["run_id"],
            channels=names,
            groups=tuple(part["channel_group"]),
            half_dc=matrix("saturation_half_point"),
            smax_dc=matrix("saturation_max"),
            slope_dc=matrix("hill_slope"),
            current_c=part["current_weekly_spend"].to_numpy(dtype=float),
            lower_c=part["spend_lower_bound"].to_numpy(dtype=float),
            upper_c=part["spend_upper_bound"].to_numpy(dtype=float),
            base=float(first["base_outcome_weekly"]) if pd.notna(first["base_outcome_weekly"]) else 0.0,
            calibration=float(first["calibration_factor"]),
            interval_source=str(first["interval_source"]),
            half_life_c=part["adstock_half_life_weeks"].to_numpy(dtype=float),
            materialise_c=part["weeks_to_materialise"].to_numpy(dtype=float),
            observed_min_c=part["observed_spend_min"].to_numpy(dtype=float),
            observed_max_c=part["observed_spend_max"].to_numpy(dtype=float),
        )
    return sets
