"""The time-varying baseline: a smooth shift of the level over each segment's fit weeks.

The shift is a Gaussian random walk on a few knots spread evenly from the segment's first to its
last fit week, linearly interpolated between knots and flat before the first and after the last
(so held-out and forecast weeks carry the last fitted level). Its straight-line part over the fit
weeks is removed: the shift has mean zero there, so the sampled level keeps its meaning (the mean
outcome at average media and trend) and the derived intercept its formula, and no slope, which the
trend carries (interpolated knots can draw any line, so without this the walk and the trend would
sit on a ridge). The steps are sampled non-centred (standard normals times step_sd), which keeps
NUTS off the funnel a sampled scale would make.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist

from curvehouse.model.spec import BaselineSpec

__all__ = ["KNOTS", "STEPS", "baseline_shift", "knot_basis", "sample_knots"]

STEPS = "baseline_step"  # sampled, per segment x step: standard-normal random-walk steps
KNOTS = "baseline_knots"  # derived, per segment x knot: the walk's values, mean weekly outcome units


def knot_basis(fit_mask: jnp.ndarray, n_knots: int) -> jnp.ndarray:
    """(S, T, n_knots) weights of each week on the knots: linear interpolation between knots spread
    evenly from each segment's first to its last fit week, minus each column's least-squares line
    over the fit weeks, so every combination has mean zero and no linear trend there (the level and
    the trend stay identifiable). Weeks outside that span take the nearest end week's row (the
    shift stays flat before the first and after the last fit week). Works on numpy and JAX arrays."""
    n_t = fit_mask.shape[-1]
    t = jnp.arange(n_t, dtype=jnp.float32)
    weight = (fit_mask > 0).astype(jnp.float32)
    first = jnp.min(jnp.where(weight > 0, t, n_t), axis=-1)
    last = jnp.max(jnp.where(weight > 0, t, -1.0), axis=-1)
    span = jnp.maximum(last - first, 1.0)
    u = (jnp.clip(t[None, :], first[:, None], last[:, None]) - first[:, None]) / span[:, None]  # 0..1
    hat = jnp.maximum(0.0, 1.0 - jnp.abs(u[..., None] * (n_knots - 1) - jnp.arange(n_knots, dtype=jnp.float32)))
    return hat - _line_fit(hat, u, weight)


def _line_fit(columns: jnp.ndarray, u: jnp.ndarray, weight: jnp.ndarray) -> jnp.ndarray:
    """(S, T, K) each column's weighted least-squares line a + b u (weights: the fit weeks)."""
    n = jnp.maximum(jnp.sum(weight, axis=-1), 1.0)[:, None]
    u_mean = jnp.sum(weight * u, axis=-1)[:, None] / n
    centred = (u - u_mean) * weight
    u_var = jnp.maximum(jnp.sum(centred * (u - u_mean), axis=-1), 1e-9)[:, None]
    col_mean = jnp.einsum("st,stk->sk", weight, columns) / n
    slope = jnp.einsum("st,stk->sk", centred, columns) / u_var
    return col_mean[:, None, :] + slope[:, None, :] * (u - u_mean)[..., None]


def baseline_shift(knots: jnp.ndarray, fit_mask: jnp.ndarray, time_mask: jnp.ndarray) -> jnp.ndarray:
    """(S, T) the level's shift from knot values (S, K), 0 in padding."""
    return jnp.einsum("stk,sk->st", knot_basis(fit_mask, knots.shape[-1]), knots) * time_mask


def sample_knots(spec: BaselineSpec, n_s: int) -> jnp.ndarray:
    """Sample the random walk's steps (non-centred) and return its knot values (S, K), the first 0."""
    with numpyro.plate("segment", n_s, dim=-2), numpyro.plate("baseline_step_", spec.knots - 1, dim=-1):
        steps = numpyro.sample(STEPS, dist.Normal(0.0, 1.0))
    walk = jnp.cumsum(steps * spec.step_sd, axis=-1)
    return numpyro.deterministic(KNOTS, jnp.concatenate([jnp.zeros((n_s, 1)), walk], axis=-1))
