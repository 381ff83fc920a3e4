"""The gates on Snowflake: GX's SQL data source, and the data docs site on a stage.

GX reaches Snowflake through SQLAlchemy (snowflake-sqlalchemy) on the Snowpark session's own
connection, so no second login or credential is needed inside the stored procedure. The
procedure's disk is temporary, so GX renders its data docs into a temporary folder and the site
is put on the internal stage var gx_data_docs_stage names, with the same layout as the local
folder var gx_data_docs_dir (index.html at the top).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from curvehouse.gates.runner import SqlSource
from curvehouse.snowflake.posteriors import ensure_stage

__all__ = ["publish_data_docs", "put_data_docs", "snowflake_sql_source"]


def snowflake_sql_source(session: Any, tables: Mapping[str, str], filters: Mapping[str, str]) -> SqlSource:
    """A SqlSource selecting each gate frame from its dbt relation (``tables``: frame -> relation
    name), with an optional fixed SQL condition per frame (``filters``, written in the model, never data)."""
    queries = {
        frame: f"select * from {table}" + (f" where {filters[frame]}" if frame in filters else "")
        for frame, table in tables.items()
    }
    return SqlSource("snowflake://", queries, {"creator": lambda: session.connection})


def put_data_docs(session: Any, folder: Path, stage: str) -> list[str]:
    """Put every file of the data docs site in ``folder`` on ``stage`` at the same relative path
    (one PUT a file, overwriting: no glob, whose matching differs between Snowflake and the
    local emulator); returns the stage paths, sorted. Raises if a PUT does not upload its file."""
    root = Path(folder)
    target = f"@{stage.lstrip('@').rstrip('/')}"
    paths = []
    for local in sorted(path for path in root.rglob("*") if path.is_file()):
        relative = local.parent.relative_to(root).as_posix()
        location = target if relative == "." else f"{target}/{relative}"
        results = session.file.put(str(local), location, auto_compress=False, overwrite=True)
        if [(r.target, r.status) for r in results] not in ([(local.name, "UPLOADED")], [(local.name, "SKIPPED")]):
            raise RuntimeError(f"data docs: PUT of {local} to {location} returned {results}")
        paths.append(f"{location}/{local.name}")
    return sorted(paths)


def publish_data_docs(session: Any, folder: Path, stage: str) -> list[str]:
    """Create the stage if missing (an internal one), then put the site on it. ``stage`` is a stage
    (``@curvehouse_gx_docs``) or a folder on one (``@curvehouse_gx_docs/dev``)."""
    ensure_stage(session, stage.lstrip("@").split("/", 1)[0])
    return put_data_docs(session, folder, stage)
