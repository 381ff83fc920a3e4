"""The response surface: enough scenarios, mixes on the simplex, calibration reproducing the observed outcome."""

import numpy as np
import pandas as pd
import pytest

from curvehouse.planning.config import planning_spec
from curvehouse.planning.inputs import build_curve_inputs, curve_sets
from curvehouse.planning.surface import mixes, response_surface, simplex_sample, tilted
from tests.unit.planning_fixtures import curve_set


def test_simplex_sample_rows_are_shares_and_fill_the_simplex():
    shares = simplex_sample(4096, 4, seed=3)
    assert shares.shape == (4096, 4)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert (shares >= 0).all()
    # Uniform on the simplex: each share has mean 1/4 and covers (almost) 0..1.
    np.testing.assert_allclose(shares.mean(axis=0), 0.25, atol=0.01)
    assert shares.max() > 0.9 and shares.min() < 0.01


def test_tilt_moves_one_share_and_keeps_the_sum():
    out = tilted(np.array([0.5, 0.3, 0.2]), 1, 0.25)
    assert out[1] == pytest.approx(0.375) and out.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(out[[0, 2]] / out[[0, 2]].sum(), [0.5 / 0.7, 0.2 / 0.7])


def test_mixes_start_with_current_then_tilts():
    share = np.array([0.4, 0.6])
    rows, kinds, tilts = mixes(share, 20, 0.25, seed=1)
    assert rows.shape == (20, 2) and kinds[:5] == ["current", "tilt_up", "tilt_down", "tilt_up", "tilt_down"]
    np.testing.assert_allclose(rows[0], share)
    assert tilts[1:5] == [0, 0, 1, 1]


@pytest.fixture(scope="module")
def surface():
    curves = curve_set(n_draws=40)
    return curves, response_surface(curves, planning_spec({}))


def test_at_least_ten_thousand_scenarios_over_21_budget_levels(surface):
    curves, table = surface
    assert table["scenario_id"].nunique() >= 10_000
    assert len(table) == table["scenario_id"].nunique() * curves.n_channels
    assert table["budget_ratio"].round(2).nunique() == 21
    assert table["budget_ratio"].min() == pytest.approx(0.5) and table["budget_ratio"].max() == pytest.approx(1.5)
    per_scenario = table.groupby("scenario_id").agg(
        spend=("weekly_spend", "sum"), budget=("total_weekly_budget", "first")
    )
    np.testing.assert_allclose(per_scenario["spend"], per_scenario["budget"], rtol=1e-9)


def test_scenario_outcome_is_base_plus_the_sum_of_channel_contributions(surface):
    curves, table = surface
    one = table[table["scenario_id"] == 1234]
    assert one["incremental_outcome_mean"].iloc[0] == pytest.approx(one["contribution_mean"].sum(), rel=1e-9)
    assert one["expected_outcome_mean"].iloc[0] == pytest.approx(
        curves.calibration * curves.base + one["contribution_mean"].sum(), rel=1e-9
    )
    assert (one["incremental_outcome_p10"] <= one["incremental_outcome_mean"]).all()
    assert (one["incremental_outcome_mean"] <= one["incremental_outcome_p90"]).all()


def test_range_flags_follow_the_observed_range(surface):
    curves, table = surface
    upper = dict(zip(curves.channels, curves.observed_max_c, strict=True))
    outside = table["weekly_spend"] > table["channel"].map(upper) + 0.01
    assert (table.loc[outside, "is_channel_within_observed_range"] == False).all()  # noqa: E712
    flags = table.groupby("scenario_id").agg(
        all_in=("is_channel_within_observed_range", "all"), scenario=("is_within_observed_range", "first")
    )
    assert (flags["all_in"] == flags["scenario"]).all()
    current = table[(table["mix_kind"] == "current") & (table["budget_ratio"].round(2) == 1.0)]
    assert current["is_within_observed_range"].all()


def test_calibration_makes_the_current_allocation_reproduce_the_observed_outcome():
    """From joined channel rows (as int_planning_channels_joined holds them) through the surface."""
    rng = np.random.default_rng(0)
    channels = pd.DataFrame(
        {
            "run_id": "r",
            "segment_id": "s",
            "model_id": "builtin",
            "source": "builtin",
            "channel": ["a", "b", "c"],
            "display_name": ["A", "B", "C"],
            "channel_group": ["brand", "performance", "performance"],
            "saturation_half_point": [10_000.0, 20_000.0, 5_000.0],
            "saturation_max": [30_000.0, 50_000.0, 9_000.0],
            "hill_slope": [1.5, 1.0, 0.8],
            "current_weekly_spend": [8_000.0, 25_000.0, 4_000.0],
            "current_spend_basis": "fit_summary",
            "observed_spend_min": [1_000.0, 5_000.0, 0.0],
            "observed_spend_max": [16_000.0, 40_000.0, 9_000.0],
            "adstock_half_life_weeks": [2.0, 0.5, 0.5],
            "adstock_max_lag": [8, 8, 8],
            "observed_outcome_weekly": 180_000.0,
            "base_outcome_weekly": 130_000.0,
        }
    )
    draws = pd.concat(
        [
            pd.DataFrame(
                {
                    "run_id": "r",
                    "segment_id": "s",
                    "channel": ch,
                    "draw": np.arange(30),
                    "saturation_half_point": k * np.exp(0.1 * rng.standard_normal(30)),
                    "saturation_max": m * np.exp(0.1 * rng.standard_normal(30)),
                    "hill_slope": np.full(30, s),
                }
            )
            for ch, k, m, s in zip(
                "abc", [10_000.0, 20_000.0, 5_000.0], [30_000.0, 50_000.0, 9_000.0], [1.5, 1.0, 0.8], strict=True
            )
        ]
    )
    planned, curve_draws = build_curve_inputs(channels, draws, planning_spec({}))
    assert (planned["interval_source"] == "posterior_draws").all() and (planned["n_draws"] == 30).all()
    curves = curve_sets(planned, curve_draws)["s"]
    factor = planned["calibration_factor"].iloc[0]
    assert factor == pytest.approx(180_000.0 / (130_000.0 + curves.expected_incremental(curves.current_c) / factor))
    table = response_surface(curves, planning_spec({"surface_min_scenarios": 500}))
    current = table[(table["mix_kind"] == "current") & (table["budget_ratio"].round(2) == 1.0)]
    assert current["expected_outcome_mean"].iloc[0] == pytest.approx(180_000.0, rel=1e-9)
    assert (table["calibration_factor"] == factor).all()
