"""Planted gate failures through a real `dbt build`: blocked, named, and policy-controlled. The builds
stop at the gates (the fit of the cleared segments is test_fit_build's)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.e2e.conftest import copy_demo, dbt_build

pytestmark = pytest.mark.e2e

GAP_SEGMENT, GAP_CHANNEL, GAP_WEEK = "emea", "tv", "2026-01-12"
SHORT_SEGMENT = "latam"
TO_THE_GATES = ("-s", "+int_segments_cleared_for_fit", "+mmm_gate_results", "+gate_policy")


def plant_problems(folder):
    """A 7% platform gap for one segment x channel x week, and a segment with 10 weeks of history."""
    platform = pd.read_csv(folder / "platform_spend.csv")
    spend = pd.read_csv(folder / "channel_spend.csv")
    week = pd.date_range(GAP_WEEK, periods=7).strftime("%Y-%m-%d")
    in_week = platform["segment_id"].eq(GAP_SEGMENT) & platform["channel"].eq(GAP_CHANNEL) & platform["date"].isin(week)
    spend_in_week = spend["segment_id"].eq(GAP_SEGMENT) & spend["channel"].eq(GAP_CHANNEL) & spend["date"].isin(week)
    warehouse = spend.loc[spend_in_week, "spend"].sum()
    assert warehouse > 0, "the planted week must have TV spend"
    platform = platform[~in_week]
    plant = pd.DataFrame(
        {
            "date": [GAP_WEEK],
            "segment_id": [GAP_SEGMENT],
            "channel": [GAP_CHANNEL],
            "platform_spend": [round(warehouse / 1.07, 2)],
        }
    )
    platform = pd.concat([platform, plant])

    outcomes = pd.read_csv(folder / "outcomes.csv")
    short_days = pd.date_range("2026-09-07", periods=70).strftime("%Y-%m-%d")  # 10 complete weeks
    short_spend = pd.DataFrame(
        {
            "date": short_days,
            "segment_id": SHORT_SEGMENT,
            "channel": "paid_search",
            "spend": 1000.0,
            "impressions": 5000.0,
        }
    )
    short_platform = short_spend.rename(columns={"spend": "platform_spend"}).drop(columns="impressions")
    short_outcomes = pd.DataFrame({"date": short_days, "segment_id": SHORT_SEGMENT, "revenue": 9000.0})
    pd.concat([spend, short_spend]).to_csv(folder / "channel_spend.csv", index=False)
    pd.concat([platform, short_platform]).to_csv(folder / "platform_spend.csv", index=False)
    pd.concat([outcomes, short_outcomes]).to_csv(folder / "outcomes.csv", index=False)
    return warehouse


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    root = tmp_path_factory.mktemp("planted")
    folder = copy_demo(root / "raw")
    warehouse = plant_problems(folder)
    return folder, warehouse, root


@pytest.fixture(scope="module")
def blocked_build(planted):
    folder, _, root = planted
    return dbt_build(root / "error_policy", raw_data_path=folder, flags=TO_THE_GATES)


def test_failed_gates_fail_the_build_and_name_segment_channel_week_and_both_numbers(blocked_build, planted):
    _, warehouse, _ = planted
    assert blocked_build.returncode != 0
    out = blocked_build.output
    assert f"platform_gap: segment '{GAP_SEGMENT}', channel '{GAP_CHANNEL}', week {GAP_WEEK}" in out
    assert f"warehouse spend {warehouse:,.2f}" in out
    assert f"platform spend {round(warehouse / 1.07, 2):,.2f}" in out
    assert "(gap 7.0% > 5.0%)" in out
    assert f"history: segment '{SHORT_SEGMENT}'" in out and "10 weeks" in out


def test_blocked_segments_are_not_passed_to_modelling(blocked_build):
    gates = blocked_build.query("select segment_id, gate, success, offending_keys from mmm_gate_results")
    failed = gates[~gates["success"]]
    assert set(zip(failed["segment_id"], failed["gate"], strict=True)) == {
        (GAP_SEGMENT, "platform_gap"),
        (SHORT_SEGMENT, "history"),
    }
    gap_keys = failed.loc[failed["gate"] == "platform_gap", "offending_keys"].item()
    assert GAP_CHANNEL in gap_keys and GAP_WEEK in gap_keys
    cleared = set(blocked_build.query("select segment_id from int_segments_cleared_for_fit")["segment_id"])
    assert cleared == {"north_america", "apac"}


def test_warn_policy_records_failures_and_lets_the_gap_through(planted):
    folder, _, root = planted
    build = dbt_build(root / "warn_policy", raw_data_path=folder, flags=TO_THE_GATES, gate_policy="warn")
    assert build.returncode == 0, build.output[-3000:]
    recorded = build.query("select segment_id, gate, action from gate_policy")
    assert set(zip(recorded["segment_id"], recorded["gate"], strict=True)) == {
        (GAP_SEGMENT, "platform_gap"),
        (SHORT_SEGMENT, "history"),
    }
    cleared = set(build.query("select segment_id from int_segments_cleared_for_fit")["segment_id"])
    assert cleared == {"north_america", "apac", GAP_SEGMENT}  # too little history is never fitted


def test_tolerance_var_moves_the_line(planted):
    folder, _, root = planted
    build = dbt_build(
        root / "wide_tolerance",
        raw_data_path=folder,
        flags=TO_THE_GATES,
        platform_gap_tolerance=0.08,
        gate_policy="warn",
    )
    gates = build.query("select segment_id, gate, success from mmm_gate_results where gate = 'platform_gap'")
    assert gates["success"].all()
