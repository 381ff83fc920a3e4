"""`curvehouse upload` lands only what the build would load; every subcommand has --help."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from curvehouse.byomm.landing import load_landing_folder
from curvehouse.byomm.upload import UploadRejected, upload_model
from curvehouse.cli import build_parser, main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXAMPLE = FIXTURES / "byomm" / "design_example.json"
ROBYN = FIXTURES / "robyn" / "v3.12.1_init"


def test_a_valid_json_lands_and_the_build_reads_it_back(tmp_path):
    landing = tmp_path / "landing"
    landed = upload_model(EXAMPLE, landing, default_segment="emea")
    assert landed.path == landing / "design_example.json"
    assert landed.path.read_bytes() == EXAMPLE.read_bytes()
    assert list(landed.curves["channel_name"]) == ["tv"]
    assert "acme_mmm" in landed.describe() and "segment emea" in landed.describe()
    curves, rejections = load_landing_folder(landing, "emea")
    assert rejections.empty and curves["saturation_max"].tolist() == [200_000]
    assert [p.name for p in landing.iterdir()] == ["design_example.json"]  # no partial copy left behind


def test_a_tool_folder_lands_whole(tmp_path):
    landed = upload_model(ROBYN, tmp_path / "landing", name="robyn_q3")
    assert landed.path.is_dir() and set(landed.curves["source"]) == {"robyn"}
    assert sorted(p.name for p in landed.path.iterdir()) == sorted(p.name for p in ROBYN.iterdir())


def test_a_file_the_build_would_reject_is_refused_and_nothing_lands(tmp_path):
    bad = tmp_path / "bad.json"
    document = json.loads(EXAMPLE.read_text())
    document["channels"][0]["saturation_max"] = -5
    bad.write_text(json.dumps(document))
    landing = tmp_path / "landing"
    landing.mkdir()
    with pytest.raises(UploadRejected) as excinfo:
        upload_model(bad, landing)
    assert "bad.json" in str(excinfo.value) and "saturation_max" in str(excinfo.value)
    assert "nothing was landed" in str(excinfo.value)
    assert list(landing.iterdir()) == []


def test_the_same_contents_twice_or_an_existing_name_are_refused(tmp_path):
    landing = tmp_path / "landing"
    upload_model(EXAMPLE, landing)
    with pytest.raises(UploadRejected, match="already in the landing folder"):
        upload_model(EXAMPLE, landing)
    copy = tmp_path / "copy.json"
    shutil.copy(EXAMPLE, copy)
    with pytest.raises(UploadRejected, match="same contents as"):
        upload_model(copy, landing)
    with pytest.raises(UploadRejected, match="no such file"):
        upload_model(tmp_path / "missing.json", landing)


def test_cli_upload_reports_rejections_with_exit_code_1(tmp_path, capsys):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00\x01\x02" * 100)
    assert main(["upload", str(garbage), "--landing", str(tmp_path / "landing")]) == 1
    err = capsys.readouterr().err
    assert "rejected" in err and "unknown format" in err and "garbage.bin" in err
    assert main(["upload", str(EXAMPLE), "--landing", str(tmp_path / "landing")]) == 0
    assert "landed" in capsys.readouterr().out


def test_cli_report_names_a_missing_database(tmp_path, capsys):
    assert main(["report", "--duckdb", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r")]) == 2
    assert "DuckDB file not found" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["demo-data", "bench", "report", "upload"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: curvehouse {command}") and "--" in out
