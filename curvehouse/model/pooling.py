"""Partial pooling as a population prior per segment, from the other segments' unpooled fits.

The hierarchical posterior of segment s's channel parameters is p(y_s | theta_s) p(theta_s | y_-s):
its own likelihood times what the population, learnt from the other segments, predicts for it. Stage
one fits every segment unpooled; each fit's draws with its prior divided out approximate that
segment's likelihood of each channel parameter as a normal on the sampled scale (log ROI or effect,
log half point, log slope, logit adstock decay). A normal random-effects model over the other
segments, with a location prior from the segments' priors and the spread prior HalfNormal(pool_log_sd)
(twice that for the decay), integrated exactly over a grid of spreads, gives p(theta_s | y_-s); its
mean and variance become segment s's prior in stage two, an ordinary unpooled fit. Each segment is
then its own NUTS run with its own step size and mass matrix, judged and published on its own
diagnostics. docs/methodology.md says what the approximation leaves out.
"""

from __future__ import annotations

import numpy as np
from scipy.special import digamma, polygamma

from curvehouse import constants as k
from curvehouse.model.priors import beta_from_mean_sd

__all__ = ["POOLED", "POOLING_DRAWS", "likelihood_moments", "population_priors", "random_effects_prediction"]

POOLED = (k.ROI, k.HALF_POINT, k.SLOPE, k.THETA)  # the ROI entry stands for the sampled effect
POOLING_DRAWS = 250  # stage one keeps this many draws a chain: enough for a mean and a variance
SPREAD_GRID = 256  # points of the spread's grid, over [0, 6 x its prior scale]
_LOG_PRIORS = {k.ROI: "roi", k.HALF_POINT: "half_point", k.SLOPE: "slope"}


def _prior_normal(priors: dict[str, np.ndarray], name: str) -> tuple[np.ndarray, np.ndarray]:
    """(mean, variance) of the prior on the pooled scale, (S, C): exact for the LogNormals, the
    logit's moments for the Beta decay."""
    if name == k.THETA:
        a, b = priors["theta_a"], priors["theta_b"]
        return digamma(a) - digamma(b), polygamma(1, a) + polygamma(1, b)
    stem = _LOG_PRIORS[name]
    return np.asarray(priors[f"{stem}_loc"], float), np.asarray(priors[f"{stem}_scale"], float) ** 2


def _pooled_scale(name: str, draws: np.ndarray) -> np.ndarray:
    draws = np.asarray(draws, dtype=float)
    if name == k.THETA:
        draws = np.clip(draws, 1e-6, 1 - 1e-6)
        return np.log(draws / (1 - draws))
    return np.log(np.maximum(draws, 1e-12))


def likelihood_moments(
    samples: dict[str, np.ndarray], priors: dict[str, np.ndarray]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per pooled parameter the normal approximation of the data's likelihood, (mean, precision) each
    (S, C): the posterior's moments on the pooled scale with the prior's divided out. Precision 0
    where the data said nothing the prior did not (posterior no narrower than the prior).

    samples: one fit's draws (chains, draws, S, C) by site, with `effect` in place of ROI where sampled.
    """
    effect = k.EFFECT if k.EFFECT in samples else k.ROI
    out = {}
    for name in POOLED:
        values = _pooled_scale(name, samples[effect if name == k.ROI else name])
        values = values.reshape((-1,) + values.shape[2:])
        post_mean, post_var = values.mean(axis=0), np.maximum(values.var(axis=0), 1e-12)
        prior_mean, prior_var = _prior_normal(priors, name)
        precision = np.maximum(1 / post_var - 1 / prior_var, 0.0)
        mean = np.where(
            precision > 0, (post_mean / post_var - prior_mean / prior_var) / np.where(precision > 0, precision, 1), 0.0
        )
        out[name] = (mean, precision)
    return out


def random_effects_prediction(
    x: np.ndarray,
    precision: np.ndarray,
    present: np.ndarray,
    location: tuple[np.ndarray, np.ndarray],
    spread_scale: float,
) -> tuple[np.ndarray, np.ndarray]:
    """For each segment, the normal (mean, variance) of its parameter predicted from the others.

    x, precision, present: (S, C) likelihood means and precisions and where the channel is in the
    segment; location: (mean, sd) of the population location's Normal prior, (C,) each. Model:
    x_o ~ N(mu, 1/precision_o + tau^2), mu ~ N(location), tau ~ HalfNormal(spread_scale); the
    prediction for segment s leaves s out and integrates mu exactly and tau over a grid.
    """
    a, b2 = location[0][None, :, None], (location[1] ** 2)[None, :, None]
    tau = np.linspace(0.0, 6.0 * spread_scale, SPREAD_GRID)[None, None, :]
    known = (present > 0) & (precision > 0)
    lam = np.where(known, precision, 1.0)[..., None]
    w = np.where(known[..., None], 1.0 / (1.0 / lam + tau**2), 0.0)  # (S, C, G)
    xs = np.where(known, x, 0.0)[..., None]
    terms = (w, w * xs, w * xs**2, np.log(np.where(w > 0, w, 1.0)))
    sw, swx, swx2, slogw = (term.sum(axis=0, keepdims=True) - term for term in terms)  # over the others
    precision_mu = 1.0 / b2 + sw
    mean_mu = (a / b2 + swx) / precision_mu
    log_evidence = 0.5 * (slogw - np.log(b2 * precision_mu)) - 0.5 * (swx2 + a**2 / b2 - precision_mu * mean_mu**2)
    log_weight = log_evidence - 0.5 * (tau / spread_scale) ** 2
    weight = np.exp(log_weight - log_weight.max(axis=-1, keepdims=True))
    weight /= weight.sum(axis=-1, keepdims=True)
    mean = (weight * mean_mu).sum(axis=-1)
    second = (weight * (1.0 / precision_mu + tau**2 + mean_mu**2)).sum(axis=-1)
    return mean, np.maximum(second - mean**2, 1e-12)


def population_priors(
    priors: dict[str, np.ndarray],
    moments: dict[str, tuple[np.ndarray, np.ndarray]],
    channel_mask: np.ndarray,
    pool_log_sd: float,
) -> dict[str, np.ndarray]:
    """The priors with each channel parameter replaced by the population's prediction for the segment.

    priors: build_priors' (S, C) arrays; moments: likelihood_moments of every segment's stage-one fit,
    stacked on the segment axis. The location prior is the segments' mean prior (mean of the prior
    means, mean of the prior sds); the decay's spread prior is twice pool_log_sd, as logits spread wider.
    """
    out = {name: np.array(value, dtype=float, copy=True) for name, value in priors.items()}
    for name in POOLED:
        prior_mean, prior_var = _prior_normal(priors, name)
        location = (prior_mean.mean(axis=0), np.sqrt(prior_var).mean(axis=0))
        scale = pool_log_sd * (2.0 if name == k.THETA else 1.0)
        mean, var = random_effects_prediction(*moments[name], channel_mask, location, scale)
        if name == k.THETA:
            out["theta_a"], out["theta_b"] = beta_from_mean_sd(*_logit_normal_moments(mean, var))
        else:
            stem = _LOG_PRIORS[name]
            out[f"{stem}_loc"], out[f"{stem}_scale"] = mean, np.sqrt(var)
    return out


def _logit_normal_moments(mean: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sd of sigmoid(N(mean, var)) by Gauss-Hermite quadrature."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(32)
    values = 1.0 / (1.0 + np.exp(-(mean[..., None] + np.sqrt(var)[..., None] * nodes)))
    weights = weights / weights.sum()
    first = (values * weights).sum(axis=-1)
    return first, np.sqrt(np.maximum((values**2 * weights).sum(axis=-1) - first**2, 1e-12))
