"""Saturation audit: moves net to zero to the cent, positions against the floor, confidence, experiment."""

import numpy as np
import pytest

from curvehouse.planning.audit import confidence, floor_crossing, position, saturation_audit
from curvehouse.planning.config import planning_spec
from tests.unit.planning_fixtures import curve_set


@pytest.fixture(scope="module")
def audit():
    curves = curve_set(n_draws=80)
    return curves, saturation_audit(curves, planning_spec({}))


def test_moves_sum_to_zero_to_the_cent_and_stay_within_the_move_limit(audit):
    curves, table = audit
    cents = (table["recommended_move"] * 100).round().astype(int)
    assert cents.sum() == 0
    assert (table["recommended_move"].abs() <= 0.25 * table["current_weekly_spend"] + 0.01).all()
    assert (table["recommended_move"] != 0).any()
    np.testing.assert_allclose(
        table["recommended_weekly_spend"], table["current_weekly_spend"] + table["recommended_move"]
    )


def test_the_move_raises_the_expected_outcome(audit):
    curves, table = audit
    after = curves.current_c + table["recommended_move"].to_numpy()
    assert curves.expected_incremental(after) > curves.expected_incremental(curves.current_c)
    moved = table[table["recommended_move"].abs() > 0.01]
    gains = moved[moved["recommended_move"] > 0]["expected_roi_of_move_mean"]
    cuts = moved[moved["recommended_move"] < 0]["expected_roi_of_move_mean"]
    assert gains.min() >= cuts.max() - 1e-9  # money goes from lower to higher returns


def test_position_against_the_floor_with_its_probability():
    assert position(np.array([1.8, 2.0, 2.2, 0.9]), floor=1.0, tolerance=0.1) == ("pre", 0.75)
    assert position(np.array([1.05]), floor=1.0, tolerance=0.1) == ("at", 1.0)
    assert position(np.array([0.4, 0.5, 1.2]), floor=1.0, tolerance=0.1) == ("past", pytest.approx(1 / 3))
    # Spend below the curve's mathematical inflection is not "pre" when the next dollar returns less than the floor.
    assert position(np.array([0.5, 0.5]), floor=1.0, tolerance=0.1)[0] == "past"


def test_floor_crossing_interpolates_past_the_peak():
    grid = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    marginal = np.array([0.5, 2.0, 1.5, 0.5, 0.2])
    inflection, floor_spend = floor_crossing(grid, marginal, 1.0)
    assert inflection == 1.0 and floor_spend == pytest.approx(2.5)
    assert floor_crossing(grid, marginal, 0.1)[1] is None


def test_positions_match_marginal_roi_and_floors(audit):
    _, table = audit
    for row in table.itertuples():
        if row.position == "past":
            assert row.marginal_roi_mean < row.roi_floor
        if row.position == "at":
            assert abs(row.marginal_roi_mean / row.roi_floor - 1) <= 0.1
        if row.position == "pre":
            assert row.marginal_roi_mean > row.roi_floor
        assert 0 <= row.prob_marginal_roi_above_floor <= 1


def test_confidence_and_the_most_uncertain_channel(audit):
    _, table = audit
    assert table["is_most_uncertain"].sum() == 1
    top = table[table["is_most_uncertain"]].iloc[0]
    assert top["response_interval_width"] == table["response_interval_width"].max()
    assert ("spend pulse" in top["experiment"]) or ("geo holdout" in top["experiment"])
    assert table.loc[~table["is_most_uncertain"], "experiment"].isna().all()
    spec = planning_spec({})
    assert confidence(0.1, spec) == "high" and confidence(0.5, spec) == "medium" and confidence(0.9, spec) == "low"
    assert confidence(None, spec) == "low"


def test_mean_only_curves_are_low_confidence():
    table = saturation_audit(curve_set(n_draws=1), planning_spec({}))
    assert (table["confidence"] == "low").all() and table["response_interval_width"].isna().all()
    assert (table["interval_source"] == "mean_only").all()


def test_the_proposed_experiment_is_a_row_of_the_experiments_input():
    from datetime import date

    from curvehouse.planning.audit import PROPOSED_COLUMNS

    curves = curve_set(n_draws=80)
    table = saturation_audit(curves, planning_spec({}), experiment_start=date(2026, 12, 7))
    assert table.loc[~table["is_most_uncertain"], list(PROPOSED_COLUMNS)].isna().all().all()
    row = table[table["is_most_uncertain"]].iloc[0]
    c = curves.channels.index(row["channel"])
    assert row["proposed_experiment_id"] == f"demo_{row['channel']}_20261207"
    assert row["proposed_start_date"] == date(2026, 12, 7)
    weeks = (row["proposed_end_date"] - row["proposed_start_date"]).days + 1
    assert weeks % 7 == 0 and weeks >= 28 and row["proposed_end_date"].weekday() == 6
    assert f"for {weeks // 7} weeks" in row["experiment"]  # the sentence and the row describe one experiment
    assert row["proposed_baseline_weekly_spend"] == pytest.approx(curves.current_c[c], abs=0.01)
    assert row["proposed_method"] in row["experiment"]
    # The expected lift is the curves' change in the channel's weekly contribution from baseline to test.
    moved = curves.current_c.copy()
    moved[c] = row["proposed_test_weekly_spend"]
    gain = (curves.contributions(moved[None]) - curves.contributions(curves.current_c[None]))[0, :, c]
    assert row["expected_lift_weekly"] == pytest.approx(gain.mean(), rel=1e-4)
    assert row["expected_lift_p10"] < row["expected_lift_weekly"] < row["expected_lift_p90"]
    up = row["proposed_test_weekly_spend"] > row["proposed_baseline_weekly_spend"]
    assert up == (row["proposed_method"] == "spend pulse") and (row["expected_lift_weekly"] > 0) == up


def test_a_channel_at_the_top_of_its_range_gets_a_holdout_with_a_negative_expected_lift():
    curves = curve_set(n_draws=80)
    capped = curve_set(n_draws=80, upper_c=curves.current_c.copy())  # no room above current spend
    table = saturation_audit(capped, planning_spec({}))
    row = table[table["is_most_uncertain"]].iloc[0]
    assert row["proposed_method"].startswith("geo holdout") and "geo holdout" in row["experiment"]
    assert row["proposed_test_weekly_spend"] == pytest.approx(0.8 * row["proposed_baseline_weekly_spend"], abs=0.01)
    assert row["expected_lift_p90"] < 0
    assert row["proposed_start_date"] is None and row["proposed_experiment_id"] is None


def test_proposals_start_on_a_monday_with_lead_time():
    from datetime import date, timedelta

    from curvehouse.planning.audit import PROPOSAL_LEAD_DAYS, first_monday_after

    for day in (date(2026, 11, 29), date(2026, 11, 30), date(2026, 12, 3)):
        start = first_monday_after(day)
        assert start.weekday() == 0 and PROPOSAL_LEAD_DAYS <= (start - day).days < PROPOSAL_LEAD_DAYS + 7
        assert first_monday_after(day, 0) - timedelta(days=7) < day <= first_monday_after(day, 0)
