"""Geometric adstock with normalised weights over a finite maximum lag.

Normalised means the weights sum to one, so a sustained weekly spend s has steady-state
adstocked value s and the planning curve of a channel is simply Hill on weekly spend.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

__all__ = ["lag_stack", "geometric_weights", "geometric_adstock", "half_life_weeks"]


def lag_stack(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Shifted copies of x along time: ``out[..., t, c, l] = x[..., t - l, c]`` (0 before the start).

    x: (..., n_times, n_channels) -> (..., n_times, n_channels, max_lag). Data, so built once.
    """
    x = np.asarray(x, dtype=np.float32)
    n_times = x.shape[-2]
    out = np.zeros(x.shape + (max_lag,), dtype=np.float32)
    for lag in range(min(max_lag, n_times)):
        out[..., lag:, :, lag] = x[..., : n_times - lag, :]
    return out


def geometric_weights(theta: jnp.ndarray, lag_mask: jnp.ndarray) -> jnp.ndarray:
    """Normalised geometric weights theta**l over the lags a channel allows.

    theta: (..., n_channels) in (0, 1); lag_mask: (n_channels, max_lag) of 0/1.
    Returns (..., n_channels, max_lag) summing to one over the last axis.
    """
    lags = jnp.arange(lag_mask.shape[-1])
    raw = jnp.exp(jnp.log(theta)[..., None] * lags) * lag_mask
    return raw / jnp.sum(raw, axis=-1, keepdims=True)


def geometric_adstock(lagged: jnp.ndarray, theta: jnp.ndarray, lag_mask: jnp.ndarray) -> jnp.ndarray:
    """Adstocked media from a lag stack.

    lagged: (..., n_times, n_channels, max_lag) from lag_stack; theta: (..., n_channels).
    Returns (..., n_times, n_channels).
    """
    weights = geometric_weights(theta, lag_mask)
    # A contraction (dot_general), not broadcast-multiply-sum: XLA on CPU fuses the latter badly
    # with the Hill that follows (measured 6x slower gradients).
    return jnp.einsum("...tcl,...cl->...tc", lagged, weights)


def half_life_weeks(theta: np.ndarray) -> np.ndarray:
    """Weeks until a pulse's carryover falls to half: ln(0.5) / ln(theta)."""
    theta = np.clip(np.asarray(theta, dtype=float), 1e-9, 1 - 1e-9)
    return np.log(0.5) / np.log(theta)
