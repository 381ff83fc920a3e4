"""Adstock and Hill against hand-computed values; safe gradients at zero spend."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from curvehouse.hill import hill, hill_derivative, hill_inflection
from curvehouse.transforms.adstock import geometric_adstock, geometric_weights, half_life_weeks, lag_stack


def test_weights_are_normalised_geometric_and_respect_the_lag_mask():
    weights = np.asarray(geometric_weights(jnp.array([0.5]), jnp.array([[1.0, 1.0, 1.0, 0.0]])))
    np.testing.assert_allclose(weights[0], np.array([1, 0.5, 0.25, 0]) / 1.75, rtol=1e-6)


def test_lag_stack_shifts_with_zeros_before_the_start():
    x = np.arange(1, 5, dtype=float)[:, None]  # 4 weeks, 1 channel
    stacked = lag_stack(x, 3)
    assert stacked.shape == (4, 1, 3)
    np.testing.assert_array_equal(stacked[:, 0, 1], [0, 1, 2, 3])
    np.testing.assert_array_equal(stacked[:, 0, 2], [0, 0, 1, 2])


def test_sustained_spend_reaches_steady_state_equal_to_the_spend():
    x = np.full((12, 2), 1000.0)
    out = np.asarray(geometric_adstock(jnp.asarray(lag_stack(x, 4)), jnp.array([0.3, 0.8]), jnp.ones((2, 4))))
    np.testing.assert_allclose(out[3:], 1000.0, rtol=1e-5)
    assert out[0, 1] < out[1, 1] < out[2, 1] < 1000.0  # carryover builds up


def test_a_pulse_decays_geometrically():
    x = np.zeros((6, 1))
    x[0] = 1.0
    out = np.asarray(geometric_adstock(jnp.asarray(lag_stack(x, 6)), jnp.array([0.5]), jnp.ones((1, 6))))[:, 0]
    np.testing.assert_allclose(out[1:] / out[:-1], 0.5, rtol=1e-5)


def test_hill_is_half_at_the_half_point_and_zero_at_zero():
    values = np.asarray(hill(jnp.array([0.0, 50_000.0, 1e9]), 50_000.0, 2.0))
    np.testing.assert_allclose(values, [0.0, 0.5, 1.0], atol=1e-6)


@pytest.mark.parametrize("slope", [0.5, 1.0, 2.5])
def test_hill_gradients_are_finite_at_zero_spend(slope):
    grads = jax.grad(lambda k, s: hill(jnp.array([0.0, 10.0]), k, s).sum(), argnums=(0, 1))(5.0, slope)
    assert all(np.isfinite(np.asarray(g)) for g in grads)


def test_hill_derivative_matches_finite_differences():
    x = np.array([10.0, 40.0, 90.0])
    eps = 0.1  # float32: a wider central difference is the more accurate one
    numeric = (np.asarray(hill(jnp.array(x + eps), 40.0, 1.7)) - np.asarray(hill(jnp.array(x - eps), 40.0, 1.7))) / (
        2 * eps
    )
    np.testing.assert_allclose(np.asarray(hill_derivative(jnp.array(x), 40.0, 1.7)), numeric, rtol=1e-2)


def test_inflection_of_an_s_curve_and_none_for_a_concave_one():
    assert float(hill_inflection(1.0, 2.0)) == pytest.approx(np.sqrt(1 / 3), rel=1e-5)
    assert float(hill_inflection(1.0, 0.8)) == 0.0


def test_half_life_of_a_halving_decay_is_one_week():
    assert half_life_weeks(np.array([0.5]))[0] == pytest.approx(1.0)
