"""The gates on Snowflake: GX's SQL data source, the messages' aggregates, and the data docs site on a stage.

GX reaches Snowflake through SQLAlchemy (snowflake-sqlalchemy) on the Snowpark session's own
connection, so no second login or credential is needed inside the stored procedure. The
procedure's disk is temporary, so GX renders its data docs into a temporary folder and the site
is put on the internal stage var gx_data_docs_stage names, with the same layout as the local
folder var gx_data_docs_dir (index.html at the top).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from curvehouse.gates.aggregates import FrameAggregates, aggregate_sql, read_aggregates
from curvehouse.gates.runner import SqlSource
from curvehouse.snowflake.posteriors import ensure_stage

__all__ = ["publish_data_docs", "put_data_docs", "snowflake_sql_source", "warehouse_aggregates"]


def snowflake_sql_source(session: Any, tables: Mapping[str, str], filters: Mapping[str, str]) -> SqlSource:
    """A SqlSource selecting each gate frame from its dbt relation (``tables``: frame -> relation
    name), with an optional fixed SQL condition per frame (``filters``, written in the model, never data)."""
    queries = {
        frame: f"select * from {table}" + (f" where {filters[frame]}" if frame in filters else "")
        for frame, table in tables.items()
    }
    return SqlSource("snowflake://", queries, {"creator": lambda: session.connection})


def warehouse_aggregates(
    session: Any, source: SqlSource, columns: Mapping[str, Sequence[str]]
) -> dict[str, FrameAggregates]:
    """Each gate frame's aggregates computed in the warehouse: one ``group by segment_id`` query
    per frame (one row per segment comes back), its column names from a query that returns no rows."""
    aggregates = {}
    for frame, query in source.queries.items():
        names = columns.get(frame, ())
        rows = session.sql(aggregate_sql(query, names)).collect()
        frame_columns = session.sql(f"select * from ({query}) as gate_frame limit 0").columns
        aggregates[frame] = read_aggregates((tuple(row) for row in rows), names, frame_columns)
    return aggregates


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
