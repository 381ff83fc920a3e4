"""Scenario planner: totals equal the current total, A / B shift the right groups, deltas are paired,
and the half-point sensitivity reports the assumption that flips the recommendation."""

import numpy as np
import pytest

from curvehouse.planning.config import planning_spec
from curvehouse.planning.scenarios import plan_scenarios, recommend, scenario_allocations, shift_spend
from tests.unit.planning_fixtures import curve_set

SPEC = planning_spec({})


@pytest.fixture(scope="module")
def planned():
    curves = curve_set(n_draws=80)
    scenarios, sensitivity = plan_scenarios(curves, SPEC)
    return curves, scenarios, sensitivity


def test_every_scenario_spends_the_current_total(planned):
    curves, scenarios, _ = planned
    totals = scenarios.groupby("scenario")["weekly_spend"].sum()
    assert sorted(totals.index) == ["A", "B", "C", "current"]
    np.testing.assert_allclose(totals.to_numpy(), curves.current_total, rtol=1e-12)


def test_a_raises_brand_by_a_quarter_from_the_most_saturated_performance_channels(planned):
    curves, scenarios, _ = planned
    a = scenarios[scenarios["scenario"] == "A"].set_index("channel")
    brand = a[a["channel_group"] == "brand"]
    np.testing.assert_allclose(brand["weekly_spend"], brand["current_weekly_spend"] * 1.25)
    cut = a.loc[a["spend_change"] < 0].index.tolist()
    assert set(cut) <= {"search", "social", "display"}
    # search is the most saturated performance channel: it gives first, down to its lower bound if need be.
    assert a.loc["search", "spend_change"] < 0


def test_b_raises_performance_from_brand_lowest_roi_first(planned):
    _, scenarios, _ = planned
    b = scenarios[scenarios["scenario"] == "B"].set_index("channel")
    assert (b.loc[b["channel_group"] == "performance", "spend_change"] > 0).all()
    assert (b.loc[b["channel_group"] == "brand", "spend_change"] <= 0).all()
    assert b["spend_change"].sum() == pytest.approx(0.0, abs=1e-6)


def test_c_holds_the_mix_and_deltas_are_against_current(planned):
    curves, scenarios, _ = planned
    c = scenarios[scenarios["scenario"] == "C"]
    assert (c["spend_change"] == 0).all()
    assert c["delta_vs_current_mean"].iloc[0] == pytest.approx(0.0)
    a = scenarios[scenarios["scenario"] == "A"].iloc[0]
    now = scenarios[scenarios["scenario"] == "current"].iloc[0]
    assert a["delta_vs_current_mean"] == pytest.approx(a["incremental_outcome_mean"] - now["incremental_outcome_mean"])
    assert a["delta_vs_current_p10"] <= a["delta_vs_current_mean"] <= a["delta_vs_current_p90"]
    assert a["incremental_outcome_p10"] <= a["incremental_outcome_mean"] <= a["incremental_outcome_p90"]


def test_time_to_materialise_risk_and_reversibility(planned):
    _, scenarios, _ = planned
    a = scenarios[scenarios["scenario"] == "A"]
    assert a["weeks_to_materialise"].iloc[0] == 8.0  # tv (8 weeks) gains spend
    assert a["reversibility"].iloc[0] == "medium"
    assert a["risk_channel"].iloc[0] in a.loc[a["spend_change"] != 0, "channel"].tolist()
    assert "80% interval" in a["risk"].iloc[0]
    assert 0.0 <= a["prob_worse_than_current"].iloc[0] <= 1.0
    assert scenarios.groupby("scenario")["is_recommended"].first().sum() == 1


def test_bounds_cut_a_shift_short_and_say_so():
    spend, moved, note = shift_spend(
        np.array([100.0, 100.0]),
        np.array([90.0, 0.0]),
        np.array([110.0, 200.0]),
        recipients=[1],
        donors=[0],
        share=0.25,
    )
    assert moved == pytest.approx(10.0) and spend.tolist() == [90.0, 110.0]
    assert "donors can give only 10.00" in note


def test_recommend_prefers_holding_on_a_tie():
    assert recommend({"current": 1.0, "A": 1.0, "B": 1.0, "C": 1.0}) == "C"
    assert recommend({"current": 1.0, "A": 2.0, "B": 1.5, "C": 1.0}) == "A"


def test_sensitivity_names_the_half_point_that_flips_a_close_call():
    """Plant a near tie between A and B, then check that some +-20% half-point shift flips it and is named."""
    curves = curve_set(n_draws=1)
    # Scale tv's ceiling until A and B are (almost) tied, A slightly ahead.
    lo, hi = 0.01, 10.0
    for _ in range(80):
        mid = (lo + hi) / 2
        trial = curve_set(n_draws=1, smax_dc=curves.smax_dc * np.array([mid, 1, 1, 1, 1]))
        p = scenario_allocations(trial, SPEC.scenario_shift)
        gap = trial.expected_incremental(p["A"][0]) - trial.expected_incremental(p["B"][0])
        lo, hi = (lo, mid) if gap > 0 else (mid, hi)
    tied = curve_set(n_draws=1, smax_dc=curves.smax_dc * np.array([hi * 1.0001, 1, 1, 1, 1]))
    scenarios, sensitivity = plan_scenarios(tied, SPEC)
    assert scenarios.loc[scenarios["is_recommended"], "scenario"].iloc[0] == "A"
    flips = sensitivity[sensitivity["flips"]]
    assert len(flips) > 0
    assert (flips["recommended_scenario"] != "A").all()
    text = scenarios["flipping_assumption"].iloc[0]
    for row in flips.itertuples():
        assert f"{row.channel} half-saturation {row.half_point_shift:+.0%}" in text
    assert len(sensitivity) == 2 * tied.n_channels
