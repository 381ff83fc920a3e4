"""Planning inputs: pseudo-draws from intervals, bounds that never widen, time to materialise, calibration,
BYOMM curves without draws (interval source named), the config, and month splitting of weekly values."""

import numpy as np
import pandas as pd
import pytest

from curvehouse.planning.agreement import weeks_to_months
from curvehouse.planning.config import ChannelBound, planning_spec
from curvehouse.planning.inputs import (
    build_curve_inputs,
    calibration_factor,
    materialise_weeks,
    pseudo_draws,
    spend_bounds,
)


def test_pseudo_draws_reproduce_the_interval():
    draws = pseudo_draws(100.0, 60.0, 170.0, 200_000, np.random.default_rng(0))
    p05, p50, p95 = np.percentile(draws, [5, 50, 95])
    assert p50 == pytest.approx(100.0, rel=0.01)
    assert np.log(p95 / p05) == pytest.approx(np.log(170.0 / 60.0), rel=0.02)
    assert pseudo_draws(100.0, None, 170.0, 10, np.random.default_rng(0)) is None


def test_materialise_weeks_by_hand():
    # half-life 1 week: theta 0.5; max lag 8: 90% of (1 - 0.5**8) reached at n = log(1 - 0.9 (1 - 0.5**8)) / log 0.5
    expected = np.log(1 - 0.9 * (1 - 0.5**8)) / np.log(0.5)
    assert materialise_weeks(np.array([1.0]), np.array([8]), 0.9)[0] == pytest.approx(expected)
    assert materialise_weeks(np.array([50.0]), np.array([8]), 0.9)[0] <= 8.0
    assert np.isnan(materialise_weeks(np.array([np.nan]), np.array([8]), 0.9)[0])


def test_user_bounds_narrow_but_never_widen_the_observed_range():
    spec = planning_spec(
        {
            "channel_bounds": [
                {"channel": "tv", "min": 5_000, "max": 90_000},
                {"channel": "ooh", "segment_id": "emea", "locked": 50_000},
            ]
        }
    )
    lower, upper, locked, note = spend_bounds("emea", "tv", 1_000.0, 60_000.0, spec)
    assert (lower, upper, locked) == (5_000.0, 60_000.0, False) and "not extrapolated" in note
    assert spend_bounds("emea", "ooh", 0.0, 40_000.0, spec)[:3] == (40_000.0, 40_000.0, True)
    assert spend_bounds("apac", "ooh", 0.0, 40_000.0, spec)[:3] == (0.0, 40_000.0, False)


def test_calibration_factor():
    assert calibration_factor(120.0, 80.0, 20.0)[0] == pytest.approx(1.2)
    factor, note = calibration_factor(120.0, None, 20.0)
    assert factor == 1.0 and note.startswith("uncalibrated")


def byomm_channels(**extra) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "run_id": "v1",
                "segment_id": "emea",
                "model_id": "acme",
                "source": "custom_json",
                "channel": "tv",
                "display_name": "TV",
                "channel_group": "brand",
                "saturation_half_point": 50_000.0,
                "saturation_max": 200_000.0,
                "hill_slope": 1.0,
                "current_weekly_spend": 15_000.0,
                "current_spend_basis": "curve_spend",
                "observed_spend_min": None,
                "observed_spend_max": None,
                "adstock_half_life_weeks": None,
                "adstock_max_lag": 8,
                "observed_outcome_weekly": 160_000.0,
                "base_outcome_weekly": None,
                **extra,
            }
        ]
    )


def test_byomm_without_any_interval_is_mean_only_and_uncalibrated():
    planned, draws = build_curve_inputs(
        byomm_channels(), pd.DataFrame(columns=["segment_id", "run_id", "channel"]), planning_spec({})
    )
    row = planned.iloc[0]
    assert (row["interval_source"], row["n_draws"], len(draws)) == ("mean_only", 1, 1)
    assert row["calibration_factor"] == 1.0 and row["calibration_note"].startswith("uncalibrated")
    assert row["spend_upper_bound"] == 15_000.0 and "no observed range" in row["bound_note"]
    assert row["weeks_to_materialise"] is None


def test_byomm_interval_columns_become_pseudo_draws():
    channels = byomm_channels(
        saturation_max_p05=150_000.0,
        saturation_max_p95=260_000.0,
        contribution_mean=1_200_000.0,
        contribution_lower=980_000.0,
        contribution_upper=1_450_000.0,
    )
    planned, draws = build_curve_inputs(
        channels, pd.DataFrame(columns=["segment_id", "run_id", "channel"]), planning_spec({"pseudo_draws": 400})
    )
    assert planned.iloc[0]["interval_source"] == "curve_interval" and len(draws) == 400
    assert (draws["saturation_half_point"] == 50_000.0).all()
    assert np.percentile(draws["saturation_max"], 50) == pytest.approx(200_000.0, rel=0.05)
    only_contribution = byomm_channels(
        contribution_mean=1_200_000.0, contribution_lower=980_000.0, contribution_upper=1_450_000.0
    )
    planned, _ = build_curve_inputs(
        only_contribution, pd.DataFrame(columns=["segment_id", "run_id", "channel"]), planning_spec({})
    )
    assert planned.iloc[0]["interval_source"] == "contribution_interval"


def test_planning_var_rejects_unknown_keys_and_bad_values():
    with pytest.raises(ValueError, match="unknown keys"):
        planning_spec({"surface_scenarios": 10})
    with pytest.raises(ValueError, match="budget_min_ratio"):
        planning_spec({"budget_min_ratio": 2.0})
    with pytest.raises(ValueError, match="min"):
        ChannelBound(channel="tv", min=10.0, max=5.0)
    assert len(planning_spec({}).budget_ratios()) == 21 and len(planning_spec({}).frontier_ratios()) == 21


def test_weeks_split_across_months_by_day_and_only_complete_months_kept():
    weeks = pd.date_range("2026-06-29", periods=6, freq="7D")  # Mon 29 Jun .. Mon 3 Aug
    weekly = pd.DataFrame({"segment_id": "s", "channel": "tv", "week_start": weeks, "value": 7.0})
    monthly = weeks_to_months(weekly, ["segment_id", "channel"])
    assert monthly["month"].tolist() == [pd.Timestamp("2026-07-01")]  # June and August are partial
    assert monthly["value"].iloc[0] == pytest.approx(31.0)  # 1 per day
