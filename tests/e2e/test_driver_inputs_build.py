"""Organic channels, non-media treatments and exposure-driven media from raw files to the model input.

One `dbt build -s +int_model_input_weekly` on the driver fixture (curvehouse.demo.drivers), with
two planted gaps in segment 'south' (a week without a price value, a week of social spend without
impressions), then a build on a bad registry that must stop at the raw checks.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from curvehouse.demo.drivers import driver_model_input, generate_driver_fixture, write_driver_fixture
from tests.e2e.conftest import dbt_build

pytestmark = pytest.mark.e2e

SELECT = ("-s", "+int_model_input_weekly")
GAP_SEGMENT, CLEAN_SEGMENT = "south", "north"
PRICE_GAP_WEEK, IMPRESSION_GAP_WEEK = "2026-03-02", "2026-04-06"


def iso_week(dates: pd.Series) -> pd.Series:
    days = pd.to_datetime(dates)
    return days - pd.to_timedelta(days.dt.weekday, unit="D")


def plant_gaps(folder):
    """South: no price value in one week; one week of social spend whose impressions are missing."""
    activity = pd.read_csv(folder / "channel_activity.csv")
    gap = (
        activity["segment_id"].eq(GAP_SEGMENT)
        & activity["channel"].eq("price")
        & iso_week(activity["date"]).eq(pd.Timestamp(PRICE_GAP_WEEK))
    )
    assert gap.sum() == 2
    activity[~gap].to_csv(folder / "channel_activity.csv", index=False)
    spend = pd.read_csv(folder / "channel_spend.csv")
    row = spend["segment_id"].eq(GAP_SEGMENT) & spend["channel"].eq("social") & spend["date"].eq(IMPRESSION_GAP_WEEK)
    assert row.sum() == 1
    spend.loc[row, "spend"] = max(float(spend.loc[row, "spend"].iloc[0]), 500.0)
    spend.loc[row, "impressions"] = None
    spend.to_csv(folder / "channel_spend.csv", index=False)
    platform = pd.read_csv(folder / "platform_spend.csv")
    platform["platform_spend"] = spend["spend"].to_numpy()  # same row order as written
    platform.to_csv(folder / "platform_spend.csv", index=False)


@pytest.fixture(scope="module")
def driver_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("drivers")
    folder = root / "raw"
    write_driver_fixture(folder)
    plant_gaps(folder)
    build = dbt_build(root, raw_data_path=folder, flags=SELECT)
    assert build.returncode == 0, build.output[-5000:]
    return build, folder, root


def model_input(build, kind: str) -> pd.DataFrame:
    return build.query(
        f"select segment_id, week_start, variable_name, value from int_model_input_weekly "
        f"where variable_kind = '{kind}' order by 1, 2, 3"
    )


def test_organic_volume_arrives_summed_to_iso_weeks(driver_build):
    build, folder, _ = driver_build
    activity = pd.read_csv(folder / "channel_activity.csv")
    email = activity[activity["channel"].eq("email") & activity["segment_id"].eq(CLEAN_SEGMENT)]
    expected = email.groupby(iso_week(email["date"]))["value"].sum()
    rows = model_input(build, "organic")
    assert set(rows["variable_name"]) == {"email"}
    assert set(rows["segment_id"]) == {CLEAN_SEGMENT}  # south is held back by its gaps
    got = rows.set_index(pd.to_datetime(rows["week_start"]))["value"]
    assert len(got) == 104
    pd.testing.assert_series_equal(got, expected.reindex(got.index), check_names=False)
    assert (got > 0).all()


def test_treatment_arrives_as_the_mean_of_the_days_reported(driver_build):
    build, folder, _ = driver_build
    activity = pd.read_csv(folder / "channel_activity.csv")
    price = activity[activity["channel"].eq("price") & activity["segment_id"].eq(CLEAN_SEGMENT)]
    expected = price.groupby(iso_week(price["date"]))["value"].mean()
    rows = model_input(build, "treatment")
    assert set(rows["variable_name"]) == {"price"}
    got = rows.set_index(pd.to_datetime(rows["week_start"]))["value"]
    assert len(got) == 104
    pd.testing.assert_series_equal(got, expected.reindex(got.index), check_names=False)


def test_impressions_only_for_the_exposure_driven_channel(driver_build):
    build, folder, _ = driver_build
    spend = pd.read_csv(folder / "channel_spend.csv")
    social = spend[spend["channel"].eq("social") & spend["segment_id"].eq(CLEAN_SEGMENT)]
    rows = model_input(build, "impressions")
    assert set(rows["variable_name"]) == {"social"}
    got = rows.set_index(pd.to_datetime(rows["week_start"]))["value"]
    expected = social.set_index(pd.to_datetime(social["date"]))["impressions"]
    pd.testing.assert_series_equal(got, expected.reindex(got.index), check_names=False)
    spend_rows = model_input(build, "spend")
    assert set(spend_rows["variable_name"]) == {"search", "tv", "social"}  # no spend rows for email or price


def test_organic_channels_take_part_in_eligibility(driver_build):
    build, _, _ = driver_build
    kinds = build.query("select distinct channel, channel_kind from int_channel_eligibility order by 1")
    assert dict(zip(kinds["channel"], kinds["channel_kind"], strict=True)) == {
        "email": "organic",
        "search": "paid",
        "social": "paid",
        "tv": "paid",
    }


def test_gaps_in_a_treatment_or_in_impressions_hold_the_segment_back_named(driver_build):
    build, _, _ = driver_build
    gates = build.query("select * from gate_segments where gate = 'driver_gaps' order by segment_id")
    by_segment = gates.set_index("segment_id")
    assert bool(by_segment.loc[CLEAN_SEGMENT, "success"])
    failed = by_segment.loc[GAP_SEGMENT]
    assert not failed["success"] and failed["severity"] == "error"
    assert f"treatment 'price', week {PRICE_GAP_WEEK}" in failed["message"]
    assert f"impressions 'social', week {IMPRESSION_GAP_WEEK}" in failed["message"]
    cleared = build.query("select segment_id from int_segments_cleared_for_fit")
    assert list(cleared["segment_id"]) == [CLEAN_SEGMENT]


def test_a_bad_registry_stops_the_build_with_named_rules_and_keeps_earlier_rows(driver_build, tmp_path):
    build, folder, _ = driver_build
    db_path = tmp_path / "published.duckdb"
    shutil.copy(build.db_path, db_path)
    before = build.query("select * from int_model_input_weekly order by all")

    bad = tmp_path / "raw"
    shutil.copytree(folder, bad)
    registry = pd.read_csv(bad / "channel_registry.csv")
    registry.loc[registry["channel"].eq("tv"), "channel_kind"] = "influencer"
    registry.to_csv(bad / "channel_registry.csv", index=False)
    spend = pd.read_csv(bad / "channel_spend.csv")
    extra = spend.iloc[[0]].assign(channel="email")  # search in the first row: no impressions
    pd.concat([spend, extra]).to_csv(bad / "channel_spend.csv", index=False)
    activity = pd.read_csv(bad / "channel_activity.csv")
    activity[activity["channel"].ne("price")].to_csv(bad / "channel_activity.csv", index=False)

    failed = dbt_build(tmp_path, raw_data_path=bad, db_path=db_path, flags=SELECT)

    assert failed.returncode != 0
    assert "Raw input check failed" in failed.output
    assert "channel_registry.csv line 3, column channel_kind: rule channel_kind" in failed.output
    assert f"channel_spend.csv line {len(spend) + 2}, column channel: rule spend_for_unpaid_channel" in failed.output
    assert "channel_registry.csv line 6, column channel: rule activity_values" in failed.output
    after = failed.query("select * from int_model_input_weekly order by all")
    pd.testing.assert_frame_equal(before, after)


def test_the_pandas_driver_spine_is_the_dbt_spine_row_for_row(driver_build):
    """curvehouse.demo.drivers.driver_model_input, on which benches and unit tests fit, is the dbt
    spine of the clean segment, holidays (a dbt seed) aside."""
    build, _, _ = driver_build
    key = ["segment_id", "week_start", "variable_kind", "variable_name"]
    dbt_spine = build.query("select * from int_model_input_weekly where variable_name <> 'holidays'")
    copy, registry = driver_model_input(generate_driver_fixture())
    copy = copy[copy["segment_id"].eq(CLEAN_SEGMENT)]
    ours = dbt_spine.sort_values(key).reset_index(drop=True)
    theirs = copy.sort_values(key).reset_index(drop=True)
    assert len(ours) == len(theirs) > 0
    assert set(theirs["variable_kind"]) == {"outcome", "spend", "control", "organic", "treatment", "impressions"}
    pd.testing.assert_frame_equal(ours[key], theirs[key], check_dtype=False)
    np.testing.assert_allclose(ours["value"], theirs["value"], rtol=1e-9, atol=1e-9)
    assert registry["exposure_driven"].dtype == bool
