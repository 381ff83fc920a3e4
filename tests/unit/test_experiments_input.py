"""The optional experiments input: a clean file passes, and every broken rule names file, line,
column and rule, as for the other raw inputs."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from curvehouse.inputs.tables import check_raw_tables
from curvehouse.inputs.validate import InputError, check_raw_folder
from tests.unit.test_input_validation import CLEAN

HEADER = (
    "experiment_id,segment_id,channel,start_date,end_date,baseline_weekly_spend,test_weekly_spend,"
    "lift_weekly,lift_weekly_sd,method\n"
)
GOOD = HEADER + "geo_1,us,tv,2024-01-01,2024-01-14,500,0,-800,120,geo holdout\n"


@pytest.fixture
def raw_folder(tmp_path):
    """Write the clean folder of test_input_validation as CSVs, with tables replaced by keyword."""

    def write(**tables: str):
        for name, text in {**CLEAN, **tables}.items():
            (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        return tmp_path

    return write


def _violations(folder) -> list:
    with pytest.raises(InputError) as info:
        check_raw_folder(folder, as_of="2024-06-30")
    return info.value.violations


def test_a_clean_experiments_file_passes(raw_folder):
    summary = check_raw_folder(raw_folder(experiments=GOOD), as_of="2024-06-30")
    assert "experiments" in set(summary["table_name"])


def test_each_experiment_rule_names_file_line_column_and_rule(raw_folder):
    bad = (
        GOOD
        + "late_end,us,tv,2024-01-14,2024-01-01,500,0,-800,120,geo holdout\n"  # line 3
        + "zero_sd,us,tv,2024-01-01,2024-01-14,500,0,-800,0,conversion lift\n"  # line 4
        + "no_change,us,tv,2024-01-01,2024-01-14,500,500,-800,120,spend pulse\n"  # line 5
        + "negative,us,tv,2024-01-01,2024-01-14,-5,0,-800,120,\n"  # line 6
        + "geo_1,us,tv,2024-01-01,2024-01-14,500,0,-800,120,geo holdout\n"  # line 7: repeated id
        + "future,us,tv,2024-07-01,2024-07-14,500,0,-800,120,\n"  # line 8
    )
    found = {(v.file, v.row, v.column, v.rule) for v in _violations(raw_folder(experiments=bad))}
    assert found == {
        ("experiments.csv", 3, "end_date", "date_order"),
        ("experiments.csv", 4, "lift_weekly_sd", "positive_sd"),
        ("experiments.csv", 5, "test_weekly_spend", "spend_change"),
        ("experiments.csv", 6, "baseline_weekly_spend", "non_negative"),
        ("experiments.csv", 7, None, "unique_key"),
        ("experiments.csv", 8, "start_date", "not_after_as_of"),
    }


def test_an_unregistered_channel_and_a_segment_channel_without_spend_are_named(raw_folder):
    bad = (
        GOOD
        + "radio_1,us,radio,2024-01-01,2024-01-14,0,100,50,10,\n"
        + "de_tv,de,tv,2024-01-01,2024-01-14,0,100,50,10,\n"
    )
    violations = _violations(raw_folder(experiments=bad))
    found = {(v.file, v.row, v.column, v.rule) for v in violations}
    assert ("experiments.csv", 3, "channel", "registered_channel") in found
    assert ("experiments.csv", 4, "channel", "experiment_spend") in found
    text = "\n".join(map(str, violations))
    assert "experiments.csv line 4, column channel: rule experiment_spend — channel_spend.csv has no rows" in text


def test_zero_spend_is_named_too(raw_folder):
    spend = CLEAN["channel_spend"].replace("us,tv,500", "us,tv,0").replace("us,tv,450", "us,tv,0")
    violations = _violations(raw_folder(channel_spend=spend, experiments=GOOD))
    assert [(v.row, v.rule) for v in violations] == [(2, "experiment_spend")]
    assert "only zero spend" in violations[0].message


def test_a_warehouse_experiments_table_is_checked_like_a_file():
    frames = {name: pd.read_csv(io.StringIO(text)) for name, text in CLEAN.items()}
    frames["experiments"] = pd.read_csv(io.StringIO(GOOD.replace(",120,", ",-1,")))
    readers = {name: (lambda f=f: f) for name, f in frames.items()}
    names = {name: f"raw.{name}" for name in frames}
    with pytest.raises(InputError) as info:
        check_raw_tables(readers, names, as_of="2024-06-30")
    assert [(v.file, v.row, v.column, v.rule) for v in info.value.violations] == [
        ("raw.experiments", 1, "lift_weekly_sd", "positive_sd")
    ]
