"""Bad raw input through a real `dbt build`: a clear error naming file, line, rule; nothing lost."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from tests.e2e.conftest import copy_demo, dbt_build

pytestmark = pytest.mark.e2e


def negative_spend(folder):
    spend = pd.read_csv(folder / "channel_spend.csv")
    spend.loc[41, "spend"] = -250.0
    spend.to_csv(folder / "channel_spend.csv", index=False)
    return ["channel_spend.csv line 43, column spend: rule non_negative", "-250"]


def quoted_channel(folder):
    spend = pd.read_csv(folder / "channel_spend.csv")
    spend.loc[9, "channel"] = "tv'); drop table mmm_gate_results; --"
    spend.to_csv(folder / "channel_spend.csv", index=False)
    return ["channel_spend.csv line 11, column channel: rule safe_name", "single quote"]


def missing_outcomes(folder):
    (folder / "outcomes.csv").unlink()
    return ["outcomes", "rule required_file"]


@pytest.mark.parametrize("break_input", [negative_spend, quoted_channel, missing_outcomes])
def test_bad_input_stops_the_build_and_keeps_what_was_published(break_input, demo_build, tmp_path):
    db_path = tmp_path / "published.duckdb"
    shutil.copy(demo_build.db_path, db_path)
    before = demo_build.query("select * from mmm_gate_results order by segment_id, gate")

    folder = copy_demo(tmp_path / "raw")
    expected = break_input(folder)
    build = dbt_build(tmp_path, raw_data_path=folder, db_path=db_path)

    assert build.returncode != 0
    assert "Raw input check failed" in build.output
    for text in expected:
        assert text in build.output
    assert "no outcome inside the modelling window" not in build.output  # stopped before the data gates
    after = build.query("select * from mmm_gate_results order by segment_id, gate")
    pd.testing.assert_frame_equal(before, after)


def test_a_row_dated_after_the_as_of_date_is_named_not_blamed_on_an_outcome_gap(demo_build, tmp_path):
    """A typo'd year: one segment's last spend row dated 2062-11-18 instead of 2026-11-18, built as of
    2026-12-01. Unchecked, the row stretched that segment's modelling window to the week before the
    as-of date, and the build failed on the outcome gap gate for week 2026-11-23 instead."""
    db_path = tmp_path / "published.duckdb"
    shutil.copy(demo_build.db_path, db_path)
    before = demo_build.query("select * from mmm_gate_results order by segment_id, gate")

    folder = copy_demo(tmp_path / "raw")
    spend = pd.read_csv(folder / "channel_spend.csv", dtype={"date": str})
    row = spend.index[(spend["date"] == "2026-11-18") & (spend["segment_id"] == "apac")][0]
    spend.loc[row, "date"] = "2062-11-18"
    spend.to_csv(folder / "channel_spend.csv", index=False)
    build = dbt_build(tmp_path, raw_data_path=folder, db_path=db_path, as_of_date="2026-12-01")

    assert build.returncode != 0
    assert "Raw input check failed (1 problem)" in build.output
    assert (
        f"channel_spend.csv line {row + 2}, column date: rule not_after_as_of — value '2062-11-18' is dated "
        "after the as-of date 2026-12-01"
    ) in build.output
    assert "no outcome inside the modelling window" not in build.output
    after = build.query("select * from mmm_gate_results order by segment_id, gate")
    pd.testing.assert_frame_equal(before, after)
