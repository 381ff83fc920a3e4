"""Prior arrays per segment x channel: from the methodology config and the channel registry,
or (refresh mode) centred on the last published posterior."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse import constants as k
from curvehouse.model.anchors import fixed_values, roi_on_previous_curve
from curvehouse.model.data import ModelData
from curvehouse.model.effects import KIND_CODES
from curvehouse.model.prior_kinds import channel_prior
from curvehouse.model.spec import ModelSpec

__all__ = ["PRIOR_KEYS", "beta_from_mean_sd", "build_priors", "lognormal_from_mean_sd"]

PRIOR_KEYS = (
    "roi_loc",
    "roi_scale",
    "half_point_loc",
    "half_point_scale",
    "slope_loc",
    "slope_scale",
    "theta_a",
    "theta_b",
)


def lognormal_from_mean_sd(mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LogNormal (mu, sigma) whose mean and standard deviation are the given ones."""
    mean, sd = np.asarray(mean, dtype=float), np.asarray(sd, dtype=float)
    sigma2 = np.log1p((sd / mean) ** 2)
    return np.log(mean) - sigma2 / 2, np.sqrt(sigma2)


def beta_from_mean_sd(mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = np.clip(mean, 0.02, 0.98)
    var = np.minimum(sd**2, mean * (1 - mean) * 0.9)
    concentration = mean * (1 - mean) / var - 1
    return mean * concentration, (1 - mean) * concentration


def build_priors(
    data: ModelData,
    spec: ModelSpec,
    registry: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    control_sd: pd.DataFrame | None = None,
) -> dict[str, np.ndarray]:
    """(S, C) prior arrays.

    ROI: LogNormal with the registry's roi_prior_mean / roi_prior_sd per channel, else the config
    default. A channel with a marginal-ROI or contribution-share prior, and every organic channel, has
    that LogNormal instead (roi_loc / roi_scale then hold the sampled effect's prior, whatever its kind)
    and the priors gain ``effect_kind`` (S, C codes of curvehouse.model.effects), which switches the
    model to its generic path; without one the priors are exactly those of a paid-only ROI model.
    Theta: the config's brand prior for the registry's brand channels, else its default.
    Half point (in units of the channel's mean active weekly spend) and slope: the config defaults.
    In refresh mode, ``previous`` (segment_id, channel, parameter, mean, sd of the last published
    posterior in the same units) replaces them where present, so a short window recalibrates
    without forgetting what the long fit learnt about saturation. In refresh mode the values the model
    holds fixed are added (curvehouse.model.anchors.fixed_values; control_sd: the controls' sd over the
    previous window), and ROI is centred on the previous curve's ROI at the window's spend with the
    previous ROI's relative sd times refresh.roi_sd_inflation.
    """
    n_s, n_c = len(data.segments), len(data.channels)
    p = spec.priors
    reg = registry.set_index("channel")
    kinds, roi_mean, roi_sd = _effect_priors(data, spec, registry)
    roi_loc, roi_scale = lognormal_from_mean_sd(roi_mean, roi_sd)
    group = reg["channel_group"] if "channel_group" in reg.columns else pd.Series(dtype=object)
    is_brand = [group.get(c) == "brand" for c in data.channels]
    full = lambda v: np.broadcast_to(np.asarray(v, dtype=float), (n_s, n_c)).copy()  # noqa: E731
    priors = {
        "roi_loc": full(roi_loc),
        "roi_scale": full(roi_scale),
        "half_point_loc": full(np.log(p.half_point_median)),
        "half_point_scale": full(p.half_point_log_sd),
        "slope_loc": full(np.log(p.slope_median)),
        "slope_scale": full(p.slope_log_sd),
        "theta_a": full([p.brand_theta_alpha if brand else p.theta_alpha for brand in is_brand]),
        "theta_b": full([p.brand_theta_beta if brand else p.theta_beta for brand in is_brand]),
    }
    if any(kind != "roi" for kind in kinds):  # the generic path (curvehouse.model.effects)
        priors[k.EFFECT_KIND] = full([KIND_CODES[kind] for kind in kinds])
    if previous is not None and len(previous):
        inflation = spec.refresh.roi_sd_inflation if spec.fit_mode == "refresh" else 1.0
        _centre_on_previous(priors, data, previous, inflation)
    if spec.fit_mode == "refresh":
        if previous is None:
            previous = pd.DataFrame(columns=["segment_id", "channel", "parameter", "mean", "n_weeks"])
        if control_sd is None:
            control_sd = pd.DataFrame(columns=["segment_id", "variable_name", "sd"])
        priors.update(fixed_values(data, spec, previous, control_sd))
        _centre_roi_on_previous_curve(priors, data, previous, spec.refresh.roi_sd_inflation)
    if k.EFFECT_KIND in priors:  # only ROI effects are centred on a previous ROI
        other = np.array([kind != "roi" for kind in kinds])[None, :]
        priors["roi_loc"] = np.where(other, full(roi_loc), priors["roi_loc"])
        priors["roi_scale"] = np.where(other, full(roi_scale), priors["roi_scale"])
    return priors


def _effect_priors(
    data: ModelData, spec: ModelSpec, registry: pd.DataFrame
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Per channel the effect's prior kind (curvehouse.model.prior_kinds) and its mean and sd."""
    organic = data.is_organic
    chosen = [channel_prior(registry, c, spec.priors, bool(organic[j])) for j, c in enumerate(data.channels)]
    return [c[0] for c in chosen], np.array([c[1] for c in chosen]), np.array([c[2] for c in chosen])


def _centre_on_previous(
    priors: dict[str, np.ndarray], data: ModelData, previous: pd.DataFrame, roi_sd_inflation: float
) -> None:
    """Overwrite priors with moment-matched versions of the previous posterior (refresh mode)."""
    seg_index = {s: i for i, s in enumerate(data.segments)}
    ch_index = {c: j for j, c in enumerate(data.channels)}
    for row in previous.itertuples(index=False):
        i, j = seg_index.get(row.segment_id), ch_index.get(row.channel)
        if i is None or j is None or not (row.mean > 0 and row.sd > 0):
            continue
        if row.parameter == k.ROI:
            loc, scale = lognormal_from_mean_sd(row.mean, row.sd * roi_sd_inflation)
            priors["roi_loc"][i, j], priors["roi_scale"][i, j] = loc, scale
        elif row.parameter == k.SLOPE:
            loc, scale = lognormal_from_mean_sd(row.mean, row.sd)
            priors[f"{row.parameter}_loc"][i, j], priors[f"{row.parameter}_scale"][i, j] = loc, scale
        elif row.parameter == k.HALF_POINT:
            loc, scale = lognormal_from_mean_sd(row.mean / data.x_scale[i, j], row.sd / data.x_scale[i, j])
            priors["half_point_loc"][i, j], priors["half_point_scale"][i, j] = loc, scale
        elif row.parameter == k.THETA:
            a, b = beta_from_mean_sd(np.array(row.mean), np.array(row.sd))
            priors["theta_a"][i, j], priors["theta_b"][i, j] = a, b


def _centre_roi_on_previous_curve(
    priors: dict[str, np.ndarray], data: ModelData, previous: pd.DataFrame, roi_sd_inflation: float
) -> None:
    """Refresh mode: ROI prior mean = the previous curve's ROI at the window's spend, sd = that times
    the previous ROI's coefficient of variation times roi_sd_inflation (where both are known)."""
    implied = roi_on_previous_curve(data, priors, previous)
    cv = np.full(implied.shape, np.nan)
    seg = {s: i for i, s in enumerate(data.segments)}
    channel = {c: j for j, c in enumerate(data.channels)}
    for row in previous[previous["parameter"] == k.ROI].itertuples(index=False):
        if row.segment_id in seg and row.channel in channel and row.mean > 0:
            cv[seg[row.segment_id], channel[row.channel]] = row.sd / row.mean
    known = np.isfinite(implied) & (implied > 0) & np.isfinite(cv) & (cv > 0)
    mean = np.where(known, implied, 1.0)
    loc, scale = lognormal_from_mean_sd(mean, mean * np.where(known, cv, 1.0) * roi_sd_inflation)
    priors["roi_loc"] = np.where(known, loc, priors["roi_loc"])
    priors["roi_scale"] = np.where(known, scale, priors["roi_scale"])
