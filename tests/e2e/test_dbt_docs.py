"""`dbt docs generate` runs on a built warehouse: the catalog lists every published table with the
columns its YAML contract documents, so the docs site shows what the marts hold."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.e2e.conftest import DEMO_DATA, dbt_command

pytestmark = pytest.mark.e2e


def test_docs_generate_catalogs_every_contracted_table(demo_build, tmp_path):
    db = tmp_path / "docs.duckdb"
    shutil.copy(demo_build.db_path, db)  # docs generate reads; the shared build stays untouched
    command, env = dbt_command(tmp_path, DEMO_DATA, db, {})
    command[1:2] = ["docs", "generate"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    target = tmp_path / "target"
    catalog = json.loads((target / "catalog.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    contracted = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"].get("contract", {}).get("enforced")
    }
    assert len(contracted) >= 20
    for uid, node in contracted.items():
        assert uid in catalog["nodes"], f"{node['name']} is not in the catalog"
        built = {c.lower() for c in catalog["nodes"][uid]["columns"]}
        assert set(node["columns"]) <= built, node["name"]
        assert node["description"] and all(c["description"] for c in node["columns"].values()), node["name"]
    assert any(uid.startswith("source.curvehouse.raw.") for uid in manifest["sources"])
