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
    after = build.query("select * from mmm_gate_results order by segment_id, gate")
    pd.testing.assert_frame_equal(before, after)
