"""The optimizer and the efficient frontier: monotone in budget, never worse than the current mix or an
equal split, bounds and budget (to the cent) respected, alternatives within the tolerance, capped requests flagged."""

import numpy as np
import pytest

from curvehouse.planning.config import ChannelBound, planning_spec
from curvehouse.planning.frontier import efficient_frontier, reference_allocations
from curvehouse.planning.optimize import best_allocation, feasible_budget, project, to_cents
from tests.unit.planning_fixtures import curve_set


@pytest.fixture(scope="module")
def frontier():
    curves = curve_set(n_draws=60)
    return curves, efficient_frontier(curves, planning_spec({}))


def test_21_levels_each_with_a_best_allocation(frontier):
    _, table = frontier
    assert sorted(table["budget_level"].unique()) == list(range(1, 22))
    assert (table.groupby("budget_level")["rank"].min() == 1).all()
    assert table.groupby(["budget_level", "rank"]).size().eq(5).all()  # one row per channel


def test_best_outcome_is_non_decreasing_in_budget(frontier):
    _, table = frontier
    best = table[table["rank"] == 1].groupby("budget_level")["expected_outcome_mean"].first()
    assert (np.diff(best.to_numpy()) >= -1e-6).all()
    assert best.iloc[-1] > best.iloc[0]


def test_optimum_beats_the_current_mix_and_an_equal_split(frontier):
    curves, table = frontier
    best = table[table["rank"] == 1].groupby("budget_level").first()
    # A cent of rounding may cost a cent's worth of outcome; nothing more.
    assert (best["expected_outcome_mean"] >= best["current_mix_outcome_mean"] - 0.05).all()
    assert (best["expected_outcome_mean"] >= best["equal_split_outcome_mean"] - 0.05).all()
    at_current = best.loc[11]  # ratio 1.0
    current_value = curves.expected_incremental(curves.current_c) + curves.calibration * curves.base
    assert at_current["expected_outcome_mean"] > current_value  # the current mix is not optimal here


def test_bounds_hold_and_budget_holds_to_the_cent(frontier):
    curves, table = frontier
    lower = dict(zip(curves.channels, curves.lower_c, strict=True))
    upper = dict(zip(curves.channels, curves.upper_c, strict=True))
    assert (table["weekly_spend"] >= table["channel"].map(lower) - 1e-9).all()
    assert (table["weekly_spend"] <= table["channel"].map(upper) + 1e-9).all()
    cents = (table["weekly_spend"] * 100).round().astype(int)
    assert np.allclose(table["weekly_spend"] * 100, cents, atol=1e-6)
    sums = cents.groupby([table["budget_level"], table["rank"]]).sum()
    allocated = (table.groupby(["budget_level", "rank"])["total_weekly_budget"].first() * 100).round().astype(int)
    assert (sums == allocated).all()
    uncapped = table[~table["is_budget_capped"]]
    assert ((uncapped["requested_weekly_budget"] - uncapped["total_weekly_budget"]).abs() < 0.005).all()


def test_budgets_beyond_the_bounds_are_answered_at_the_bound_and_flagged(frontier):
    curves, table = frontier
    # Upper bounds at 120% of current spend: the 150% level cannot be spent without extrapolating.
    tight = curve_set(n_draws=10, upper_c=curves.current_c * 1.2, observed_max_c=curves.current_c * 1.2)
    capped = efficient_frontier(tight, planning_spec({"frontier_levels": 5, "frontier_top_k": 1}))
    top = capped[capped["budget_level"] == 5]
    assert top["is_budget_capped"].all()
    assert "not extrapolated" in top["budget_flag"].iloc[0]
    assert top[top["rank"] == 1]["weekly_spend"].sum() == pytest.approx(tight.upper_c.sum(), abs=0.01)
    assert not table[table["budget_level"] == 11]["is_budget_capped"].any()


def test_alternatives_are_distinct_and_within_the_tolerance(frontier):
    _, table = frontier
    alternatives = table[table["rank"] > 1]
    assert len(alternatives) > 0
    assert (alternatives["gap_to_best"] <= 0.01 + 1e-6).all()
    assert alternatives["alternative"].str.match(r"(least|most) ").all()
    level = table[table["budget_level"] == 11].pivot(index="rank", columns="channel", values="weekly_spend")
    gaps = np.abs(level.to_numpy()[1:] - level.to_numpy()[0]).sum(axis=1)
    assert (gaps > 0.005 * level.iloc[0].sum()).all()


def test_locked_channels_stay_locked():
    bounds = [ChannelBound(channel="tv", locked=25_000.0)]
    curves = curve_set(
        n_draws=10,
        lower_c=np.array([25_000.0, 6_000, 18_000, 8_000, 4_800]),
        upper_c=np.array([25_000.0, 24_000, 72_000, 32_000, 19_200]),
    )
    table = efficient_frontier(
        curves, planning_spec({"frontier_levels": 3, "channel_bounds": [b.__dict__ for b in bounds]})
    )
    assert (table.loc[table["channel"] == "tv", "weekly_spend"] == 25_000.0).all()


def test_projection_and_cents():
    lower, upper = np.array([0.0, 10.0, 0.0]), np.array([50.0, 20.0, 100.0])
    p = project(np.array([60.0, 0.0, 10.0]), 80.0, lower, upper)
    assert p.sum() == pytest.approx(80.0) and (p >= lower).all() and (p <= upper).all()
    cents = to_cents(np.array([10.004, 20.004, 30.004]), 60.01, np.zeros(3), np.full(3, 100.0))
    assert round(cents.sum() * 100) == 6001 and np.allclose(cents * 100, np.round(cents * 100))
    assert feasible_budget(500.0, lower, upper)[1] is not None and feasible_budget(50.0, lower, upper)[1] is None


def test_best_allocation_never_loses_to_its_starts():
    curves = curve_set(n_draws=20)
    budget = curves.current_total
    current, equal = reference_allocations(curves, budget)
    best = best_allocation(curves, budget, curves.lower_c, curves.upper_c, [current, equal])
    assert best.expected >= curves.expected_incremental(current) - 1e-9
    assert best.expected >= curves.expected_incremental(equal) - 1e-9
    assert best.spend_c.sum() == pytest.approx(budget)
    # KKT: channels strictly inside their bounds share one marginal return.
    inside = (best.spend_c > curves.lower_c + 1) & (best.spend_c < curves.upper_c - 1)
    grads = curves.expected_gradient(best.spend_c)[inside]
    assert grads.max() - grads.min() < 0.01 * grads.mean()
