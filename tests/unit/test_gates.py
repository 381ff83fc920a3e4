"""Gate runner: real Great Expectations runs over the versioned suites on small synthetic frames, and
the suite files as GX itself reads, edits and writes them."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import great_expectations as gx
import pandas as pd
import pytest

from curvehouse.gates.runner import (
    META_KEY,
    RESULT_COLUMNS,
    SuiteFormatError,
    gate_failures,
    load_suites,
    run_gates,
)

SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"
FIRST_WEEK = date(2025, 1, 6)
GAP_WEEK = date(2025, 3, 3)
CHANNELS = ("search", "tv")


def gate_frames(segments: dict[str, int]) -> dict[str, pd.DataFrame]:
    """Clean frames (no gap, no missing week) for segments mapped to their weeks of history."""
    gaps, history, outcomes, spend, drivers = [], [], [], [], []
    for segment, n_weeks in segments.items():
        weeks = [FIRST_WEEK + timedelta(weeks=i) for i in range(n_weeks)]
        for week in weeks:
            outcomes.append({"segment_id": segment, "week_start": pd.Timestamp(week), "outcome": 5e4})
            for kind, channel, value in (("treatment", "price", 1.0), ("impressions", "search", 2e5)):
                drivers.append(
                    {
                        "segment_id": segment,
                        "driver_kind": kind,
                        "channel": channel,
                        "week_start": pd.Timestamp(week),
                        "value": value,
                        "is_present": True,
                    }
                )
            for channel in CHANNELS:
                gaps.append(
                    {
                        "segment_id": segment,
                        "channel": channel,
                        "week_start": week,
                        "warehouse_spend": 10_000.0,
                        "platform_spend": 10_000.0,
                        "gap_ratio": 0.0,
                    }
                )
                spend.append(
                    {
                        "segment_id": segment,
                        "channel": channel,
                        "week_start": pd.Timestamp(week),
                        "has_spend_rows": True,
                    }
                )
        history.append(
            {
                "segment_id": segment,
                "n_weeks_history": n_weeks,
                "first_week": weeks[0],
                "last_week": weeks[-1],
            }
        )
    return {
        "platform_gaps": pd.DataFrame(gaps),
        "segment_history": pd.DataFrame(history),
        "outcome_weeks": pd.DataFrame(outcomes),
        "spend_weeks": pd.DataFrame(spend),
        "driver_weeks": pd.DataFrame(drivers),
    }


def plant_gap(frames: dict[str, pd.DataFrame], segment: str, channel: str, week: date, warehouse_spend: float) -> None:
    """Set one channel-week's warehouse spend; the gap ratio follows the SQL definition."""
    gaps = frames["platform_gaps"]
    row = (gaps["segment_id"] == segment) & (gaps["channel"] == channel) & (gaps["week_start"] == week)
    assert row.sum() == 1
    gaps.loc[row, "warehouse_spend"] = warehouse_spend
    gaps.loc[row, "gap_ratio"] = (
        abs(warehouse_spend - gaps.loc[row, "platform_spend"]) / gaps.loc[row, "platform_spend"]
    )


def result_row(results: pd.DataFrame, segment: str, gate: str) -> pd.Series:
    rows = results[(results["segment_id"] == segment) & (results["gate"] == gate)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_seven_percent_gap_fails_naming_segment_channel_week_and_both_numbers():
    frames = gate_frames({"emea": 13})
    plant_gap(frames, "emea", "tv", GAP_WEEK, 10_700.0)

    results = run_gates(frames, {"platform_gap_tolerance": 0.05}, SUITES_DIR)

    row = result_row(results, "emea", "platform_gap")
    message = (
        "platform_gap: segment 'emea', channel 'tv', week 2025-03-03: warehouse spend 10,700.00 "
        "vs platform spend 10,000.00 (gap 7.0% > 5.0%)"
    )
    assert not row["success"]
    assert (row["severity"], row["rule"]) == ("error", "platform_gap")
    assert row["expectation"] == "expect_column_values_to_be_between"
    assert row["message"] == message
    assert row["observed_value"] == "max gap 7.0% (tolerance 5.0%)"
    assert (row["element_count"], row["unexpected_count"]) == (26, 1)
    assert json.loads(row["offending_keys"]) == [
        {
            "segment_id": "emea",
            "channel": "tv",
            "week_start": "2025-03-03",
            "warehouse_spend": 10_700.0,
            "platform_spend": 10_000.0,
            "gap_ratio": pytest.approx(0.07),
        }
    ]
    assert gate_failures(results) == [message]


def test_gap_of_four_point_nine_percent_passes():
    frames = gate_frames({"emea": 13})
    plant_gap(frames, "emea", "tv", GAP_WEEK, 10_490.0)

    row = result_row(run_gates(frames, {}, SUITES_DIR), "emea", "platform_gap")

    assert row["success"]
    assert row["unexpected_count"] == 0
    assert json.loads(row["offending_keys"]) == []
    assert row["message"] == "platform_gap: segment 'emea' passed: max gap 4.9% (tolerance 5.0%)"


@pytest.mark.parametrize(("tolerance", "passes"), [(0.08, True), (0.05, False), (0.069, False)])
def test_tolerance_parameter_decides_the_gap_gate(tolerance: float, passes: bool):
    frames = gate_frames({"emea": 13})
    plant_gap(frames, "emea", "tv", GAP_WEEK, 10_700.0)

    results = run_gates(frames, {"platform_gap_tolerance": tolerance}, SUITES_DIR)

    assert bool(result_row(results, "emea", "platform_gap")["success"]) is passes
    assert (gate_failures(results) == []) is passes


def test_short_history_fails_and_thirteen_weeks_pass():
    results = run_gates(gate_frames({"emea": 13, "apac": 10}), {}, SUITES_DIR)

    short, enough = result_row(results, "apac", "history"), result_row(results, "emea", "history")
    assert not short["success"] and short["severity"] == "error"
    assert short["observed_value"] == "10 weeks of history (minimum 13)"
    assert short["message"] == (
        "history: segment 'apac', 10 weeks of spend + outcome history (2025-01-06 to 2025-03-10) < 13 required"
    )
    assert enough["success"] and enough["observed_value"] == "13 weeks of history (minimum 13)"
    assert gate_failures(results) == [short["message"]]


def test_min_history_parameter_flows_in():
    results = run_gates(gate_frames({"apac": 10}), {"min_history_weeks": 8}, SUITES_DIR)

    assert result_row(results, "apac", "history")["success"]


def test_missing_outcome_week_fails_naming_the_week():
    frames = gate_frames({"emea": 13})
    outcomes = frames["outcome_weeks"]
    outcomes.loc[outcomes["week_start"] == pd.Timestamp(GAP_WEEK), "outcome"] = None

    results = run_gates(frames, {}, SUITES_DIR)

    row = result_row(results, "emea", "outcome_gaps")
    assert not row["success"] and row["severity"] == "error"
    assert row["observed_value"] == "1 of 13 weeks without outcome"
    assert "2025-03-03" in row["message"] and "'emea'" in row["message"]
    assert json.loads(row["offending_keys"]) == [{"segment_id": "emea", "week_start": "2025-03-03", "outcome": None}]
    assert gate_failures(results) == [row["message"]]


def test_treatment_and_impression_gaps_fail_naming_driver_and_week():
    frames = gate_frames({"emea": 13})
    drivers = frames["driver_weeks"]
    gap = drivers["week_start"] == pd.Timestamp(GAP_WEEK)
    drivers.loc[gap, "is_present"] = False
    drivers.loc[gap & (drivers["driver_kind"] == "treatment"), "value"] = None

    results = run_gates(frames, {}, SUITES_DIR)

    row = result_row(results, "emea", "driver_gaps")
    assert not row["success"] and row["severity"] == "error" and row["rule"] == "driver_present"
    assert row["observed_value"] == "2 of 26 driver-weeks without a value"
    assert "treatment 'price', week 2025-03-03" in row["message"]
    assert "impressions 'search', week 2025-03-03" in row["message"]
    assert gate_failures(results) == [row["message"]]


def test_spend_gap_is_a_warning_not_a_gate_failure():
    frames = gate_frames({"emea": 13})
    spend = frames["spend_weeks"]
    spend.loc[
        (spend["channel"] == "tv") & (spend["week_start"] == pd.Timestamp(GAP_WEEK)),
        "has_spend_rows",
    ] = False

    results = run_gates(frames, {}, SUITES_DIR)

    row = result_row(results, "emea", "spend_gaps")
    assert not row["success"]
    assert row["severity"] == "warning"
    assert row["message"] == (
        "spend_gaps: segment 'emea', no spend rows for channel 'tv', week 2025-03-03 (a gap, not read as zero spend)"
    )
    assert gate_failures(results) == []


def test_one_row_per_segment_and_expectation_in_a_stable_order():
    frames = gate_frames({"emea": 13, "amer": 13, "apac": 13})
    spend = frames["spend_weeks"]
    frames["spend_weeks"] = spend[spend["segment_id"] != "apac"]  # apac: no spend_gaps row

    results = run_gates(frames, {}, SUITES_DIR)

    assert tuple(results.columns) == RESULT_COLUMNS
    n_expectations = {s.name: len(s.expectations) for s in load_suites(SUITES_DIR)}
    assert len(results) == 3 * sum(n_expectations.values()) - n_expectations["spend_gaps"]
    assert not results.duplicated(["segment_id", "gate", "rule"]).any()
    assert list(results["segment_id"]) == sorted(results["segment_id"])
    assert "spend_gaps" not in set(results.loc[results["segment_id"] == "apac", "gate"])
    assert results["success"].all()
    assert str(results["validated_at"].dt.tz) == "UTC"
    assert results["validated_at"].nunique() == 1
    again = run_gates(frames, {}, SUITES_DIR)
    pd.testing.assert_frame_equal(results.drop(columns="validated_at"), again.drop(columns="validated_at"))


def test_many_offenders_show_the_first_few_then_a_count_and_keys_are_capped():
    frames = gate_frames({"emea": 13})
    for week in (FIRST_WEEK + timedelta(weeks=i) for i in range(5)):
        plant_gap(frames, "emea", "tv", week, 12_000.0)
    frames["outcome_weeks"] = pd.DataFrame(
        {
            "segment_id": "emea",
            "week_start": pd.date_range("2020-01-06", periods=150, freq="W-MON"),
            "outcome": None,
        }
    )

    results = run_gates(frames, {}, SUITES_DIR)

    gap = result_row(results, "emea", "platform_gap")
    assert gap["unexpected_count"] == 5
    assert gap["message"].count("warehouse spend 12,000.00") == 3
    assert gap["message"].endswith("; and 2 more")
    outcome = result_row(results, "emea", "outcome_gaps")
    assert outcome["unexpected_count"] == 150
    assert len(json.loads(outcome["offending_keys"])) == 100
    assert "2020-01-06, 2020-01-13, 2020-01-20, and 147 more" in outcome["message"]


def test_data_docs_are_built_with_the_validation_results(tmp_path: Path):
    frames = gate_frames({"emea": 13, "north/east": 13})
    plant_gap(frames, "emea", "tv", GAP_WEEK, 10_700.0)
    docs = tmp_path / "gx_docs"

    run_gates(frames, {}, SUITES_DIR, data_docs_dir=docs)

    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "validations/platform_gap/emea/" in index
    assert "Failed" in index and "Success" in index
    for suite in load_suites(SUITES_DIR):
        assert (docs / "expectations" / f"{suite.name}.html").is_file()
        pages = sorted((docs / "validations" / suite.name).glob("*/*/*.html"))
        assert len(pages) == 2  # one per segment; 'north/east' gets a path-safe run name
    emea_gap_page = next((docs / "validations" / "platform_gap" / "emea").glob("*/*.html"))
    assert "10700" in emea_gap_page.read_text(encoding="utf-8")


def test_missing_frame_is_named():
    frames = gate_frames({"emea": 13})
    del frames["outcome_weeks"]

    with pytest.raises(ValueError, match="suite 'outcome_gaps'.*frame 'outcome_weeks'"):
        run_gates(frames, {}, SUITES_DIR)


def test_unknown_parameter_is_rejected():
    with pytest.raises(ValueError, match="platform_gap_tol"):
        run_gates(gate_frames({"emea": 13}), {"platform_gap_tol": 0.1}, SUITES_DIR)


def copy_suites(tmp_path: Path) -> Path:
    target = tmp_path / "expectations"
    shutil.copytree(SUITES_DIR, target)
    return target


def test_malformed_suite_json_is_named(tmp_path: Path):
    suites = copy_suites(tmp_path)
    broken = suites / "history.json"
    broken.write_text('{"name": "history", "expectations": [', encoding="utf-8")

    with pytest.raises(SuiteFormatError, match="history.json: cannot read suite JSON"):
        load_suites(suites)
    with pytest.raises(SuiteFormatError, match=str(broken)):
        run_gates(gate_frames({"emea": 13}), {}, suites)


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("meta", META_KEY, "frame"), None, "meta.curvehouse.frame must be a non-empty string"),
        (("meta", META_KEY, "format_version"), 1, "format_version must be 2"),
        (("meta", META_KEY, "frames"), "x", "meta.curvehouse has unknown key(s) ['frames']"),
        (("meta",), {"great_expectations_version": "1.24.1"}, "meta lacks key(s) ['curvehouse']"),
        (("name",), "platform_gaps", "must be the file name without .json ('platform_gap')"),
        (("notes",), "", "notes must be a non-empty string"),
        (
            ("suite_parameters", "platform_gap_tolerance"),
            "5%",
            "suite_parameters.platform_gap_tolerance must be a number",
        ),
        (("expectations", 0, "type"), "expect_nothing_at_all", "is not a GX expectation"),
        (("expectations", 0, "type"), "expect_table_row_count_to_equal", "not a column map"),
        (("expectations", 0, "severity"), "fatal", "expectations[0].severity must be one of ['critical', 'warning']"),
        (("expectations", 0, "kwargs", "max_value"), {"$PARAMETER": "nope"}, "parameter 'nope'"),
        (("expectations", 0, "kwargs", "colum"), "gap_ratio", "not a valid"),
        (("expectations", 0, "meta", META_KEY, "message", "offender"), "week {wek_start}", "unknown field"),
        (("expectations", 0, "meta", META_KEY, "mesage"), {}, "unknown key(s) ['mesage']"),
        (("expectations", 0, "mesage"), {}, "expectations[0] has unknown key(s) ['mesage']"),
        (("expectations", 0, "meta", META_KEY, "rule"), "", "expectations[0].meta.curvehouse.rule must be"),
    ],
)
def test_invalid_suite_is_rejected_with_the_file_the_field_and_the_rule(
    tmp_path: Path, path: tuple, value: object, problem: str
):
    suites = copy_suites(tmp_path)
    target = suites / "platform_gap.json"
    raw = json.loads(target.read_text(encoding="utf-8"))
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    target.write_text(json.dumps(raw), encoding="utf-8")

    with pytest.raises(SuiteFormatError, match="platform_gap.json") as error:
        load_suites(suites)
    assert problem in str(error.value)
    if path[0] == "expectations" and path[-1] != "rule":
        assert str(error.value).endswith("(rule 'platform_gap')")


# --- the files are GX's own ExpectationSuite JSON ------------------------------------------------


def gx_project(tmp_path: Path) -> tuple[gx.data_context.FileDataContext, Path]:
    """A GX file data context whose expectations folder holds copies of the suite files."""
    context = gx.get_context(mode="file", project_root_dir=tmp_path / "project")
    folder = tmp_path / "project" / "gx" / "expectations"
    for path in SUITES_DIR.glob("*.json"):
        shutil.copy(path, folder / path.name)
    return context, folder


def test_every_suite_file_is_what_gx_writes_for_that_suite(tmp_path: Path):
    files = sorted(SUITES_DIR.glob("*.json"))
    assert [path.stem for path in files] == [suite.name for suite in load_suites(SUITES_DIR)]
    context, folder = gx_project(tmp_path)
    for path in files:
        text = path.read_text(encoding="utf-8")
        suite = gx.ExpectationSuite(**json.loads(text))  # GX's own constructor reads the file
        assert suite.name == path.stem and len(suite.expectations) == len(json.loads(text)["expectations"])
        assert json.dumps(suite.to_json_dict(), indent=2, sort_keys=True) == text
        stored = context.suites.get(path.stem)  # and a file data context finds it by name
        stored.save()  # GX writes it back unchanged
        assert json.loads((folder / path.name).read_text(encoding="utf-8")) == json.loads(text)
        assert stored.meta[META_KEY]["frame"]  # our metadata rides in GX's meta


def test_a_gx_user_edits_thresholds_with_gx_and_the_gates_use_them(tmp_path: Path):
    frames = gate_frames({"emea": 13})
    plant_gap(frames, "emea", "tv", GAP_WEEK, 10_700.0)  # a 7% gap
    outcomes = frames["outcome_weeks"]
    outcomes.loc[outcomes["week_start"] == pd.Timestamp(GAP_WEEK), "outcome"] = None  # 1 of 13 weeks
    before = run_gates(frames, {}, SUITES_DIR)
    assert not result_row(before, "emea", "platform_gap")["success"]
    assert not result_row(before, "emea", "outcome_gaps")["success"]

    context, folder = gx_project(tmp_path)
    gap = context.suites.get("platform_gap")
    gap.suite_parameters["platform_gap_tolerance"] = 0.08  # the default of the suite parameter
    gap.save()
    outcome = context.suites.get("outcome_gaps")
    outcome.expectations[0].mostly = 0.9  # a GX kwarg: 90% of the weeks need an outcome
    outcome.save()
    # The same edit without a context: GX's object in, GX's JSON out.
    history_file = folder / "history.json"
    history = gx.ExpectationSuite(**json.loads(history_file.read_text(encoding="utf-8")))
    history.suite_parameters["min_history_weeks"] = 14
    history_file.write_text(json.dumps(history.to_json_dict(), indent=2, sort_keys=True), encoding="utf-8")

    after = run_gates(frames, {}, folder)

    row = result_row(after, "emea", "platform_gap")
    assert row["success"] and row["observed_value"] == "max gap 7.0% (tolerance 8.0%)"
    assert result_row(after, "emea", "outcome_gaps")["success"]
    short = result_row(after, "emea", "history")
    assert not short["success"] and short["observed_value"] == "13 weeks of history (minimum 14)"
    # The dbt var still overrides the edited default.
    strict = run_gates(frames, {"platform_gap_tolerance": 0.05}, folder)
    assert not result_row(strict, "emea", "platform_gap")["success"]
