"""Reallocation proposals: expected lift with an 80% interval, cut back at the bounds, and the optional raw
input's validation (a bad file stops the build naming file, line, column and rule)."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from curvehouse.inputs.validate import InputError, check_raw_folder
from curvehouse.planning.config import planning_spec
from curvehouse.planning.proposals import evaluate_proposals
from tests.unit.planning_fixtures import curve_set

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


def proposals(*rows) -> pd.DataFrame:
    columns = ["proposal_date", "segment_id", "channel_from", "channel_to", "weekly_amount", "proposed_by"]
    return pd.DataFrame(
        [dict(zip(columns, (pd.Timestamp("2026-11-18"), *row), strict=True)) for row in rows], columns=columns
    )


def test_lift_is_the_paired_difference_of_the_two_allocations():
    curves = curve_set(n_draws=50)
    out = evaluate_proposals(proposals(("demo", "search", "tv", 5_000.0, "a")), {"demo": curves}, planning_spec({}))
    row = out.iloc[0]
    moved = curves.current_c.copy()
    moved[curves.index("search")] -= 5_000.0
    moved[curves.index("tv")] += 5_000.0
    expected = curves.expected_incremental(moved) - curves.expected_incremental(curves.current_c)
    assert row["expected_lift_mean"] == pytest.approx(expected)
    assert row["expected_lift_p10"] <= row["expected_lift_mean"] <= row["expected_lift_p90"]
    assert row["applied_weekly_amount"] == 5_000.0 and pd.isna(row["flag"])
    assert not row["is_above_threshold"]


def test_moves_beyond_the_observed_range_are_cut_and_flagged():
    curves = curve_set(n_draws=5)
    out = evaluate_proposals(
        proposals(("demo", "display", "tv", 50_000.0, "a")),
        {"demo": curves},
        planning_spec({"proposal_alert_threshold": 10_000}),
    )
    row = out.iloc[0]
    assert row["applied_weekly_amount"] == pytest.approx(12_000.0 - 4_800.0)  # display down to its lower bound
    assert "not extrapolated" in row["flag"] and row["is_above_threshold"]


def test_unknown_segments_and_channels_are_flagged_not_evaluated():
    curves = curve_set(n_draws=5)
    out = evaluate_proposals(
        proposals(("nowhere", "tv", "ooh", 1.0, "a"), ("demo", "radio", "tv", 1.0, "a")),
        {"demo": curves},
        planning_spec({}),
    )
    assert out["expected_lift_mean"].isna().all()
    assert "no current curves" in out.iloc[0]["flag"] and "radio" in out.iloc[1]["flag"]


def test_a_bad_proposals_file_is_refused_with_file_line_column_and_rule(tmp_path):
    folder = tmp_path / "raw"
    shutil.copytree(DEMO, folder)
    (folder / "reallocation_proposals.csv").write_text(
        "date,segment_id,channel_from,channel_to,weekly_amount,proposed_by\n"
        "2026-11-18,emea,ooh,tv,-500,brand lead\n"
        "18/11/2026,emea,ooh,tv,500,brand lead\n"
        "2026-11-18,emea,o'oh,tv,500,brand lead\n"
    )
    with pytest.raises(InputError) as caught:
        check_raw_folder(folder)
    text = str(caught.value)
    assert "reallocation_proposals.csv" in text
    found = {(v.row, v.column, v.rule) for v in caught.value.violations}
    assert (2, "weekly_amount", "non_negative") in found
    assert (3, "date", "date_format") in found
    assert (4, "channel_from", "safe_name") in found


def test_the_demo_proposals_pass_validation():
    summary = check_raw_folder(DEMO)
    assert "reallocation_proposals" in set(summary["table_name"])
