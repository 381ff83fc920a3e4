"""Recast CSV reader: the custom JSON's fields as columns, the same rules, rejections naming line and column."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from curvehouse.byomm.custom_json import read_custom_json
from curvehouse.byomm.recast import read_recast
from curvehouse.byomm.records import ByommRejection

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "byomm" / "design_example.json"
HEADER = (
    "model_id,refreshed_at,date_range_start,date_range_end,total_revenue,channel_name,display_name,"
    "saturation_half_point,saturation_max,hill_slope,contribution_mean,contribution_lower,contribution_upper,spend"
)
ROWS = (
    "acme_mmm,2025-01-15T09:30:00Z,2024-01-01,2024-12-31,8500000,tv,TV,50000,200000,,1200000,980000,1450000,800000",
    "acme_mmm,2025-01-15T09:30:00Z,2024-01-01,2024-12-31,8500000,"
    'search,"Search, brand",12000,90000,1.4,600000,500000,700000,300000',
    "acme_mmm,2025-01-15T09:30:00Z,2024-01-01,2024-12-31,8500000,ooh,OOH,30000,60000,0.8,150000,90000,210000,250000",
)


def write(tmp_path: Path, header: str = HEADER, rows: tuple[str, ...] = ROWS, name: str = "recast.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join((header, *rows)) + "\n")
    return path


def without_column(name: str) -> tuple[str, tuple[str, ...]]:
    """HEADER and ROWS without one column."""
    position = HEADER.split(",").index(name)

    def drop(line: str) -> str:
        return ",".join(value for i, value in enumerate(line.split(",")) if i != position)

    return drop(HEADER), (drop(ROWS[0]),)


def test_a_recast_export_loads_one_channel_per_row(tmp_path):
    model = read_recast(write(tmp_path))
    assert (model.model_id, model.source, model.segment_id) == ("acme_mmm", "recast", None)
    assert model.refreshed_at == datetime(2025, 1, 15, 9, 30)
    assert (model.date_range_start, model.date_range_end, model.total_revenue) == (
        date(2024, 1, 1),
        date(2024, 12, 31),
        8_500_000,
    )
    assert [c.channel_name for c in model.channels] == ["tv", "search", "ooh"]
    assert [c.hill_slope for c in model.channels] == [1.0, 1.4, 0.8]
    assert model.channels[1].display_name == "Search, brand"
    assert (model.channels[2].saturation_half_point, model.channels[2].spend) == (30_000, 250_000)


def test_a_one_row_export_reads_exactly_like_the_same_custom_json(tmp_path):
    from_csv = read_recast(write(tmp_path, rows=ROWS[:1]))
    from_json = read_custom_json(EXAMPLE)
    assert from_csv.channels == from_json.channels
    assert (from_csv.refreshed_at, from_csv.date_range_start, from_csv.total_revenue) == (
        from_json.refreshed_at,
        from_json.date_range_start,
        from_json.total_revenue,
    )


def test_segment_column_is_optional_and_read_when_present(tmp_path):
    model = read_recast(write(tmp_path, header="segment_id," + HEADER, rows=tuple("emea," + r for r in ROWS)))
    assert model.segment_id == "emea"


@pytest.mark.parametrize(
    "header, rows, field, reason",
    [
        (HEADER, (*ROWS[:2], ROWS[2][:40]), "line 4", "has 3 fields but the header has 14 (truncated or ragged file)"),
        (*without_column("saturation_max"), "column saturation_max", "missing column(s): saturation_max"),
        (HEADER + ",currency", tuple(r + ",USD" for r in ROWS), "column currency", "unknown column"),
        (HEADER, (ROWS[0].replace(",800000", ",8e5x"),), "line 2, column spend", "is not a number"),
        (HEADER, (ROWS[0], ROWS[1].replace("acme_mmm", "other_mmm")), "line 3, column model_id", "differs"),
        (HEADER, (ROWS[0], ROWS[1].replace(",90000,", ",-90000,")), "line 3, column saturation_max", "negative"),
        (
            HEADER,
            (ROWS[0], ROWS[1].replace(",500000,", ",650000,")),
            "line 3, column contribution_lower",
            "out of order",
        ),
        (HEADER, (ROWS[0].replace(",TV,", ",,"),), "line 2, column display_name", "required field is missing"),
        (HEADER, tuple(r.replace("2024-12-31", "2023-12-31") for r in ROWS), "column date_range_start", "is after end"),
        (
            HEADER,
            tuple(r.replace("2025-01-15T09:30:00Z", "yesterday") for r in ROWS),
            "column refreshed_at",
            "ISO 8601",
        ),
        (HEADER, (ROWS[0], ROWS[0]), "line 3, column channel_name", "appears twice"),
    ],
)
def test_each_broken_rule_is_rejected_naming_line_and_column(tmp_path, header, rows, field, reason):
    path = write(tmp_path, header=header, rows=rows)
    with pytest.raises(ByommRejection) as caught:
        read_recast(path)
    assert caught.value.file == str(path)
    assert caught.value.field == field
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    "text, reason",
    [
        (HEADER + "\n", "no channel rows"),
        ("", "empty file"),
        (HEADER + '\nacme_mmm,2025-01-15,2024-01-01,2024-12-31,1,tv,"TV', "malformed CSV"),
    ],
)
def test_empty_header_only_or_unterminated_files_are_rejected(tmp_path, text, reason):
    path = tmp_path / "recast.csv"
    path.write_text(text)
    with pytest.raises(ByommRejection) as caught:
        read_recast(path)
    assert reason in caught.value.reason


def test_a_file_that_is_not_utf8_is_rejected(tmp_path):
    path = tmp_path / "recast.csv"
    path.write_bytes((HEADER + "\n" + ROWS[0].replace("TV", "T\u00e9V")).encode("latin-1"))
    with pytest.raises(ByommRejection, match="not UTF-8"):
        read_recast(path)
