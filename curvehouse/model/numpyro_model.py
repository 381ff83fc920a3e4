"""The built-in MMM as one NumPyro model over all segments (padded to one shape).

y_st = intercept_s + trend_s * t + sum_k gamma_sk z_stk + sum_c beta_sc Hill(Adstock(x_sc)_t) + noise,
in units of the segment's mean weekly outcome. The sampled baseline parameter is the level at average
media and trend over the fitted weeks; intercept = level - sum_c beta_sc mean_t Hill_sct - trend_s mean_t t
is derived. Without the centring the intercept and the ROIs sit on a curved ridge (their sum is pinned by
the data), which is where NUTS diverged. The channel effect is parameterised by its ROI
over the window (as Meridian does), so the ROI prior is in business units:
beta_sc = roi_sc * spend_sc / (y_scale_s * sum_t Hill_sct). Where some channel is organic or has a
marginal-ROI or contribution-share prior (the priors carry ``effect_kind``), the sampled site is
``effect`` instead and beta follows its kind (curvehouse.model.effects); ROI is then deterministic.

Non-media treatments (only where the input has them, so a media-only program is unchanged) add
sum_j delta_sj (x_stj - x_ref_sj) / sd_sj, with delta_sj ~ Normal(0, priors.control_sd) per treatment
sd (curvehouse.model.treatments); their mean over the fit weeks is centred out of the intercept as
the media's is.
With baseline time_varying the intercept gains a smooth shift with mean zero over the fitted weeks
(curvehouse.model.baseline), so the level and the intercept keep their meaning.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from curvehouse import constants as k
from curvehouse.hill import hill
from curvehouse.model.anchors import FREE_CONTROL_SITE
from curvehouse.model.baseline import KNOTS, baseline_shift, sample_knots
from curvehouse.model.data import ModelData
from curvehouse.model.effects import beta_by_kind, beta_from_roi, roi_from_beta
from curvehouse.model.experiments import experiment_site
from curvehouse.model.spec import ModelSpec
from curvehouse.transforms.adstock import geometric_adstock

__all__ = ["SHARED_ARRAYS", "components", "expected_outcome", "mmm_model", "model_arrays"]

SHARED_ARRAYS = ("lag_mask",)  # model arrays without a segment axis (the others lead with it)


def model_arrays(data: ModelData, fit_mask: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The data arguments of mmm_model; fit_mask (S, T) hides weeks from the likelihood (holdout).

    ROI is defined over the weeks the model learns from, so total spend follows fit_mask. Plain
    float32 numpy arrays: the compiled programs take them as they are, where jnp.asarray would
    compile a small copy program per shape first.
    """
    fit_mask = data.time_mask if fit_mask is None else fit_mask
    arrays = {
        "y": data.y,
        "y_scale": data.y_scale,
        "lagged": data.lagged,
        "z": data.z,
        "time_mask": data.time_mask,
        "fit_mask": fit_mask,
        "channel_mask": data.channel_mask,
        "lag_mask": data.lag_mask,
        "trend": data.trend,
        "total_spend": (data.spend * fit_mask[..., None]).sum(axis=1),
    }
    if data.treatments:
        arrays["treatment"] = data.treatment
    return {name: np.asarray(value, dtype=np.float32) for name, value in arrays.items()}


def components(params: dict[str, jnp.ndarray], arrays: dict[str, jnp.ndarray]) -> dict[str, jnp.ndarray]:
    """Deterministic parts of the mean, in units of mean weekly outcome.

    Returns baseline (S, T), trend (S, T), controls (S, T, K), media (S, T, C), beta (S, C) and the
    intercept (S,) implied by the level; with treatment data also treatments (S, T, J). The baseline is
    the intercept, plus the level's shift where params hold the time-varying baseline's knots. Works on
    one draw; vmap it over draws.
    """
    theta, half, slope = params[k.THETA], params[k.HALF_POINT], params[k.SLOPE]
    adstocked = geometric_adstock(arrays["lagged"], theta, arrays["lag_mask"])
    saturated = hill(adstocked, half[:, None, :], slope[:, None, :]) * arrays["time_mask"][..., None]
    hill_total = jnp.sum(saturated * arrays["fit_mask"][..., None], axis=1)
    if k.EFFECT in params:  # static: some channel is organic or has an mROI or share prior
        beta = beta_by_kind(
            params[k.EFFECT],
            params[k.EFFECT_KIND],
            saturated=saturated,
            fit_mask=arrays["fit_mask"],
            y=arrays["y"],
            y_scale=arrays["y_scale"],
            total_spend=arrays["total_spend"],
            slope=slope,
            channel_mask=arrays["channel_mask"],
        )
    else:
        active = (arrays["channel_mask"] > 0) & (hill_total > 0)
        beta = beta_from_roi(params[k.ROI], arrays["total_spend"], arrays["y_scale"], hill_total, active)
    time_mask, fit_mask = arrays["time_mask"], arrays["fit_mask"]
    n_fit = jnp.maximum(jnp.sum(fit_mask, axis=1), 1.0)
    media_mean = jnp.sum(beta * hill_total, axis=1) / n_fit
    trend_mean = jnp.sum(arrays["trend"] * fit_mask, axis=1) / n_fit
    intercept = params[k.LEVEL] - media_mean - params[k.TREND] * trend_mean
    treated = {}
    if "treatment" in arrays:
        treated["treatments"] = arrays["treatment"] * params[k.TREATMENT][:, None, :] * time_mask[..., None]
        intercept = intercept - jnp.sum(treated["treatments"] * fit_mask[..., None], axis=(1, 2)) / n_fit
    baseline = intercept[:, None] * time_mask
    if KNOTS in params:
        baseline = baseline + baseline_shift(params[KNOTS], fit_mask, time_mask)
    return {
        **treated,
        "intercept": intercept,
        "baseline": baseline,
        "trend": params[k.TREND][:, None] * arrays["trend"],
        "controls": arrays["z"] * params[k.GAMMA][:, None, :],
        "media": saturated * beta[:, None, :],
        "beta": beta,
    }


def expected_outcome(parts: dict) -> jnp.ndarray | np.ndarray:
    """The model's mean from components() parts (JAX or numpy, any leading draw axes): (..., S, T)."""
    mean = parts["baseline"] + parts["trend"] + parts["controls"].sum(-1) + parts["media"].sum(-1)
    return mean + parts["treatments"].sum(-1) if "treatments" in parts else mean


def _channel_params(priors: dict[str, jnp.ndarray], spec: ModelSpec, n_s: int, n_c: int) -> dict[str, jnp.ndarray]:
    """Sample ROI, half point, slope and theta per segment x channel (under partial pooling the priors
    are the population's, curvehouse.model.pooling); in refresh mode ROI only, the curve's shape held
    at the previous posterior (curvehouse.model.anchors)."""
    out = {}
    effect = k.EFFECT if k.EFFECT_KIND in priors else k.ROI  # static: the generic path only where needed
    if effect == k.EFFECT:
        out[k.EFFECT_KIND] = numpyro.deterministic(k.EFFECT_KIND, priors[k.EFFECT_KIND])
    if spec.fit_mode == "refresh":
        with numpyro.plate("segment", n_s, dim=-2), numpyro.plate("channel", n_c, dim=-1):
            out[effect] = numpyro.sample(effect, dist.LogNormal(priors["roi_loc"], priors["roi_scale"]))
            for name in (k.HALF_POINT, k.SLOPE, k.THETA):
                out[name] = numpyro.deterministic(name, priors[f"{name}_fixed"])
        return out
    logs = {name: (priors[f"{name}_loc"], priors[f"{name}_scale"]) for name in (k.ROI, k.HALF_POINT, k.SLOPE)}
    logs = {effect if name == k.ROI else name: value for name, value in logs.items()}
    with numpyro.plate("segment", n_s, dim=-2), numpyro.plate("channel", n_c, dim=-1):
        for name in (effect, k.SLOPE):
            out[name] = numpyro.sample(name, dist.LogNormal(*logs[name]))
        # Hill(x) = sigmoid(S log x - S log K): sampled as the shift u = S (log K - prior median)
        # rather than as K, so the likelihood's curvature in u does not grow with S**2. With K
        # itself NUTS diverged where a channel saturates sharply (high S) and needed target_accept
        # 0.99. The prior is unchanged: log K ~ Normal(loc, scale) is u | S ~ Normal(0, S scale).
        loc, scale = logs[k.HALF_POINT]
        shift = numpyro.sample(k.HALF_POINT_SHIFT, dist.Normal(0.0, out[k.SLOPE] * scale))
        out[k.HALF_POINT] = numpyro.deterministic(k.HALF_POINT, jnp.exp(loc + shift / out[k.SLOPE]))
        out[k.THETA] = numpyro.sample(k.THETA, dist.Beta(priors["theta_a"], priors["theta_b"]))
    return out


def _effect_sites(parts: dict, arrays: dict) -> None:
    """Generic path: each channel's contribution over the fit weeks (mean-week units) and its ROI (0
    where it has no spend), kept per draw for the channel quantities (curvehouse.posterior.derive)."""
    share = jnp.sum(parts["media"] * arrays["fit_mask"][..., None], axis=1)
    numpyro.deterministic(k.CONTRIBUTION, share)
    numpyro.deterministic(k.ROI, roi_from_beta(share, arrays["y_scale"], arrays["total_spend"]))


def mmm_model(
    y: jnp.ndarray,
    y_scale: jnp.ndarray,
    lagged: jnp.ndarray,
    z: jnp.ndarray,
    time_mask: jnp.ndarray,
    fit_mask: jnp.ndarray,
    channel_mask: jnp.ndarray,
    lag_mask: jnp.ndarray,
    trend: jnp.ndarray,
    total_spend: jnp.ndarray,
    priors: dict[str, jnp.ndarray],
    spec: ModelSpec,
    observe: bool = True,
    treatment: jnp.ndarray | None = None,
    **experiments: jnp.ndarray,
) -> None:
    """NumPyro model over all segments at once; weeks outside fit_mask do not inform the fit.

    experiments: the optional lift-test arrays of curvehouse.model.experiments (ARRAY_NAMES); when
    given, each unmasked experiment adds a likelihood term on its channel's steady-state lift.
    treatment: (S, T, J) standardised non-media treatments (model_arrays); None without them.

    priors holds (S, C) arrays: roi_loc/roi_scale, half_point_loc/_scale, slope_loc/_scale (log
    space) and theta_a/theta_b (Beta); in refresh mode also the held values half_point_fixed,
    slope_fixed, theta_fixed (S, C), gamma_fixed (S, K), gamma_free_at (n, 2), trend_fixed (S,); see
    curvehouse.model.priors and curvehouse.model.anchors.
    spec is static (bind it with functools.partial) so the data and priors stay traced and JAX compiles once per shape.
    """
    n_s, n_c = total_spend.shape
    n_k = z.shape[-1]
    p = spec.priors
    params = _channel_params(priors, spec, n_s, n_c)
    with numpyro.plate("segment_", n_s, dim=-1):
        params[k.LEVEL] = numpyro.sample(k.LEVEL, dist.Normal(p.level_mean, p.level_sd))
        if spec.fit_mode == "refresh":
            params[k.TREND] = numpyro.deterministic(k.TREND, priors["trend_fixed"])
        else:
            params[k.TREND] = numpyro.sample(k.TREND, dist.Normal(0.0, p.trend_sd))
        sigma = numpyro.sample(k.SIGMA, dist.HalfNormal(p.sigma_scale))
    if spec.baseline.kind == "time_varying" and spec.fit_mode != "refresh":  # a refresh re-estimates the level
        params[KNOTS] = sample_knots(spec.baseline, n_s)
    if n_k and spec.fit_mode == "refresh":
        gamma, free_at = priors["gamma_fixed"], priors["gamma_free_at"].astype(jnp.int32)
        if free_at.shape[0]:  # static: the number of effects the previous run could not estimate
            with numpyro.plate("free_control", free_at.shape[0]):
                free = numpyro.sample(FREE_CONTROL_SITE, dist.Normal(0.0, p.control_sd))
            gamma = gamma.at[free_at[:, 0], free_at[:, 1]].set(free)
        params[k.GAMMA] = numpyro.deterministic(k.GAMMA, gamma)
    elif n_k:
        with numpyro.plate("segment", n_s, dim=-2), numpyro.plate("control", n_k, dim=-1):
            params[k.GAMMA] = numpyro.sample(k.GAMMA, dist.Normal(0.0, p.control_sd))
    else:
        params[k.GAMMA] = jnp.zeros((n_s, 0))
    if treatment is not None:
        with numpyro.plate("segment", n_s, dim=-2), numpyro.plate("treatment", treatment.shape[-1], dim=-1):
            params[k.TREATMENT] = numpyro.sample(k.TREATMENT, dist.Normal(0.0, p.control_sd))
    arrays = {
        "y": y,
        "y_scale": y_scale,
        "lagged": lagged,
        "z": z,
        "time_mask": time_mask,
        "fit_mask": fit_mask,
        "channel_mask": channel_mask,
        "lag_mask": lag_mask,
        "trend": trend,
        "total_spend": total_spend,
        **({} if treatment is None else {"treatment": treatment}),
    }
    parts = components(params, arrays)
    with numpyro.plate("segment_", n_s, dim=-1):
        numpyro.deterministic(k.INTERCEPT, parts["intercept"])
    mean = expected_outcome(parts)
    # Kept per draw by the sampler's own postprocessing, so the holdout check and the channel
    # quantities need no programs of their own to recompute them.
    numpyro.deterministic(k.BETA, parts["beta"])
    if k.EFFECT in params:
        _effect_sites(parts, arrays)
    numpyro.deterministic(k.MU, mean)
    if spec.noise == "student_t":
        likelihood = dist.StudentT(p.student_t_df, mean, sigma[:, None])
    else:
        likelihood = dist.Normal(mean, sigma[:, None])
    with numpyro.plate("segment", n_s, dim=-2), numpyro.plate("week", y.shape[1], dim=-1):
        numpyro.sample(k.OBS, likelihood.mask(fit_mask > 0), obs=y if observe else None)
    if experiments and observe:
        experiment_site(parts["beta"], params[k.HALF_POINT], params[k.SLOPE], experiments)
