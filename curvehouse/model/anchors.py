"""Refresh mode: the values a refresh holds fixed, from the previous published posterior.

Thirteen weeks inform the channel coefficients (ROI) and the level, not the shape of the response
curves nor the seasonality: fitted freely, the refresh had about as many parameters as weeks and
diverged. So half point, slope, adstock decay, control effects and trend are passed to the model as
data at the previous posterior mean (not sampled), converted to the refresh window's units:

- half point: stored in currency per week; the model's unit is the channel's mean active weekly spend
  in the window (x_scale), which differs between the long window and the 13 weeks;
- control effect: stored in outcome currency per standard deviation of the control over the previous
  window; the refresh standardises over its own weeks and scales the outcome by its own mean week;
- trend: stored in outcome currency over the previous window (0 at its first week, 1 at its last);
  held as the same change per week.

A control the previous run could not estimate (absent, or constant over its window: an event first
seen in the refresh window) is sampled instead, with the methodology's control prior, where it
varies in the refresh window: held at no effect, a one-off event's week was left for the media to
explain (Robyn, April 2019: ROI 10^6). Only those are sampled (gamma_free_at lists them, so the
sampled site has exactly their number): effects sampled but unused by the likelihood left chains
stuck in warmup (geo20: one chain of four, ROI 10^10).

The ROI a refresh samples is over its own 13 weeks, where spend differs from the long window's: on
the held curve the same channel returns less per unit when it spends higher up its saturation. So
its prior is centred on the ROI the previous curve (saturation max, held shape) gives at the
window's spend, not on the previous ROI itself; otherwise a channel spending far below its half
point in the window needed an enormous coefficient to meet its old ROI, and NUTS diverged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse import constants as k
from curvehouse.hill import hill
from curvehouse.model.data import ModelData
from curvehouse.model.spec import ModelSpec

__all__ = ["FIXED_SITES", "FREE_CONTROL_SITE", "fixed_values", "previous_control_sd", "roi_on_previous_curve"]

# Sites a refresh holds at the previous posterior (deterministic there: no R-hat or ESS to diagnose).
FIXED_SITES = (k.HALF_POINT, k.SLOPE, k.THETA, k.TREND, k.GAMMA)
FREE_CONTROL_SITE = "gamma_free"  # refresh mode: effects of the controls the previous run could not estimate


def previous_control_sd(model_input: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Standard deviation of each control over the previous run's window (segment_id, variable_name,
    sd), from the model input rows of those weeks (population sd, as build_model_data standardises)."""
    windows = previous.groupby("segment_id")[["window_start", "window_end"]].first().dropna()
    if windows.empty:
        return pd.DataFrame(columns=["segment_id", "variable_name", "sd"])
    rows = model_input[model_input["variable_kind"] == "control"].merge(windows.reset_index(), on="segment_id")
    weeks = pd.to_datetime(rows["week_start"])
    inside = (weeks >= pd.to_datetime(rows["window_start"])) & (weeks <= pd.to_datetime(rows["window_end"]))
    sd = rows[inside].groupby(["segment_id", "variable_name"])["value"].std(ddof=0)
    return sd.rename("sd").reset_index()


def fixed_values(
    data: ModelData, spec: ModelSpec, previous: pd.DataFrame, control_sd: pd.DataFrame
) -> dict[str, np.ndarray]:
    """half_point_fixed, slope_fixed, theta_fixed (S, C), gamma_fixed (S, K), gamma_free_at ((n, 2):
    the segment and control index of each effect the refresh samples) and trend_fixed (S,) in the
    model's units for this data.
    Where the previous run lacks a value (a new channel), the methodology's prior median (half point,
    slope), prior mean (theta), or no trend.
    """
    p = spec.priors
    n_s, n_c, n_k = len(data.segments), len(data.channels), len(data.controls)
    out = {
        "half_point_fixed": np.full((n_s, n_c), p.half_point_median),
        "slope_fixed": np.full((n_s, n_c), p.slope_median),
        "theta_fixed": np.full((n_s, n_c), p.theta_alpha / (p.theta_alpha + p.theta_beta)),
        "gamma_fixed": np.zeros((n_s, n_k)),
        "trend_fixed": np.zeros(n_s),
    }
    held = np.zeros((n_s, n_k), dtype=bool)
    seg = {s: i for i, s in enumerate(data.segments)}
    channel = {c: j for j, c in enumerate(data.channels)}
    control = {c: j for j, c in enumerate(data.controls)}
    sd = {(r.segment_id, r.variable_name): float(r.sd) for r in control_sd.itertuples(index=False)}
    for row in previous.itertuples(index=False):
        i = seg.get(row.segment_id)
        if i is None or not np.isfinite(row.mean):
            continue
        if row.parameter == k.TREND and row.n_weeks and row.n_weeks > 1:
            per_week = row.mean / (row.n_weeks - 1)
            out["trend_fixed"][i] = per_week * max(data.n_weeks[i] - 1, 1) / data.y_scale[i]
        elif row.parameter == k.GAMMA and row.channel in control and sd.get((row.segment_id, row.channel), 0) > 0:
            j = control[row.channel]
            per_unit = row.mean / sd[(row.segment_id, row.channel)]
            out["gamma_fixed"][i, j] = per_unit * data.z_sd[i, j] / data.y_scale[i]
            held[i, j] = True
        elif row.channel in channel and row.mean > 0:
            j = channel[row.channel]
            if row.parameter == k.HALF_POINT:
                out["half_point_fixed"][i, j] = row.mean / data.x_scale[i, j]
            elif row.parameter in (k.SLOPE, k.THETA):
                out[f"{row.parameter}_fixed"][i, j] = row.mean
    varies = np.abs(data.z).max(axis=1) > 0  # (S, K): the control moves in the window
    out["gamma_free_at"] = np.argwhere(~held & varies).astype(float).reshape(-1, 2)
    return out


def roi_on_previous_curve(data: ModelData, fixed: dict[str, np.ndarray], previous: pd.DataFrame) -> np.ndarray:
    """(S, C) ROI over the window's weeks of the previous run's curve (its saturation_max, in currency
    per week, on the held shape in ``fixed``) at the window's spend; NaN where the previous run has
    no saturation_max for the channel or the channel does not spend in the window."""
    lags = np.arange(data.lag_mask.shape[-1])
    weights = fixed["theta_fixed"][..., None] ** lags * data.lag_mask  # (S, C, L)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    adstocked = np.einsum("stcl,scl->stc", data.lagged, weights)
    saturated = hill(adstocked, fixed["half_point_fixed"][:, None, :], fixed["slope_fixed"][:, None, :])
    hill_total = (saturated * data.time_mask[..., None]).sum(axis=1)
    saturation_max = np.full(hill_total.shape, np.nan)
    seg = {s: i for i, s in enumerate(data.segments)}
    channel = {c: j for j, c in enumerate(data.channels)}
    for row in previous[previous["parameter"] == "saturation_max"].itertuples(index=False):
        if row.segment_id in seg and row.channel in channel:
            saturation_max[seg[row.segment_id], channel[row.channel]] = row.mean
    spends = (data.channel_mask > 0) & (data.total_spend > 0)
    return np.where(spends, saturation_max * hill_total / np.where(spends, data.total_spend, 1.0), np.nan)
