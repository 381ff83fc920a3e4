"""GX data docs on Snowflake builds: the site the gates render goes onto a stage, same layout as the
local folder.

The stage is Snowpark's local testing emulator, which keeps stage files in a local folder: a real
account is not covered here - not its PUT, the stage's `create stage if not exists`
(curvehouse.snowflake.gates.publish_data_docs calls it through session.sql, which the emulator
lacks), the builder role's privileges, nor the stored procedure's temporary disk
(tests/e2e/test_snowflake_live.py runs the whole build against an account when credentials are set).
The data docs are rendered by the real gate runner (GX's pandas data source here; the SQL data source
needs a live Snowflake connection).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from curvehouse.gates.runner import load_suites, run_gates
from tests.unit.test_gates import GAP_WEEK, SUITES_DIR, gate_frames, plant_gap

snowpark = pytest.importorskip("snowflake.snowpark", reason="the snowflake extra is not installed")


@pytest.fixture
def session():
    s = snowpark.Session.builder.config("local_testing", True).create()
    yield s
    s.close()


def test_the_data_docs_site_is_put_on_the_stage_with_its_layout(session, tmp_path: Path, monkeypatch):
    from curvehouse.snowflake import gates
    from curvehouse.snowflake.gates import put_data_docs

    frames = gate_frames({"emea": 13, "apac": 13})
    plant_gap(frames, "emea", "tv", GAP_WEEK, 10_700.0)
    docs = tmp_path / "gx_docs"
    run_gates(frames, {}, SUITES_DIR, data_docs_dir=docs)
    local = sorted(path.relative_to(docs).as_posix() for path in docs.rglob("*") if path.is_file())

    paths = put_data_docs(session, docs, "@curvehouse_gx_docs")

    assert paths == sorted(f"@curvehouse_gx_docs/{name}" for name in local)
    for name in local:
        assert session.file.get_stream(f"@curvehouse_gx_docs/{name}").read() == (docs / name).read_bytes()
    index = session.file.get_stream("@curvehouse_gx_docs/index.html").read().decode("utf-8")
    assert "validations/platform_gap/emea/" in index and "Failed" in index
    for suite in load_suites(SUITES_DIR):
        assert f"@curvehouse_gx_docs/expectations/{suite.name}.html" in paths
        assert sum(p.startswith(f"@curvehouse_gx_docs/validations/{suite.name}/") for p in paths) == 2
    # A second build overwrites the same paths (the stage keeps earlier runs' pages, like the folder).
    assert put_data_docs(session, docs, "curvehouse_gx_docs/") == paths
    # What the model calls: the stage is created first (a real account only), then the same PUTs, here
    # into a folder on the stage.
    created = []
    monkeypatch.setattr(gates, "ensure_stage", lambda _, name: created.append(name))
    on_folder = gates.publish_data_docs(session, docs, "@curvehouse_gx_docs/dev")
    assert created == ["curvehouse_gx_docs"]
    assert on_folder == [p.replace("@curvehouse_gx_docs/", "@curvehouse_gx_docs/dev/") for p in paths]
    assert session.file.get_stream("@curvehouse_gx_docs/dev/index.html").read() == (docs / "index.html").read_bytes()
