"""The built-in MMM as one NumPyro model over all segments (padded to one shape).

y_st = intercept_s + trend_s * t + sum_k gamma_sk z_stk + sum_c beta_sc Hill(Adstock(x_sc)_t) + noise,
in units of the segment's mean weekly outcome. The sampled baseline parameter is the level at average
media and trend over the fitted weeks; intercept = level - sum_c beta_sc mean_t Hill_sct - trend_s mean_t t
is derived. Without the centring the intercept and the ROIs sit on a curved ridge (their sum is pinned by
the data), which is where NUTS diverged. The channel effect is parameterised by its ROI
over the window (as Meridian does), so the ROI prior is in business units:
beta_sc = roi_sc * spend_sc / (y_scale_s * sum_t Hill_sct).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from curvehouse import constants as k
from curvehouse.hill import hill
from curvehouse.model.data import ModelData
from curvehouse.model.experiments import experiment_site
from curvehouse.model.spec import ModelSpec
from curvehouse.transforms.adstock import geometric_adstock

__all__ = ["components", "expected_outcome", "mmm_model", "model_arrays"]


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
    return {name: np.asarray(value, dtype=np.float32) for name, value in arrays.items()}


def components(params: dict[str, jnp.ndarray], arrays: dict[str, jnp.ndarray]) -> dict[str, jnp.ndarray]:
    """Deterministic parts of the mean, in units of mean weekly outcome.

    Returns baseline (S, T), trend (S, T), controls (S, T, K), media (S, T, C), beta (S, C) and the
    intercept (S,) implied by the level. Works on one draw; vmap it over draws.
    """
    theta, half, slope, roi = params[k.THETA], params[k.HALF_POINT], params[k.SLOPE], params[k.ROI]
    adstocked = geometric_adstock(arrays["lagged"], theta, arrays["lag_mask"])
    saturated = hill(adstocked, half[:, None, :], slope[:, None, :]) * arrays["time_mask"][..., None]
    hill_total = jnp.sum(saturated * arrays["fit_mask"][..., None], axis=1)
    active = (arrays["channel_mask"] > 0) & (hill_total > 0)
    beta = jnp.where(
        active, roi * arrays["total_spend"] / (arrays["y_scale"][:, None] * jnp.where(active, hill_total, 1.0)), 0.0
    )
    time_mask, fit_mask = arrays["time_mask"], arrays["fit_mask"]
    n_fit = jnp.maximum(jnp.sum(fit_mask, axis=1), 1.0)
    media_mean = jnp.sum(beta * hill_total, axis=1) / n_fit
    trend_mean = jnp.sum(arrays["trend"] * fit_mask, axis=1) / n_fit
    intercept = params[k.LEVEL] - media_mean - params[k.TREND] * trend_mean
    return {
        "intercept": intercept,
        "baseline": intercept[:, None] * time_mask,
        "trend": params[k.TREND][:, None] * arrays["trend"],
        "controls": arrays["z"] * params[k.GAMMA][:, None, :],
        "media": saturated * beta[:, None, :],
        "beta": beta,
    }


def expected_outcome(parts: dict) -> jnp.ndarray | np.ndarray:
    """The model's mean from components() parts (JAX or numpy, any leading draw axes): (..., S, T)."""
    return parts["baseline"] + parts["trend"] + parts["controls"].sum(-1) + parts["media"].sum(-1)


def _channel_params(priors: dict[str, jnp.ndarray], spec: ModelSpec, n_s: int, n_c: int) -> dict[str, jnp.ndarray]:
    """Sample ROI, half point, slope and theta per segment x channel (pooled or not); in refresh mode
    ROI only, the curve's shape held at the previous posterior (curvehouse.model.anchors)."""
    out = {}
    if spec.fit_mode == "refresh":
        with numpyro.plate("segment", n_s, dim=-2), numpyro.plate("channel", n_c, dim=-1):
            out[k.ROI] = numpyro.sample(k.ROI, dist.LogNormal(priors["roi_loc"], priors["roi_scale"]))
            for name in (k.HALF_POINT, k.SLOPE, k.THETA):
                out[name] = numpyro.deterministic(name, priors[f"{name}_fixed"])
        return out
    logs = {name: (priors[f"{name}_loc"], priors[f"{name}_scale"]) for name in (k.ROI, k.HALF_POINT, k.SLOPE)}
    theta_a, theta_b = priors["theta_a"], priors["theta_b"]
    theta_mean = theta_a / (theta_a + theta_b)
    if spec.pooling == "none":
        with numpyro.plate("segment", n_s, dim=-2), numpyro.plate("channel", n_c, dim=-1):
            for name in (k.ROI, k.SLOPE):
                out[name] = numpyro.sample(name, dist.LogNormal(*logs[name]))
            # Hill(x) = sigmoid(S log x - S log K): sampled as the shift u = S (log K - prior median)
            # rather than as K, so the likelihood's curvature in u does not grow with S**2. With K
            # itself NUTS diverged where a channel saturates sharply (high S) and needed target_accept
            # 0.99. The prior is unchanged: log K ~ Normal(loc, scale) is u | S ~ Normal(0, S scale).
            loc, scale = logs[k.HALF_POINT]
            shift = numpyro.sample(f"{k.HALF_POINT}_shift", dist.Normal(0.0, out[k.SLOPE] * scale))
            out[k.HALF_POINT] = numpyro.deterministic(k.HALF_POINT, jnp.exp(loc + shift / out[k.SLOPE]))
            out[k.THETA] = numpyro.sample(k.THETA, dist.Beta(theta_a, theta_b))
        return out
    # Partial pooling: each channel's parameters in every segment come from a shared population.
    with numpyro.plate("channel", n_c, dim=-1):
        pops = {}
        for name, (loc, scale) in logs.items():
            mu = numpyro.sample(f"{name}_pop_mu", dist.Normal(jnp.mean(loc, axis=0), jnp.mean(scale, axis=0)))
            tau = numpyro.sample(f"{name}_pop_tau", dist.HalfNormal(spec.priors.pool_log_sd))
            pops[name] = (mu, tau)
        logit_mean = jnp.log(theta_mean / (1 - theta_mean))
        theta_mu = numpyro.sample("theta_pop_mu", dist.Normal(jnp.mean(logit_mean, axis=0), 1.0))
        theta_tau = numpyro.sample("theta_pop_tau", dist.HalfNormal(spec.priors.pool_log_sd * 2))
        with numpyro.plate("segment", n_s, dim=-2):
            for name, (mu, tau) in pops.items():
                offset = numpyro.sample(f"{name}_z", dist.Normal(0.0, 1.0))
                out[name] = numpyro.deterministic(name, jnp.exp(mu + tau * offset))
            offset = numpyro.sample("theta_z", dist.Normal(0.0, 1.0))
            out[k.THETA] = numpyro.deterministic(k.THETA, 1.0 / (1.0 + jnp.exp(-(theta_mu + theta_tau * offset))))
    return out


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
    **experiments: jnp.ndarray,
) -> None:
    """NumPyro model over all segments at once; weeks outside fit_mask do not inform the fit.

    experiments: the optional lift-test arrays of curvehouse.model.experiments (ARRAY_NAMES); when
    given, each unmasked experiment adds a likelihood term on its channel's steady-state lift.

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
    if n_k and spec.fit_mode == "refresh":
        gamma, free_at = priors["gamma_fixed"], priors["gamma_free_at"].astype(jnp.int32)
        if free_at.shape[0]:  # static: the number of effects the previous run could not estimate
            with numpyro.plate("free_control", free_at.shape[0]):
                free = numpyro.sample("gamma_free", dist.Normal(0.0, p.control_sd))
            gamma = gamma.at[free_at[:, 0], free_at[:, 1]].set(free)
        params[k.GAMMA] = numpyro.deterministic(k.GAMMA, gamma)
    elif n_k:
        with numpyro.plate("segment", n_s, dim=-2), numpyro.plate("control", n_k, dim=-1):
            params[k.GAMMA] = numpyro.sample(k.GAMMA, dist.Normal(0.0, p.control_sd))
    else:
        params[k.GAMMA] = jnp.zeros((n_s, 0))
    arrays = {
        "y_scale": y_scale,
        "lagged": lagged,
        "z": z,
        "time_mask": time_mask,
        "fit_mask": fit_mask,
        "channel_mask": channel_mask,
        "lag_mask": lag_mask,
        "trend": trend,
        "total_spend": total_spend,
    }
    parts = components(params, arrays)
    with numpyro.plate("segment_", n_s, dim=-1):
        numpyro.deterministic(k.INTERCEPT, parts["intercept"])
    mean = expected_outcome(parts)
    # Kept per draw by the sampler's own postprocessing, so the holdout check and the channel
    # quantities need no programs of their own to recompute them.
    numpyro.deterministic(k.BETA, parts["beta"])
    numpyro.deterministic(k.MU, mean)
    if spec.noise == "student_t":
        likelihood = dist.StudentT(p.student_t_df, mean, sigma[:, None])
    else:
        likelihood = dist.Normal(mean, sigma[:, None])
    with numpyro.plate("segment", n_s, dim=-2), numpyro.plate("week", y.shape[1], dim=-1):
        numpyro.sample(k.OBS, likelihood.mask(fit_mask > 0), obs=y if observe else None)
    if experiments and observe:
        experiment_site(parts["beta"], params[k.HALF_POINT], params[k.SLOPE], experiments)
