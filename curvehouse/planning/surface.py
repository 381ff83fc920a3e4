"""The response surface: budget levels x allocation mixes, evaluated over the curve draws and stored."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import qmc

from curvehouse.planning.config import PlanningSpec
from curvehouse.planning.curves import CurveSet, interval80

__all__ = ["mixes", "simplex_sample", "tilted", "response_surface"]

_CHUNK = 2048  # allocations evaluated at once (n x draws x channels floats in memory)


def tilted(share_c: np.ndarray, channel: int, tilt: float) -> np.ndarray:
    """The mix with one channel's share multiplied by (1 + tilt), the others rescaled to sum to one."""
    share = np.asarray(share_c, dtype=float)
    new = min(share[channel] * (1.0 + tilt), 1.0)
    rest = share.sum() - share[channel]
    out = share * ((1.0 - new) / rest if rest > 0 else 0.0)
    out[channel] = new if rest > 0 else 1.0
    return out


def simplex_sample(n: int, n_channels: int, seed: int) -> np.ndarray:
    """n space-filling points on the simplex (shares summing to one): scrambled Sobol points
    mapped through sorted spacings, which is uniform on the simplex. (n, n_channels)."""
    if n_channels == 1:
        return np.ones((n, 1))
    sobol = qmc.Sobol(d=n_channels - 1, scramble=True, seed=seed)
    u = sobol.random_base2(max(int(math.ceil(math.log2(max(n, 2)))), 1))[:n]
    cuts = np.sort(u, axis=1)
    edges = np.concatenate([np.zeros((n, 1)), cuts, np.ones((n, 1))], axis=1)
    return np.diff(edges, axis=1)


def mixes(
    share_c: np.ndarray, per_level: int, tilt: float, seed: int
) -> tuple[np.ndarray, list[str], list[int | None]]:
    """The allocation mixes of one budget level: current, each channel tilted up and down, then
    simplex samples up to ``per_level``. Returns shares (m, c), mix kinds and tilted channel indices."""
    n_channels = len(share_c)
    rows = [np.asarray(share_c, dtype=float)]
    kinds: list[str] = ["current"]
    tilts: list[int | None] = [None]
    for c in range(n_channels):
        for kind, sign in (("tilt_up", 1.0), ("tilt_down", -1.0)):
            rows.append(tilted(share_c, c, sign * tilt))
            kinds.append(kind)
            tilts.append(c)
    n_sample = max(per_level - len(rows), 0)
    if n_sample:
        rows.extend(simplex_sample(n_sample, n_channels, seed))
        kinds += ["simplex_sample"] * n_sample
        tilts += [None] * n_sample
    return np.vstack(rows), kinds, tilts


def response_surface(curves: CurveSet, spec: PlanningSpec) -> pd.DataFrame:
    """Every scenario (budget level x mix) evaluated over the draws, long: one row per scenario x channel.

    At least ``spec.surface_min_scenarios`` scenarios. Outcomes are calibrated weekly outcome currency;
    intervals are the 10th / 90th percentiles over draws.
    """
    ratios = np.asarray(spec.budget_ratios())
    per_level = math.ceil(spec.surface_min_scenarios / len(ratios))
    total = curves.current_total
    share = curves.current_c / total if total > 0 else np.full(curves.n_channels, 1.0 / curves.n_channels)
    shares, kinds, tilts = mixes(share, per_level, spec.tilt_share, spec.seed)
    n_mix, n_ch = shares.shape
    ratio_n = np.repeat(ratios, n_mix)
    spend_nc = ratio_n[:, None] * total * np.tile(shares, (len(ratios), 1))
    n = spend_nc.shape[0]

    contrib_mean = np.empty((n, n_ch))
    contrib_p10 = np.empty((n, n_ch))
    contrib_p90 = np.empty((n, n_ch))
    incr = np.empty((n, 3))
    for start in range(0, n, _CHUNK):
        block = curves.contributions(spend_nc[start : start + _CHUNK])
        mean, p10, p90 = interval80(block, axis=1)
        contrib_mean[start : start + _CHUNK], contrib_p10[start : start + _CHUNK] = mean, p10
        contrib_p90[start : start + _CHUNK] = p90
        incr[start : start + _CHUNK] = np.column_stack(interval80(block.sum(axis=2), axis=1))
    base = curves.calibration * curves.base
    inside_nc = curves.within_observed(spend_nc)
    budget_n = ratio_n * total

    def per_row(values: np.ndarray) -> np.ndarray:
        return np.repeat(values, n_ch)

    flat_spend = spend_nc.ravel()
    flat_mean = contrib_mean.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        channel_roi = np.where(flat_spend > 0, flat_mean / flat_spend, np.nan)
        roi = np.where(budget_n > 0, incr[:, 0] / budget_n, np.nan)
        spend_share = np.where(per_row(budget_n) > 0, flat_spend / per_row(budget_n), 0.0)
    tilted_names = [curves.channels[t] if t is not None else None for t in tilts] * len(ratios)
    return pd.DataFrame(
        {
            "run_id": curves.run_id,
            "segment_id": curves.segment_id,
            "scenario_id": per_row(np.arange(n)),
            "mix_kind": np.repeat(np.array(kinds * len(ratios), dtype=object), n_ch),
            "tilted_channel": np.repeat(np.array(tilted_names, dtype=object), n_ch),
            "budget_ratio": per_row(ratio_n),
            "total_weekly_budget": per_row(budget_n),
            "channel": np.tile(np.array(curves.channels, dtype=object), n),
            "weekly_spend": flat_spend,
            "spend_share": spend_share,
            "contribution_mean": flat_mean,
            "contribution_p10": contrib_p10.ravel(),
            "contribution_p90": contrib_p90.ravel(),
            "channel_roi_mean": channel_roi,
            "is_channel_within_observed_range": inside_nc.ravel(),
            "expected_outcome_mean": per_row(base + incr[:, 0]),
            "expected_outcome_p10": per_row(base + incr[:, 1]),
            "expected_outcome_p90": per_row(base + incr[:, 2]),
            "incremental_outcome_mean": per_row(incr[:, 0]),
            "incremental_outcome_p10": per_row(incr[:, 1]),
            "incremental_outcome_p90": per_row(incr[:, 2]),
            "roi_mean": per_row(roi),
            "is_within_observed_range": per_row(inside_nc.all(axis=1)),
            "calibration_factor": curves.calibration,
            "interval_source": curves.interval_source,
        }
    )
