"""Curve evaluation: Hill response, analytic marginal response, inflection, intervals."""

import numpy as np
import pytest

from curvehouse.hill import hill_inflection, hill_response
from curvehouse.planning.curves import interval80, marginal_ndc, response_ndc
from tests.unit.planning_fixtures import curve_set


def test_response_is_hill_at_each_draw_and_zero_at_zero_spend():
    curves = curve_set(n_draws=3)
    spend = np.array([[0.0, 1_000.0, 20_000.0, 50_000.0, 7_500.0]])
    out = response_ndc(spend, curves.half_dc, curves.smax_dc, curves.slope_dc)
    assert out.shape == (1, 3, 5)
    assert np.all(out[0, :, 0] == 0.0)
    d, c = 2, 3
    expected = hill_response(50_000.0, curves.half_dc[d, c], curves.smax_dc[d, c], curves.slope_dc[d, c])
    assert out[0, d, c] == pytest.approx(expected, rel=1e-12)


def test_marginal_is_the_derivative_of_the_response():
    curves = curve_set(n_draws=4)
    spend = np.array([[25_000.0, 9_000.0, 40_000.0, 18_000.0, 3_000.0]])
    h = 1e-3
    numeric = (
        response_ndc(spend + h, curves.half_dc, curves.smax_dc, curves.slope_dc)
        - response_ndc(spend - h, curves.half_dc, curves.smax_dc, curves.slope_dc)
    ) / (2 * h)
    analytic = marginal_ndc(spend, curves.half_dc, curves.smax_dc, curves.slope_dc)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5)


def test_marginal_at_zero_spend_is_finite_even_for_slopes_below_one():
    value = marginal_ndc(np.zeros((1, 1)), np.array([[100.0]]), np.array([[50.0]]), np.array([[0.5]]))
    assert np.isfinite(value).all() and value[0, 0, 0] > 0


def test_inflection_by_hand():
    # S = 3, K = 100: K * (2/4)**(1/3)
    assert hill_inflection(np.array(100.0), np.array(3.0)) == pytest.approx(100 * 0.5 ** (1 / 3))
    assert hill_inflection(np.array(100.0), np.array(0.8)) == 0.0


def test_interval80_is_mean_and_10th_90th_percentiles():
    values = np.arange(1.0, 102.0)[None, :]  # 1..101
    mean, p10, p90 = interval80(values, axis=1)
    assert (mean[0], p10[0], p90[0]) == (51.0, 11.0, 91.0)


def test_calibration_scales_contributions_and_the_base():
    curves = curve_set(n_draws=2)
    spend = curves.current_c[None]
    raw = response_ndc(spend, curves.half_dc, curves.smax_dc, curves.slope_dc).sum(axis=2)
    np.testing.assert_allclose(curves.incremental(spend), 1.02 * raw)
    np.testing.assert_allclose(curves.outcome(spend), 1.02 * (250_000.0 + raw))
