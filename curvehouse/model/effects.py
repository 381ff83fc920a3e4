"""A channel's effect at saturation (beta) from its sampled effect, by the kind of prior it has.

Kinds (codes in the (S, C) array ``effect_kind``):

- roi (0): the ROI over the fit weeks, ``beta = roi * spend / (y_scale * sum_t H_t)``;
- mroi (1): the marginal ROI of a small proportional spend increase over the fit weeks. Adstock is
  linear, so spending (1 + e) times as much scales every adstocked week by (1 + e), and
  d H / d e = S H (1 - H) at e = 0: ``beta = mroi * spend / (y_scale * S * sum_t H_t (1 - H_t))``;
- share (2): the channel's contribution as a share of the fit weeks' outcome,
  ``beta = share * sum_t y_t / sum_t H_t`` (y in units of the mean week). Organic channels (no spend)
  always use it.

Pure jax.numpy functions of one draw. Unselected branches are kept finite (safe denominators), so
jnp.where passes no NaN gradient from a masked channel or an unused kind.
"""

from __future__ import annotations

import jax.numpy as jnp

__all__ = ["EFFECT_KINDS", "KIND_CODES", "beta_by_kind", "beta_from_roi", "roi_from_beta"]

EFFECT_KINDS = ("roi", "mroi", "share")
KIND_CODES = {kind: code for code, kind in enumerate(EFFECT_KINDS)}


def _safe(x: jnp.ndarray, ok: jnp.ndarray) -> jnp.ndarray:
    return jnp.where(ok, x, 1.0)


def beta_from_roi(
    roi: jnp.ndarray, total_spend: jnp.ndarray, y_scale: jnp.ndarray, hill_total: jnp.ndarray, active: jnp.ndarray
) -> jnp.ndarray:
    """(S, C) beta from ROI: the model's original arithmetic (0 where the channel is not active)."""
    return jnp.where(active, roi * total_spend / (y_scale[:, None] * jnp.where(active, hill_total, 1.0)), 0.0)


def beta_by_kind(
    effect: jnp.ndarray,
    kind: jnp.ndarray,
    *,
    saturated: jnp.ndarray,
    fit_mask: jnp.ndarray,
    y: jnp.ndarray,
    y_scale: jnp.ndarray,
    total_spend: jnp.ndarray,
    slope: jnp.ndarray,
    channel_mask: jnp.ndarray,
) -> jnp.ndarray:
    """(S, C) beta from the sampled effect (S, C) of each channel's kind (S, C codes, KIND_CODES).

    saturated: (S, T, C) Hill of the adstocked driver; fit_mask, y: (S, T); y_scale: (S,);
    total_spend, slope, channel_mask: (S, C). 0 where the channel is masked or never saturates.
    """
    weeks = fit_mask[..., None]
    hill_total = jnp.sum(saturated * weeks, axis=1)
    bend_total = jnp.sum(saturated * (1.0 - saturated) * weeks, axis=1)
    y_total = jnp.sum(y * fit_mask, axis=1)[:, None]
    active = (channel_mask > 0) & (hill_total > 0)
    by_roi = beta_from_roi(effect, total_spend, y_scale, hill_total, active)
    bends = active & (bend_total > 0)
    by_mroi = jnp.where(bends, effect * total_spend / (y_scale[:, None] * slope * _safe(bend_total, bends)), 0.0)
    by_share = jnp.where(active, effect * y_total / _safe(hill_total, active), 0.0)
    return jnp.where(kind == KIND_CODES["mroi"], by_mroi, jnp.where(kind == KIND_CODES["share"], by_share, by_roi))


def roi_from_beta(contribution_scaled: jnp.ndarray, y_scale: jnp.ndarray, total_spend: jnp.ndarray) -> jnp.ndarray:
    """(S, C) ROI implied by a contribution (mean-week units); 0 where there is no spend (organic)."""
    paid = total_spend > 0
    return jnp.where(paid, contribution_scaled * y_scale[:, None] / _safe(total_spend, paid), 0.0)
