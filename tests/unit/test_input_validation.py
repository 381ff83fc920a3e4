"""Raw input validation: a clean folder passes typed; every bad input is named by file, line, column, rule."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from curvehouse.inputs.tables import check_raw_tables
from curvehouse.inputs.validate import (
    InputError,
    check_raw_folder,
    read_raw_folder,
    resolve_as_of,
    validate_raw,
)

REGISTRY = """channel,display_name,channel_group,live_since,is_primary,roi_prior_mean,roi_prior_sd,adstock_max_lag
search,Paid Search,performance,2023-01-02,true,2.0,0.5,4
tv,Television,brand,2023-01-02,no,,,
"""
SPEND = """date,segment_id,channel,spend,impressions
2024-01-01,us,search,100.0,1000
2024-01-01,us,tv,500,
2024-01-08,us,search,1.2e2,1100
2024-01-08T00:00:00,us,tv,450,
"""
PLATFORM = """date,segment_id,channel,platform_spend
2024-01-01,us,search,101
2024-01-08,us,tv,450
"""
OUTCOMES = """date,segment_id,revenue
2024-01-01,us,2500
2024-01-08,us,2700
"""
CONTROLS = """date,segment_id,control,value,note
2024-01-01,us,promo,1,extra columns are ignored
2024-01-08,us,promo,-0.5,
"""
CLEAN = {
    "channel_registry": REGISTRY,
    "channel_spend": SPEND,
    "platform_spend": PLATFORM,
    "outcomes": OUTCOMES,
    "controls": CONTROLS,
}


@pytest.fixture
def raw_folder(tmp_path: Path) -> Callable[..., Path]:
    """Write the clean folder as CSVs, with tables replaced (text) or left out (None) by keyword."""

    def write(**tables: str | None) -> Path:
        for name, text in {**CLEAN, **tables}.items():
            if text is not None:
                (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        return tmp_path

    return write


def failure(folder: Path) -> tuple[str, InputError]:
    """Run the folder check that must fail; return the error text and the error."""
    with pytest.raises(InputError) as info:
        check_raw_folder(folder)
    return str(info.value), info.value


def test_clean_folder_passes_with_typed_frames(raw_folder):
    folder = raw_folder()
    summary = check_raw_folder(folder)
    assert list(summary["table_name"]) == [
        "channel_registry",
        "channel_spend",
        "platform_spend",
        "outcomes",
        "controls",
    ]
    assert set(summary["status"]) == {"passed"}
    assert summary.set_index("table_name").loc["channel_spend", ["format", "rows", "columns"]].tolist() == ["csv", 4, 5]

    typed = validate_raw(read_raw_folder(folder))
    spend = typed["channel_spend"]
    assert list(spend.index) == [2, 3, 4, 5]  # file line numbers
    assert spend["date"].dtype == "datetime64[ns]"
    assert spend["date"].iloc[3] == pd.Timestamp("2024-01-08")
    assert spend["spend"].tolist() == [100.0, 500.0, 120.0, 450.0]
    assert spend["impressions"].isna().tolist() == [False, True, False, True]
    registry = typed["channel_registry"]
    assert registry["is_primary"].dtype == bool and registry["is_primary"].tolist() == [True, False]
    assert registry["adstock_max_lag"].tolist()[0] == 4
    assert list(typed["controls"].columns) == ["date", "segment_id", "control", "value"]


def test_optional_tables_may_be_absent(raw_folder):
    summary = check_raw_folder(raw_folder(controls=None))
    assert "controls" not in set(summary["table_name"])


def test_missing_file(raw_folder, tmp_path):
    (tmp_path / "chanel_spend.csv").write_text(SPEND)
    text, _ = failure(raw_folder(channel_spend=None))
    assert (
        "channel_spend.csv: rule required_file — required file missing: no channel_spend.csv or "
        "channel_spend.parquet in the folder (files there that are not input tables: chanel_spend.csv)"
    ) in text
    assert text.startswith(f"Raw input check failed (1 problem) in {tmp_path}:")


def test_missing_column(raw_folder):
    text, _ = failure(raw_folder(channel_spend="date,segment_id,channel,spend\n2024-01-01,us,search,100\n"))
    assert (
        "channel_spend.csv line 1, column impressions: rule required_column — missing column impressions; "
        "columns found: date, segment_id, channel, spend"
    ) in text


def test_text_in_spend(raw_folder):
    text, _ = failure(raw_folder(channel_spend=SPEND + '2024-01-15,us,search,abc,\n2024-01-15,us,tv,"1,000",\n'))
    assert "channel_spend.csv line 6, column spend: rule number_type — value 'abc' is not a number" in text
    assert "channel_spend.csv line 7, column spend: rule number_type — value '1,000' is not a number" in text


def test_unparseable_dates(raw_folder):
    bad = OUTCOMES + "13/45/2024,us,1\n2024-02-30,us,1\nyesterday,us,1\n2024-01-22T09:30:00,us,1\n"
    text, error = failure(raw_folder(outcomes=bad))
    assert "outcomes.csv line 4, column date: rule date_format — value '13/45/2024' is not a valid date" in text
    assert "outcomes.csv line 5, column date: rule date_format — value '2024-02-30'" in text
    assert "outcomes.csv line 6, column date: rule date_format — value 'yesterday'" in text
    assert "outcomes.csv line 7, column date: rule date_format — value '2024-01-22T09:30:00'" in text
    assert len(error.violations) == 4


def test_negative_spend(raw_folder):
    text, _ = failure(raw_folder(channel_spend=SPEND + "2024-01-15,us,search,-50.0,\n"))
    assert "channel_spend.csv line 6, column spend: rule non_negative — value -50.0 is negative" in text


def test_empty_and_nan_values(raw_folder):
    text, error = failure(raw_folder(outcomes=OUTCOMES + "2024-01-15,us,\n2024-01-22,us,NaN\n,us,1\n"))
    assert "outcomes.csv line 4, column revenue: rule not_null — the cell is empty; a value is required" in text
    assert "outcomes.csv line 5, column revenue: rule not_null — value 'NaN' means missing; a value is required" in text
    assert "outcomes.csv line 6, column date: rule not_null — the cell is empty" in text
    assert len(error.violations) == 3


def test_duplicate_date_segment_channel(raw_folder):
    text, _ = failure(raw_folder(channel_spend=SPEND + "2024-01-01,us,search,90,\n"))
    assert (
        "channel_spend.csv line 6: rule unique_key — same date × segment_id × channel as line 2: "
        "date 2024-01-01, segment_id 'us', channel 'search'"
    ) in text


def test_channel_not_in_registry(raw_folder):
    text, _ = failure(raw_folder(channel_spend=SPEND + "2024-01-15,us,tiktok,10,\n2024-01-22,us,tiktok,10,\n"))
    assert (
        "channel_spend.csv line 6, column channel: rule registered_channel — channel 'tiktok' is not in "
        "channel_registry.csv (2 rows)"
    ) in text


def test_segment_with_outcomes_but_no_spend(raw_folder):
    text, _ = failure(raw_folder(outcomes=OUTCOMES + "2024-01-01,de,900\n"))
    assert (
        "channel_spend.csv, column segment_id: rule segment_coverage — segment 'de' has outcomes "
        "(outcomes.csv line 4) but no rows in channel_spend.csv"
    ) in text


def test_segment_with_spend_but_no_outcomes(raw_folder):
    text, _ = failure(raw_folder(channel_spend=SPEND + "2024-01-01,uk,tv,80,\n"))
    assert (
        "outcomes.csv, column segment_id: rule segment_coverage — segment 'uk' has spend rows "
        "(channel_spend.csv line 6) but no rows in outcomes.csv"
    ) in text


def test_channel_name_with_single_quote(raw_folder):
    registry = REGISTRY + "o'brien,OBrien,brand,2023-01-02,false,,,\n"
    spend = SPEND + "2024-01-01,us,o'brien,5,\n"
    text, error = failure(raw_folder(channel_registry=registry, channel_spend=spend))
    rule = 'rule safe_name — value "o\'brien" contains a single quote'
    assert f"channel_registry.csv line 4, column channel: {rule}" in text
    assert f"channel_spend.csv line 6, column channel: {rule}" in text
    assert {v.rule for v in error.violations} == {"safe_name"}


def test_segment_name_with_double_quote(raw_folder):
    text, _ = failure(raw_folder(outcomes=OUTCOMES + '2024-01-15,"us"";--",1\n'))
    assert "outcomes.csv line 4, column segment_id: rule safe_name — value 'us\";--' contains a double quote" in text


def test_both_csv_and_parquet(raw_folder, tmp_path):
    folder = raw_folder()
    pd.read_csv(folder / "outcomes.csv").to_parquet(folder / "outcomes.parquet")
    text, _ = failure(folder)
    assert "outcomes.csv: rule single_file — both outcomes.csv and outcomes.parquet exist" in text


def test_garbled_csv(raw_folder):
    text, _ = failure(raw_folder(platform_spend=PLATFORM + "2024-01-15,us,search,10,oops,more\n"))
    assert "platform_spend.csv line 4: rule readable — has 6 fields but the header has 4" in text


def test_binary_junk(raw_folder, tmp_path):
    folder = raw_folder()
    (folder / "outcomes.csv").write_bytes(b"date,segment_id,revenue\n2024-01-01,us,1\n\x89PNG\r\n\x1a\n\xff\xfe")
    text, _ = failure(folder)
    assert "outcomes.csv line 3: rule readable — not UTF-8 text" in text


def test_parquet_bad_value_reports_parquet_row(raw_folder):
    folder = raw_folder(channel_spend=None)
    spend = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-08"]),
            "segment_id": ["us"] * 4,
            "channel": ["search", "tv", "search", "tv"],
            "spend": [100.0, float("nan"), -3.0, 450.0],
            "impressions": [1000.0, None, None, None],
        }
    )
    spend.to_parquet(folder / "channel_spend.parquet")
    text, _ = failure(folder)
    assert "channel_spend.parquet row 2, column spend: rule not_null — the cell is empty" in text
    assert "channel_spend.parquet row 3, column spend: rule non_negative — value -3 is negative" in text


def test_clean_parquet_passes(raw_folder):
    folder = raw_folder(outcomes=None)
    dates = pd.to_datetime(["2024-01-01", "2024-01-08"])
    outcomes = pd.DataFrame({"date": dates, "segment_id": "us", "revenue": [2500, 2700]})
    outcomes.to_parquet(folder / "outcomes.parquet")
    summary = check_raw_folder(folder)
    assert summary.set_index("table_name").loc["outcomes", "format"] == "parquet"
    typed = validate_raw(read_raw_folder(folder))["outcomes"]
    assert list(typed.index) == [1, 2] and typed["revenue"].tolist() == [2500.0, 2700.0]


def test_all_problems_reported_at_once(raw_folder):
    registry = REGISTRY + "radio,Radio,awareness,2023-01-02,maybe,1.5,,2\n"
    spend = SPEND + "2024-01-15,us,search,$5,\n2024-01-15,us,podcast,10,\n"
    text, error = failure(raw_folder(channel_registry=registry, channel_spend=spend, platform_spend=None))
    assert text.startswith(f"Raw input check failed ({len(error.violations)} problems)")
    assert {v.rule for v in error.violations} == {
        "required_file",
        "channel_group",
        "boolean_type",
        "registry_prior",
        "number_type",
        "registered_channel",
    }
    assert (
        "channel_registry.csv line 4, column roi_prior_sd: rule registry_prior — "
        "roi_prior_mean is 1.5 but roi_prior_sd is empty; give both or neither"
    ) in text
    assert (
        "channel_registry.csv line 4, column channel_group: rule channel_group — "
        "value 'awareness' is not a channel group; use one of: brand, performance"
    ) in text
    assert "channel_spend.csv line 6, column spend: rule number_type — value '$5' is not a number" in text
    assert "channel_spend.csv line 7, column channel: rule registered_channel — channel 'podcast'" in text


def test_long_lists_are_capped(raw_folder):
    rows = "".join(f"2024-02-{d:02d},us,search,x{d},\n" for d in range(1, 29))
    text, error = failure(raw_folder(channel_spend=SPEND + rows))
    assert len(error.violations) == 21  # 20 listed + one line counting the rest
    assert "rule number_type — ... and 8 more break this rule (first 20 listed)" in text
    assert text.count("\n  - ") == 21


def test_error_message_truncates_after_25(raw_folder):
    rows = "".join(f"2024-02-{d:02d},us,search,x{d},{d}x\n" for d in range(1, 29))
    text, error = failure(raw_folder(channel_spend=SPEND + rows))
    assert len(error.violations) == 42
    assert text.endswith("  ... and 17 more")


def test_validate_raw_names_a_missing_table(raw_folder):
    frames = read_raw_folder(raw_folder())
    del frames["outcomes"]
    with pytest.raises(InputError, match="outcomes: rule required_file — required table outcomes was not provided"):
        validate_raw(frames)


def test_a_segment_called_na_is_a_name_not_a_null(raw_folder):
    folder = raw_folder(
        channel_spend=SPEND.replace(",us,", ",NA,"),
        platform_spend=PLATFORM.replace(",us,", ",NA,"),
        outcomes=OUTCOMES.replace(",us,", ",NA,"),
        controls=CONTROLS.replace(",us,", ",NA,"),
    )
    typed = validate_raw(read_raw_folder(folder))
    assert set(typed["outcomes"]["segment_id"]) == {"NA"}
    assert typed["channel_spend"]["impressions"].isna().sum() == 2


def test_spend_dated_after_the_as_of_date_is_named(raw_folder):
    spend = SPEND + "2062-11-18,us,search,10,\n"  # a typo'd year
    folder = raw_folder(channel_spend=spend)
    with pytest.raises(InputError) as info:
        check_raw_folder(folder, as_of="2026-11-22")
    text, error = str(info.value), info.value
    assert (
        "channel_spend.csv line 6, column date: rule not_after_as_of — value '2062-11-18' is dated after "
        "the as-of date 2026-11-22"
    ) in text
    assert [v.rule for v in error.violations] == ["not_after_as_of"]
    assert "outcome" not in text.replace(str(folder), "")  # not blamed on an outcome gap


def test_every_dated_table_is_checked_and_the_as_of_date_itself_passes(raw_folder):
    on_as_of = {
        "channel_spend": SPEND + "2026-11-22,us,search,10,\n",
        "platform_spend": PLATFORM + "2026-11-22T00:00:00,us,search,10\n",
        "outcomes": OUTCOMES + "2026-11-22,us,100\n",
        "controls": CONTROLS + "2026-11-22,us,promo,1,\n",
        "attribution": "month,segment_id,channel,attributed_revenue\n2026-11-01,us,search,5\n",
        "reallocation_proposals": "date,segment_id,channel_from,channel_to,weekly_amount,proposed_by\n"
        "2026-11-22,us,tv,search,50,\n",
    }
    assert len(check_raw_folder(raw_folder(**on_as_of), as_of="2026-11-22")) == 7

    after = {
        name: text.replace("2026-11-22", "2026-11-23").replace("2026-11-01", "2026-12-01")
        for name, text in on_as_of.items()
    }
    with pytest.raises(InputError) as info:
        check_raw_folder(raw_folder(**after), as_of=date(2026, 11, 22))
    where = {(v.file, v.row, v.column) for v in info.value.violations if v.rule == "not_after_as_of"}
    assert where == {
        ("channel_spend.csv", 6, "date"),
        ("platform_spend.csv", 4, "date"),
        ("outcomes.csv", 4, "date"),
        ("controls.csv", 4, "date"),
        ("attribution.csv", 2, "month"),
        ("reallocation_proposals.csv", 2, "date"),
    }
    assert len(info.value.violations) == 6
    assert (
        "attribution.csv line 2, column month: rule not_after_as_of — value '2026-12-01' is in month 2026-12, "
        "which starts after the as-of date 2026-11-22"
    ) in str(info.value)


def test_a_month_that_starts_by_the_as_of_date_passes(raw_folder):
    attribution = "month,segment_id,channel,attributed_revenue\n2026-11-30,us,search,5\n"
    assert len(check_raw_folder(raw_folder(attribution=attribution), as_of="2026-11-01")) == 6


def test_registry_live_since_may_be_after_the_as_of_date(raw_folder):
    registry = REGISTRY.replace("tv,Television,brand,2023-01-02", "tv,Television,brand,2063-01-02")
    assert len(check_raw_folder(raw_folder(channel_registry=registry), as_of="2026-11-22")) == 5


def test_future_rows_are_capped_like_other_rules(raw_folder):
    rows = "".join(f"2062-02-{d:02d},us,search,1,\n" for d in range(1, 29))
    with pytest.raises(InputError) as info:
        check_raw_folder(raw_folder(channel_spend=SPEND + rows), as_of="2026-11-22")
    assert len(info.value.violations) == 21
    assert "column date: rule not_after_as_of — ... and 8 more break this rule (first 20 listed)" in str(info.value)


def test_a_warehouse_row_dated_after_the_as_of_date_names_table_and_row():
    frames = {name: pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False) for name, text in CLEAN.items()}
    frames["outcomes"].loc[1, "date"] = "2062-01-08"
    readers = {name: (lambda frame=frame: frame) for name, frame in frames.items()}
    names = {name: f"RAW.{name.upper()}" for name in frames}
    assert len(check_raw_tables(readers, names, as_of="2062-01-08")) == 5
    with pytest.raises(InputError) as info:
        check_raw_tables(readers, names, as_of="2026-11-22")
    expected = (
        "RAW.OUTCOMES row 2, column date: rule not_after_as_of — value '2062-01-08' is dated after the as-of date "
        "2026-11-22 (var as_of_date)"
    )
    assert [str(v) for v in info.value.violations] == [expected]


def test_as_of_date_resolves_null_to_today_and_rejects_non_dates():
    today = datetime.now(UTC).date()
    for null in (None, "", "None", "null"):
        assert resolve_as_of(null) in (today, datetime.now(UTC).date())
    assert resolve_as_of("2026-11-22") == date(2026, 11, 22)
    assert resolve_as_of(date(2026, 11, 22)) == date(2026, 11, 22)
    for bad in ("22/11/2026", "2026-11-31", "20261122", "next week"):
        with pytest.raises(ValueError, match=r"var as_of_date .* is not an ISO date \(YYYY-MM-DD\)"):
            resolve_as_of(bad)
