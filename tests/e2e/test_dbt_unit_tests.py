"""The dbt unit tests (`unit_tests:` in the models' YAML) run here explicitly, each one counted, and
can fail.

`dbt test --select test_type:unit` runs against a copy of the shared demo build's DuckDB file (a unit
test reads its inputs' column types from the warehouse; the copy keeps the shared build untouched).
Every unit test defined in the YAML must have run and passed. A planted copy of one of them, with
one expected value wrong, run in a copy of the project, must be reported failed beside the original
passing.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.e2e.conftest import DEMO_DATA, PROJECT_DIR, Build, dbt_command

pytestmark = pytest.mark.e2e

PLANTED = "planted_unit_test_with_a_wrong_expected_row"
ORIGINAL = "weekly_spine_runs_first_to_last_complete_week_and_flags_the_trailing_window"


def defined_unit_tests(project_dir: Path = PROJECT_DIR) -> dict[str, dict]:
    """Every unit test in the project's YAML, by name, read from the files (not from dbt)."""
    found: dict[str, dict] = {}
    for folder in ("models", "python_models"):
        for path in sorted((project_dir / folder).rglob("*.yml")):
            for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests") or []:
                assert test["name"] not in found, f"unit test {test['name']} defined twice"
                found[test["name"]] = test
    return found


def dbt_test(workdir: Path, db_path: Path, select: str, project_dir: Path = PROJECT_DIR) -> tuple[str, int, list[dict]]:
    """`dbt test --select ...` with the demo build's vars: its log, exit code and unit-test results."""
    command, env = dbt_command(workdir, DEMO_DATA, db_path, {}, project_dir)
    assert command[1] == "build"
    command[1] = "test"
    proc = subprocess.run(
        [*command, "--select", select], cwd=project_dir, env=env, capture_output=True, text=True, timeout=600
    )
    output = proc.stdout + proc.stderr
    run_results = workdir / "target" / "run_results.json"
    assert run_results.exists(), output[-3000:]
    results = [
        result
        for result in json.loads(run_results.read_text())["results"]
        if result["unique_id"].startswith("unit_test.")
    ]
    return output, proc.returncode, results


@pytest.fixture
def db_copy(demo_build: Build, tmp_path: Path) -> Path:
    """A copy of the shared demo build's DuckDB file."""
    dest = tmp_path / "unit.duckdb"
    shutil.copy(demo_build.db_path, dest)
    return dest


def test_every_unit_test_runs_and_passes(db_copy, tmp_path):
    defined = defined_unit_tests()
    assert len(defined) >= 25, sorted(defined)  # the count when this test was written
    output, returncode, results = dbt_test(tmp_path / "work", db_copy, "test_type:unit")
    assert returncode == 0, output[-5000:]
    ran = {result["unique_id"].rsplit(".", 1)[-1]: result["status"] for result in results}
    assert len(ran) >= len(defined), (len(ran), len(defined))
    assert set(ran) == set(defined), set(defined) ^ set(ran)
    assert set(ran.values()) == {"pass"}, {name: status for name, status in ran.items() if status != "pass"}
    manifest = json.loads((tmp_path / "work" / "target" / "manifest.json").read_text())
    assert len(manifest["unit_tests"]) == len(defined)
    assert f"Finished running {len(defined)} unit tests" in output


def test_a_unit_test_with_a_wrong_expected_row_is_reported_failed(db_copy, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles", "models", "python_models", "macros", "seeds"):
        source = PROJECT_DIR / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, project / name)
    planted = copy.deepcopy(defined_unit_tests()[ORIGINAL])
    planted["name"] = PLANTED
    wrong = planted["expect"]["rows"][0]
    assert wrong["is_in_window"] is False
    wrong["is_in_window"] = True  # 2024-01-01 is 3 weeks before the last week: outside a 2-week window
    (project / "models" / "_planted__unit_tests.yml").write_text(
        yaml.safe_dump({"version": 2, "unit_tests": [planted]}, sort_keys=False)
    )
    output, returncode, results = dbt_test(tmp_path / "work", db_copy, f"{planted['model']},test_type:unit", project)
    assert returncode != 0, output[-5000:]
    status = {result["unique_id"].rsplit(".", 1)[-1]: result["status"] for result in results}
    assert status == {ORIGINAL: "pass", PLANTED: "fail"}, output[-5000:]
    assert f"Failure in unit_test {PLANTED}" in output
