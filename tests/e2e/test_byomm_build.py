"""Bring your own model through real `dbt build`s: every format lands in mmm_curves, bad entries are
rejected without stopping the build, newer versions become current and older ones stay as history."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pandas as pd
import pytest

from curvehouse.byomm.meridian import read_meridian
from curvehouse.byomm.robyn import read_robyn
from tests.e2e.conftest import dbt_build

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXAMPLE = FIXTURES / "byomm" / "design_example.json"
ROBYN = FIXTURES / "robyn" / "v3.12.1_init"
MERIDIAN = FIXTURES / "meridian" / "national_media_export"
CURVES = "select * from mmm_curves order by source, model_id, refreshed_at, channel_name"
# Hold every demo segment back at the history gate (recorded, not fatal, under warn) so these
# builds publish BYOMM curves only: no built-in fit competes for "current".
NO_BUILTIN_FIT = {"min_history_weeks": 100_000, "gate_policy": "warn"}


def acme(refreshed_at: str, saturation_max: float) -> str:
    """The DESIGN.md example as a model of segment emea, at a given refresh and ceiling."""
    document = json.loads(EXAMPLE.read_text())
    document.update(segment_id="emea", refreshed_at=refreshed_at)
    document["channels"][0]["saturation_max"] = saturation_max
    return json.dumps(document, indent=2)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, pd.DataFrame | str]]:
    """Three builds on one database; what each left behind, read right after it."""
    workdir = tmp_path_factory.mktemp("byomm_build")
    landing = workdir / "landing"
    landing.mkdir()
    (landing / "acme.json").write_text(acme("2025-01-15T09:30:00Z", 200_000))
    shutil.copytree(ROBYN, landing / "robyn_v3.12.1_init")
    shutil.copytree(MERIDIAN, landing / "meridian_national")
    (landing / "garbage.bin").write_bytes(b"\x00\xff" + random.Random(7).randbytes(50_000))
    snapshots = {}

    def build(name: str) -> None:
        result = dbt_build(workdir, byomm_path=str(landing), **NO_BUILTIN_FIT)
        assert result.returncode == 0, result.output[-5000:]
        snapshots[name] = {
            "output": result.output,
            "curves": result.query(CURVES),
            "history": result.query("select * from int_curves_byomm order by run_id, channel_name"),
            "rejections": result.query("select * from mmm_byomm_rejections order by file"),
            "alerts": result.query("select * from int_byomm_staleness_alerts order by model_id"),
        }

    build("first")
    # A newer upload of the acme model, and a broken third version of it beside it.
    (landing / "acme_v2.json").write_text(acme("2025-06-01T00:00:00Z", 250_000))
    (landing / "acme_v3.json").write_text(acme("2025-07-01T00:00:00Z", 300_000)[:300])
    build("newer")
    build("unchanged")
    return snapshots


def test_every_format_lands_in_mmm_curves_with_its_values(builds):
    curves = builds["first"]["curves"]
    assert curves.groupby("source")["channel_name"].count().to_dict() == {"custom_json": 1, "meridian": 4, "robyn": 5}
    tv = curves[curves["source"] == "custom_json"].iloc[0]
    assert (tv["model_id"], tv["segment_id"], tv["channel_name"], tv["display_name"]) == (
        "acme_mmm",
        "emea",
        "tv",
        "TV",
    )
    assert (tv["saturation_half_point"], tv["saturation_max"], tv["hill_slope"]) == (50_000, 200_000, 1.0)
    assert (tv["contribution_lower"], tv["contribution_mean"], tv["contribution_upper"]) == (
        980_000,
        1_200_000,
        1_450_000,
    )
    assert (tv["spend"], tv["total_revenue"]) == (800_000, 8_500_000)
    assert (str(tv["date_range_start"].date()), str(tv["date_range_end"].date())) == ("2024-01-01", "2024-12-31")
    assert str(tv["refreshed_at"]) == "2025-01-15 09:30:00"
    assert "1,200,000" in tv["load_warnings"] and "2,450,209" in tv["load_warnings"]
    assert tv["staleness_days"] == 676  # 2025-01-15 to the as-of date 2026-11-22


@pytest.mark.parametrize("source, read, folder", [("robyn", read_robyn, ROBYN), ("meridian", read_meridian, MERIDIAN)])
def test_tool_outputs_land_with_the_numbers_their_reader_gives(builds, source, read, folder):
    curves = builds["first"]["curves"]
    landed = curves[curves["source"] == source].set_index("channel_name")
    model = read(folder)
    assert set(landed["model_id"]) == ({model.model_id} if source == "robyn" else {"meridian_national"})
    assert set(landed["segment_id"]) == {"total"}
    for channel in model.channels:
        row = landed.loc[channel.channel_name]
        for column in (
            "saturation_half_point",
            "saturation_max",
            "hill_slope",
            "contribution_mean",
            "spend",
            "observed_spend_max",
        ):
            expected = getattr(channel, column)
            assert (pd.isna(row[column]) and expected is None) or row[column] == pytest.approx(expected, rel=1e-9), (
                column
            )


def test_one_version_per_segment_is_current(builds):
    current = builds["first"]["curves"].query("is_current")
    assert current.groupby("segment_id")["run_id"].unique().map(list).to_dict() == {
        "emea": [builds["first"]["curves"].query("source == 'custom_json'")["run_id"].item()],
        "total": [builds["first"]["curves"].query("source == 'meridian'")["run_id"].iloc[0]],
    }


def test_a_garbage_file_is_rejected_logged_and_the_build_goes_on(builds):
    rejections = builds["first"]["rejections"]
    assert len(rejections) == 1
    garbage = rejections.iloc[0]
    assert garbage["file"].endswith("garbage.bin")
    assert garbage["reason"].startswith("unknown format")
    assert pd.isna(garbage["format"])
    assert f"BYOMM rejected {garbage['file']}: unknown format" in builds["first"]["output"]


def test_stale_curves_raise_alerts(builds):
    alerts = builds["first"]["alerts"]
    assert alerts["model_id"].tolist() == ["acme_mmm", "robyn_5_277_2"]
    assert set(alerts["alert_kind"]) == {"stale_curves"}
    acme_alert = alerts.iloc[0]
    assert (acme_alert["segment_id"], acme_alert["staleness_days"]) == ("emea", 676)
    assert "refreshed on 2025-01-15, 676 days ago (stale after 31 days)" in acme_alert["message"]


def test_a_newer_upload_becomes_current_and_the_older_stays_as_history(builds):
    curves = builds["newer"]["curves"]
    versions = curves[curves["model_id"] == "acme_mmm"].sort_values("refreshed_at")
    assert versions["saturation_max"].tolist() == [200_000, 250_000]
    assert versions["is_current"].tolist() == [False, True]
    assert versions["is_latest_version"].tolist() == [False, True]
    first = builds["first"]["curves"]
    older = first[first["model_id"] == "acme_mmm"]
    assert versions["loaded_at"].iloc[0] == older["loaded_at"].item()
    assert versions["run_id"].iloc[0] == older["run_id"].item()


def test_a_rejected_upload_leaves_the_last_good_version_current(builds):
    rejections = builds["newer"]["rejections"]
    broken = rejections[rejections["file"].str.endswith("acme_v3.json")].iloc[0]
    assert (broken["format"], broken["reason"][:15]) == ("custom_json", "malformed JSON:")
    curves = builds["newer"]["curves"]
    assert curves.query("model_id == 'acme_mmm' and is_current")["saturation_max"].tolist() == [250_000]
    assert "acme_v3.json" in builds["newer"]["output"]


def test_a_rebuild_on_unchanged_files_adds_nothing(builds):
    pd.testing.assert_frame_equal(builds["newer"]["history"], builds["unchanged"]["history"])
    pd.testing.assert_frame_equal(builds["newer"]["curves"], builds["unchanged"]["curves"])
    assert len(builds["unchanged"]["history"]) == 11
