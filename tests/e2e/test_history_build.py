"""Published history survives every dbt command, and a --vars override merges over the project's settings.

Two builds on different data (a refresh: the data up to September, then up to November) give every
segment two runs; the BYOMM model in the landing folder is replaced between them. Then `dbt build
--full-refresh`. The project is a copy whose dbt_project.yml sets a prior that differs from the
Python default, so the stored methodology shows which one the fit used.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.conftest import DEMO_DATA, PROJECT_DIR, SMALL_FIT, dbt_build

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "byomm" / "design_example.json"
SEGMENTS = ("apac", "emea")
PROJECT_ROI_SD = 1.25  # the copy's dbt_project.yml value; curvehouse.model.spec.PriorSpec says 1.5
RUNS = "select run_id, segment_id, status, is_current, methodology, data_window_end from mmm_model_runs"


def copy_project(dest: Path) -> Path:
    """The dbt project without data, tests or build output, with mmm.priors.roi_sd set to PROJECT_ROI_SD."""
    dest.mkdir()
    for name in ("dbt_project.yml", "profiles", "models", "python_models", "macros", "seeds", "expectations"):
        source = PROJECT_DIR / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, dest / name)
    project = dest / "dbt_project.yml"
    text = project.read_text()
    assert text.count("      roi_sd: 1.5\n") == 1
    project.write_text(text.replace("      roi_sd: 1.5\n", f"      roi_sd: {PROJECT_ROI_SD}\n"))
    return dest


def two_segments(dest: Path, until: str | None = None) -> Path:
    """The demo data cut to two segments (half the fitting), and to the days up to ``until`` if given
    (a lift test to those that ended by then)."""
    dest.mkdir()
    for path in DEMO_DATA.glob("*.csv"):
        frame = pd.read_csv(path)
        if "segment_id" in frame.columns:
            frame = frame[frame["segment_id"].isin(SEGMENTS)]
        date = next((c for c in ("date", "month", "end_date") if c in frame.columns), None)
        if until and date:
            frame = frame[frame[date] <= until]
        frame.to_csv(dest / path.name, index=False)
    return dest


def byomm_version(landing: Path, refreshed_at: str, saturation_max: float) -> None:
    """The landing folder holds exactly one custom-JSON model of segment emea (this version)."""
    for old in landing.glob("*.json"):
        old.unlink()
    document = json.loads(EXAMPLE.read_text())
    document.update(segment_id="emea", refreshed_at=refreshed_at)
    document["channels"][0]["saturation_max"] = saturation_max
    (landing / f"acme_{saturation_max:.0f}.json").write_text(json.dumps(document))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("history")
    project = copy_project(root / "project")
    data = two_segments(root / "data")
    earlier = two_segments(root / "data_september", until="2026-08-31")
    landing = root / "landing"
    landing.mkdir()
    db = root / "curvehouse.duckdb"
    # A nested override: the sampler and publish keys of SMALL_FIT; every other mmm key is the project's.
    common = {"db_path": db, "project_dir": project, "byomm_path": str(landing), "mmm": SMALL_FIT}
    seen: dict[str, object] = {}

    byomm_version(landing, "2025-01-15T09:30:00Z", 200_000)
    first = dbt_build(root / "first", raw_data_path=earlier, as_of_date="2026-09-01", **common)
    assert first.returncode == 0, first.output[-5000:]
    seen["first_runs"] = first.query(RUNS)
    seen["first_byomm"] = first.query("select distinct run_id from int_curves_byomm")

    byomm_version(landing, "2025-06-01T00:00:00Z", 250_000)
    second = dbt_build(root / "second", raw_data_path=data, **common)
    assert second.returncode == 0, second.output[-5000:]
    seen["second_runs"] = second.query(RUNS)

    refreshed = dbt_build(root / "refresh", raw_data_path=data, flags=("--full-refresh",), **common)
    assert refreshed.returncode == 0, refreshed.output[-5000:]
    seen["refreshed"] = refreshed
    seen["db"] = db
    return seen


def test_full_refresh_keeps_every_run_and_one_current_per_segment(history):
    first, second = history["first_runs"], history["second_runs"]
    after = history["refreshed"].query(RUNS)
    assert len(first) == len(SEGMENTS) and len(second) == 2 * len(SEGMENTS)
    assert set(after["run_id"]) == set(second["run_id"])  # nothing lost, nothing refitted
    current = after[after["is_current"]]
    assert sorted(current["segment_id"]) == sorted(SEGMENTS)
    assert set(current["run_id"]) == set(second.loc[second["is_current"], "run_id"])
    assert not set(current["run_id"]) & set(first["run_id"])  # the later data's runs are current
    draws = history["refreshed"].query("select distinct run_id from mmm_posterior_draws")
    assert set(first["run_id"]) <= set(draws["run_id"])  # the first runs' posteriors too


def test_full_posteriors_of_published_runs_stay_beside_the_database(history):
    runs = history["refreshed"].query("select run_id, status, posterior_path from mmm_model_runs")
    published = runs[runs["status"] == "published"]
    assert len(published) >= len(SEGMENTS) and published["posterior_path"].notna().all()
    assert runs.loc[runs["status"] != "published", "posterior_path"].isna().all()
    folder = history["db"].parent / "curvehouse.posteriors"
    files = {p.relative_to(history["db"].parent).as_posix() for p in folder.glob("*")}
    assert files == set(published["posterior_path"])  # both builds' files, through --full-refresh


def test_full_refresh_keeps_a_byomm_version_no_longer_in_the_landing_folder(history):
    kept = history["refreshed"].query("select distinct run_id, model_id from int_curves_byomm")
    assert set(history["first_byomm"]["run_id"]) < set(kept["run_id"])
    assert len(kept) == 2


def test_a_nested_vars_override_keeps_the_projects_other_settings(history):
    for methodology in history["refreshed"].query(RUNS)["methodology"]:
        settings = json.loads(methodology)
        assert settings["priors"]["roi_sd"] == PROJECT_ROI_SD  # the project's value, not the Python default
        assert settings["sampler"]["draws"] == SMALL_FIT["sampler"]["draws"]  # the override
        assert settings["sampler"]["seed"] == 20261122  # a sampler key the override does not name


def test_reset_says_what_it_deletes_and_needs_confirmation(history, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(history["db"], db)
    store = shutil.copytree(history["db"].parent / "curvehouse.posteriors", tmp_path / "copy.posteriors")
    command = [str(Path(sys.executable).parent / "curvehouse"), "reset", "--duckdb", str(db)]
    refused = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert "4 built-in model runs" in refused.stdout and "2 BYOMM model versions" in refused.stdout
    assert f"{len(list(store.glob('*.nc')))} full posteriors" in refused.stdout and store.is_dir()
    done = subprocess.run([*command, "--yes"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not store.exists()
    again = subprocess.run([*command, "--yes"], capture_output=True, text=True)
    assert "holds no history" in again.stdout
