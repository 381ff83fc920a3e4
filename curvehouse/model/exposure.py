"""Exposure-driven media: adstock and saturation act on impressions, ROI stays per unit of spend.

For a paid channel flagged exposure_driven, the lag stack is built from weekly impressions divided
by the mean impressions of its active weeks, and x_scale becomes that mean times the window's cost
per impression (window spend / window impressions). So half_point * x_scale is still weekly spend,
and the curves, ROI (total spend is unchanged) and planning downstream read spend as before: the
curve in spend is the impressions curve at the window's average cost per impression.

A segment whose impressions are missing (or zero) in a week with spend is fitted on spend for that
channel, with a warning: silently fitting on partial impressions would misplace the saturation.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from curvehouse.model.data import ModelData, _spend_before
from curvehouse.transforms.adstock import lag_stack

__all__ = ["KIND", "exposure_scale", "with_exposure"]

KIND = "impressions"  # variable_kind of the long input's weekly impressions rows


def exposure_scale(spend: np.ndarray, impressions: np.ndarray) -> tuple[float, float, float]:
    """(cost per impression, mean active impressions, x_scale in spend-equivalent units) of one
    segment x channel over its weeks: cpi = total spend / total impressions; x_scale = mean
    impressions over the weeks with impressions x cpi."""
    spend, impressions = np.asarray(spend, dtype=float), np.asarray(impressions, dtype=float)
    cpi = spend.sum() / impressions.sum()
    mean_active = impressions.sum() / max(int((impressions > 0).sum()), 1)
    return float(cpi), float(mean_active), float(mean_active * cpi)


def with_exposure(
    data: ModelData, long: pd.DataFrame, channels: frozenset[str], lead_in: pd.DataFrame | None = None
) -> tuple[ModelData, dict[int, list[str]]]:
    """The data with the exposure-driven channels' lag stacks and x_scale from impressions, and
    cost_per_impression (S, C) set for them (NaN elsewhere); plus warnings by segment index for the
    channels that fell back to spend (impressions missing in a week with spend)."""
    n_s, n_t, n_c = data.spend.shape
    max_lag = data.lag_mask.shape[1]
    cpi_out = np.full((n_s, n_c), np.nan)
    lagged, x_scale = data.lagged.copy(), data.x_scale.copy()
    warnings: dict[int, list[str]] = {}
    rows = long[long["variable_kind"] == KIND]
    lead = None if lead_in is None else lead_in[lead_in["variable_kind"] == KIND].assign(variable_kind="spend")
    for c, channel in enumerate(data.channels):
        if channel not in channels:
            continue
        for i, segment in enumerate(data.segments):
            if data.channel_mask[i, c] <= 0:
                continue
            n = len(data.weeks[i])
            mine = rows[(rows["segment_id"] == segment) & (rows["variable_name"] == channel)]
            imps = np.full(n, np.nan)
            t = pd.to_datetime(mine["week_start"]).map({w: t for t, w in enumerate(data.weeks[i])}).to_numpy()
            keep = ~pd.isna(t)
            imps[t[keep].astype(int)] = mine["value"].to_numpy(dtype=float)[keep]
            spend = data.spend[i, :n, c]
            gaps = (spend > 0) & ~(np.nan_to_num(imps) > 0)
            if gaps.any():
                warnings.setdefault(i, []).append(
                    f"channel {channel!r} is exposure-driven but lacks impressions in {int(gaps.sum())} week(s) "
                    "with spend; fitted on spend"
                )
                continue
            imps = np.nan_to_num(imps)
            cpi, mean_active, x_scale[i, c] = exposure_scale(spend, imps)
            cpi_out[i, c] = cpi
            before = _spend_before(lead, (segment,), (data.weeks[i],), (channel,), max_lag - 1)[0, :, 0]
            series = np.zeros(n_t + max_lag - 1)
            series[: max_lag - 1], series[max_lag - 1 : max_lag - 1 + n] = before, imps
            stack = lag_stack(series[:, None] / mean_active, max_lag)[max_lag - 1 :, 0]
            lagged[i, :, c] = stack
    return replace(data, lagged=lagged, x_scale=x_scale, cost_per_impression=cpi_out), warnings
