"""Landing folder scan: formats detected from contents, bad entries rejected without stopping the rest."""

from __future__ import annotations

import json
import random
import shutil
import tracemalloc
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from curvehouse.byomm import landing
from curvehouse.byomm.landing import CURVE_COLUMNS, REJECTION_COLUMNS, content_hash, load_landing_folder
from curvehouse.byomm.policy import ByommRejectionsFound, enforce_rejection_policy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXAMPLE = FIXTURES / "byomm" / "design_example.json"
ROBYN = FIXTURES / "robyn" / "v3.12.1_init"
MERIDIAN = FIXTURES / "meridian" / "national_media_export"
RECAST = (
    "model_id,refreshed_at,date_range_start,date_range_end,total_revenue,channel_name,display_name,"
    "saturation_half_point,saturation_max,contribution_mean,contribution_lower,contribution_upper,spend\n"
    "recast_q1,2025-03-01,2024-03-01,2025-02-28,9000000,search,Search,12000,90000,2700000,2400000,3000000,900000\n"
)
NOW = datetime(2025, 3, 10, 12, 0)


def land(folder: Path, *, robyn: bool = True, meridian: bool = True) -> Path:
    """A landing folder with one model in each format, a README and a hidden file."""
    folder.mkdir(exist_ok=True)
    shutil.copy(EXAMPLE, folder / "acme.json")
    (folder / "exports.csv").write_text(RECAST)
    (folder / "README.md").write_text("# drop models here\n")
    (folder / ".gitkeep").write_text("")
    if robyn:
        shutil.copytree(ROBYN, folder / "robyn_run")
    if meridian:
        shutil.copytree(MERIDIAN, folder / "meridian_export")
    return folder


def rejected(rejections: pd.DataFrame, name: str) -> pd.Series:
    rows = rejections[rejections["entry"].str.endswith(name)]
    assert len(rows) == 1, rejections
    return rows.iloc[0]


def test_every_format_is_detected_from_contents_and_loaded(tmp_path):
    curves, rejections = load_landing_folder(land(tmp_path / "landing"), default_segment="total", now=NOW)
    assert rejections.empty, rejections.to_dict("records")
    models = curves.groupby("source")["model_id"].unique().map(list).to_dict()
    assert models == {
        "custom_json": ["acme_mmm"],
        "recast": ["recast_q1"],
        "robyn": ["robyn_5_277_2"],
        "meridian": ["meridian_export"],
    }
    assert set(curves["segment_id"]) == {"total"}
    assert (curves["loaded_at"] == NOW).all()
    assert list(curves.columns) == list(CURVE_COLUMNS)
    assert curves.groupby("load_id")["source_path"].nunique().eq(1).all()


def test_names_do_not_decide_the_format(tmp_path):
    folder = tmp_path / "landing"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "model.csv")
    (folder / "model.json").write_text(RECAST)
    shutil.copytree(MERIDIAN, folder / "robyn")
    curves, rejections = load_landing_folder(folder, now=NOW)
    assert rejections.empty
    assert dict(zip(curves["source_path"].map(lambda p: Path(p).name), curves["source"], strict=True)) == {
        "model.csv": "custom_json",
        "model.json": "recast",
        "robyn": "meridian",
    }


def test_the_design_example_loads_with_a_consistency_warning(tmp_path):
    land(tmp_path / "landing", robyn=False, meridian=False)
    curves, _ = load_landing_folder(tmp_path / "landing", consistency_tolerance=0.25, now=NOW)
    tv = curves[curves["model_id"] == "acme_mmm"].iloc[0]
    assert "1,200,000" in tv["load_warnings"] and "2,450,209" in tv["load_warnings"]
    assert pd.isna(curves[curves["model_id"] == "recast_q1"].iloc[0]["load_warnings"])
    curves, _ = load_landing_folder(tmp_path / "landing", consistency_tolerance=2.0, now=NOW)
    assert curves["load_warnings"].isna().all()


def test_a_model_names_its_own_segment_else_the_default_applies(tmp_path):
    folder = land(tmp_path / "landing", robyn=False, meridian=False)
    document = json.loads(EXAMPLE.read_text())
    (folder / "acme.json").write_text(json.dumps({**document, "segment_id": "emea"}))
    curves, _ = load_landing_folder(folder, default_segment="na", now=NOW)
    assert dict(zip(curves["model_id"], curves["segment_id"], strict=True)) == {"acme_mmm": "emea", "recast_q1": "na"}


def test_bad_entries_are_rejected_and_the_others_still_load(tmp_path):
    folder = land(tmp_path / "landing", meridian=False)
    (folder / "broken.json").write_text(EXAMPLE.read_text()[:150])
    (folder / "truncated.csv").write_text(RECAST[: RECAST.rindex(",9")])
    (folder / "wrong_columns.csv").write_text(RECAST.replace("saturation_max", "sat_max"))
    (folder / "notes.txt").write_text("quarterly MMM notes\nnothing to load here\n")
    (folder / "empty_folder").mkdir()
    robyn_without_model = Path(shutil.copytree(ROBYN, folder / "robyn_no_model"))
    for exported in robyn_without_model.glob("RobynModel-*.json"):
        exported.unlink()

    curves, rejections = load_landing_folder(folder, now=NOW)

    assert set(curves["model_id"]) == {"acme_mmm", "recast_q1", "robyn_5_277_2"}
    assert len(rejections) == 6
    assert list(rejections.columns) == list(REJECTION_COLUMNS)
    assert (rejections["rejected_at"] == NOW).all()
    assert "malformed JSON" in rejected(rejections, "broken.json")["reason"]
    truncated = rejected(rejections, "truncated.csv")
    assert (truncated["format"], truncated["field"]) == ("recast", "line 2")
    assert "truncated" in truncated["reason"]
    wrong = rejected(rejections, "wrong_columns.csv")
    assert (wrong["field"], wrong["reason"]) == ("column saturation_max", "missing column(s): saturation_max")
    assert rejected(rejections, "notes.txt")["reason"].startswith("unknown format")
    assert rejected(rejections, "empty_folder")["reason"].startswith("unknown format")
    no_model = rejected(rejections, "robyn_no_model")
    assert no_model["format"] == "robyn" and "RobynModel" in no_model["reason"]


@pytest.mark.parametrize(
    "head, reason",
    [
        (b"\x00\xff" + random.Random(7).randbytes(4096), "unknown format"),
        (b'{"model_id": "huge", "channels": [' + b" " * 4096, "file too large for a custom_json model: 12.0 MiB"),
    ],
)
def test_a_file_over_10mb_is_rejected_without_reading_it_into_memory(tmp_path, head, reason):
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "dump.bin").write_bytes(head + random.Random(11).randbytes((12 << 20) - len(head)))
    assert (folder / "dump.bin").stat().st_size == 12 << 20
    tracemalloc.start()
    curves, rejections = load_landing_folder(folder, now=NOW)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert curves.empty
    assert reason in rejected(rejections, "dump.bin")["reason"]
    assert peak < 2 << 20


def test_loading_the_same_files_twice_gives_the_same_rows(tmp_path):
    folder = land(tmp_path / "landing")
    first, _ = load_landing_folder(folder, now=NOW)
    second, _ = load_landing_folder(folder, now=datetime(2025, 4, 1))
    pd.testing.assert_frame_equal(first.drop(columns="loaded_at"), second.drop(columns="loaded_at"))
    assert first["load_id"].nunique() == 4


def test_the_load_id_follows_the_contents_only(tmp_path):
    folder = land(tmp_path / "landing", robyn=False, meridian=False)
    before = content_hash(folder / "acme.json")
    shutil.copy(folder / "acme.json", tmp_path / "renamed.json")
    assert content_hash(tmp_path / "renamed.json") == before
    (folder / "acme.json").write_text(EXAMPLE.read_text().replace("2025-01-15", "2025-02-15"))
    assert content_hash(folder / "acme.json") != before


def test_a_folders_load_id_ignores_hidden_files_but_not_data(tmp_path):
    export = Path(shutil.copytree(MERIDIAN, tmp_path / "export"))
    before = content_hash(export)
    (export / ".DS_Store").write_bytes(b"\0\1")
    assert content_hash(export) == before
    (export / "summary_metrics.csv").write_text((export / "summary_metrics.csv").read_text() + "\n")
    assert content_hash(export) != before


def test_the_same_contents_landed_twice_load_once(tmp_path):
    folder = land(tmp_path / "landing", robyn=False, meridian=False)
    shutil.copy(folder / "acme.json", folder / "acme_copy.json")
    curves, rejections = load_landing_folder(folder, now=NOW)
    assert (curves["model_id"] == "acme_mmm").sum() == 1
    assert "same contents as" in rejected(rejections, "acme_copy.json")["reason"]


def test_an_unexpected_reader_error_is_a_rejection_not_a_crash(tmp_path, monkeypatch):
    def crash(path: Path):
        raise KeyError("surprise")

    monkeypatch.setitem(landing.READERS, "recast", crash)
    curves, rejections = load_landing_folder(land(tmp_path / "landing", robyn=False, meridian=False), now=NOW)
    assert set(curves["model_id"]) == {"acme_mmm"}
    assert rejected(rejections, "exports.csv")["reason"] == "could not be read: KeyError: 'surprise'"


def test_a_missing_landing_folder_is_one_rejection(tmp_path):
    curves, rejections = load_landing_folder(tmp_path / "nowhere", now=NOW)
    assert curves.empty and list(curves.columns) == list(CURVE_COLUMNS)
    assert rejections["reason"].tolist() == ["landing folder not found (var byomm_path)"]


def test_an_empty_landing_folder_gives_typed_empty_tables(tmp_path):
    (tmp_path / "README.md").write_text("drop models here")
    curves, rejections = load_landing_folder(tmp_path, now=NOW)
    assert curves.empty and rejections.empty
    assert curves.dtypes.astype(str).to_dict() == CURVE_COLUMNS


def test_rejection_policy_warns_or_fails_naming_each_file():
    rejections = pd.DataFrame(
        {
            "file": ["b.csv", "a.json"],
            "reason": ["unknown format", "malformed JSON"],
            "field": [None, "channels[0].spend"],
        }
    )
    recorded = enforce_rejection_policy(rejections, "warn")
    assert recorded["message"].tolist() == [
        "BYOMM rejected a.json: malformed JSON (field channels[0].spend)",
        "BYOMM rejected b.csv: unknown format",
    ]
    assert set(recorded["action"]) == {"recorded_and_continued"}
    with pytest.raises(ByommRejectionsFound, match="2 BYOMM landing entries were rejected") as caught:
        enforce_rejection_policy(rejections, "error")
    assert "a.json" in str(caught.value) and "b.csv" in str(caught.value)
    assert enforce_rejection_policy(rejections.iloc[:0], "error").empty
    with pytest.raises(ValueError, match="byomm_rejection_policy"):
        enforce_rejection_policy(rejections, "ignore")
