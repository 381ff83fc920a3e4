"""Custom JSON reader: the DESIGN.md example loads; every broken rule is a rejection naming the field."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from curvehouse.byomm.consistency import consistency_warnings
from curvehouse.byomm.custom_json import read_custom_json
from curvehouse.byomm.records import ByommRejection

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "byomm" / "design_example.json"
DOCUMENT = json.loads(EXAMPLE.read_text())


def write(tmp_path: Path, document: object, name: str = "model.json") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def three_channels() -> dict:
    document = copy.deepcopy(DOCUMENT)
    tv = document["channels"][0]
    document["channels"] = [
        tv,
        {**tv, "channel_name": "search", "display_name": "Search"},
        {**tv, "channel_name": "ooh", "display_name": "OOH"},
    ]
    return document


def test_the_design_example_loads_with_its_values():
    model = read_custom_json(EXAMPLE)
    assert (model.model_id, model.source, model.segment_id) == ("acme_mmm", "custom_json", None)
    assert model.refreshed_at == datetime(2025, 1, 15, 9, 30)
    assert (model.date_range_start, model.date_range_end) == (date(2024, 1, 1), date(2024, 12, 31))
    assert model.total_revenue == 8_500_000
    (tv,) = model.channels
    assert (tv.channel_name, tv.display_name) == ("tv", "TV")
    assert (tv.saturation_half_point, tv.saturation_max, tv.hill_slope) == (50_000, 200_000, 1.0)
    assert (tv.contribution_lower, tv.contribution_mean, tv.contribution_upper) == (980_000, 1_200_000, 1_450_000)
    assert tv.spend == 800_000
    assert model.warnings == ()


def test_optional_slope_and_segment_and_a_utc_offset(tmp_path):
    document = copy.deepcopy(DOCUMENT)
    document["segment_id"] = "emea"
    document["refreshed_at"] = "2025-01-15T10:30:00+01:00"
    document["channels"][0]["hill_slope"] = 1.8
    model = read_custom_json(write(tmp_path, document))
    assert model.segment_id == "emea"
    assert model.refreshed_at == datetime(2025, 1, 15, 9, 30)
    assert model.channels[0].hill_slope == 1.8


def test_the_design_example_disagrees_with_its_own_curve_and_says_by_how_much():
    # 366 days = 52.3 weeks; 800,000 / 52.3 = 15,301 a week; 200,000 * 15,301 / 65,301 * 52.3 = 2,450,209.
    (warning,) = consistency_warnings(read_custom_json(EXAMPLE), tolerance=0.25)
    assert "channel tv" in warning
    assert "1,200,000" in warning and "2,450,209" in warning
    assert "104% apart, tolerance 25%" in warning


def test_a_contribution_that_matches_the_curve_raises_no_warning(tmp_path):
    document = copy.deepcopy(DOCUMENT)
    document["channels"][0].update(
        contribution_lower=2_000_000, contribution_mean=2_300_000, contribution_upper=2_700_000
    )
    assert consistency_warnings(read_custom_json(write(tmp_path, document)), tolerance=0.25) == ()


def broken(path: str, value: object, document: dict | None = None) -> dict:
    """A copy of the example with the field at a dotted path (``channels.0.spend``) set to value (removed for ...)."""
    document = copy.deepcopy(document or DOCUMENT)
    *parents, key = path.split(".")
    target = document
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return document


@pytest.mark.parametrize(
    "document, field, reason",
    [
        (broken("model_id", ...), "model_id", "required field is missing"),
        (broken("channels.0.spend", ...), "channels[0].spend", "required field is missing"),
        (broken("channels.2.saturation_max", -5.0, three_channels()), "channels[2].saturation_max", "negative"),
        (broken("channels.0.saturation_max", "200000"), "channels[0].saturation_max", "is not a number"),
        (broken("channels.0.spend", True), "channels[0].spend", "is not a number"),
        (broken("channels.0.saturation_half_point", 0), "channels[0].saturation_half_point", "must be > 0"),
        (broken("channels.0.hill_slope", -1), "channels[0].hill_slope", "must be > 0"),
        (broken("total_revenue", -1), "total_revenue", "negative"),
        (broken("refreshed_at", "15/01/2025"), "refreshed_at", "ISO 8601"),
        (broken("refreshed_at", 20250115), "refreshed_at", "ISO 8601"),
        (broken("date_range.start", "2025-01-01"), "date_range.start", "is after end"),
        (broken("date_range.end", "2024-02-30"), "date_range.end", "ISO 8601 date"),
        (broken("date_range", "2024"), "date_range", "not an object"),
        (broken("channels.0.contribution_lower", 1_300_000), "channels[0].contribution_lower", "out of order"),
        (broken("channels.0.contribution_upper", 1_100_000), "channels[0].contribution_upper", "out of order"),
        (broken("channels.0.hill_slop", 1.0), "channels[0].hill_slop", "unknown field"),
        (broken("currency", "USD"), "currency", "unknown field"),
        (broken("channels", []), "channels", "non-empty list"),
        (
            broken("channels.0.channel_name", "tv'; drop table mmm_curves; --"),
            "channels[0].channel_name",
            "single quote",
        ),
        (broken("channels.1.channel_name", "tv", three_channels()), "channels[1].channel_name", "appears twice"),
        (broken("segment_id", ""), "segment_id", "non-empty string"),
    ],
)
def test_each_broken_rule_is_rejected_naming_file_field_and_reason(tmp_path, document, field, reason):
    path = write(tmp_path, document)
    with pytest.raises(ByommRejection) as caught:
        read_custom_json(path)
    assert caught.value.file == str(path)
    assert caught.value.field == field
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    "text, reason",
    [
        (EXAMPLE.read_text()[:200], "malformed JSON: "),
        ('{"model_id": "a", "model_id": "b"}', "appears twice"),
        (EXAMPLE.read_text().replace('"saturation_max": 200000', '"saturation_max": NaN'), "not a finite number"),
        ('{"name": "something else"}', "unknown format"),
        ("[1, 2, 3]", "unknown format"),
    ],
)
def test_malformed_or_foreign_json_is_rejected(tmp_path, text, reason):
    with pytest.raises(ByommRejection) as caught:
        read_custom_json(write(tmp_path, text))
    assert reason in caught.value.reason


def test_a_malformed_json_rejection_gives_line_and_column(tmp_path):
    with pytest.raises(ByommRejection) as caught:
        read_custom_json(write(tmp_path, '{\n  "model_id": "a",\n  "channels": [}\n'))
    assert "at line 3, column" in caught.value.reason
