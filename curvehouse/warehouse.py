"""The one place where a dbt Python model meets its warehouse session: DuckDB or Snowpark.

dbt hands a Python model a DuckDB connection (dbt-duckdb) or a Snowpark ``Session``
(dbt-snowflake); ``dbt.ref(...)`` returns a DuckDB relation or a Snowpark DataFrame. These
helpers turn either (or a query's result) into pandas with the lower-case column names the
package uses, and hand results back with names the warehouse stores unquoted
(Snowflake: upper case). Nothing here imports Snowpark: the session's type says which it is.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["database_file", "for_warehouse", "is_snowpark", "local_folder", "query", "to_pandas"]


def is_snowpark(session: Any) -> bool:
    """True for a Snowpark Session (or DataFrame), or a stand-in for one that says so with a class
    attribute ``snowpark_stand_in = True`` (tests/emulator: Snowpark cannot run over fakesnow);
    False for DuckDB and anything else."""
    return (
        type(session).__module__.startswith("snowflake.snowpark")
        or getattr(type(session), "snowpark_stand_in", False) is True
    )


def to_pandas(relation: Any) -> pd.DataFrame:
    """A dbt relation as pandas: DuckDB ``.df()``; Snowpark ``.to_pandas()`` with lower-case column
    names and DATE columns as datetime64 (as DuckDB returns them), so the package sees one shape."""
    if not is_snowpark(relation):
        return relation.df()
    frame = relation.to_pandas()
    frame.columns = [str(c).lower() for c in frame.columns]
    for column in frame.columns:
        first = frame[column].dropna().head(1)
        if frame[column].dtype == object and len(first) and type(first.iloc[0]) is dt.date:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def query(session: Any, sql: str) -> pd.DataFrame:
    """A query's result as pandas (lower-case names), run inside the warehouse: DuckDB or Snowpark."""
    return to_pandas(session.sql(sql))


def for_warehouse(frame: pd.DataFrame, session: Any) -> pd.DataFrame:
    """A model's result as dbt should store it. Snowflake: upper-case column names (Snowpark writes
    pandas names quoted, so lower case would force quoting in every query) and tz-aware timestamps
    as naive UTC. DuckDB: unchanged."""
    if not is_snowpark(session):
        return frame
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_convert("UTC").dt.tz_localize(None)
    out.columns = [str(c).upper() for c in out.columns]
    return out


def local_folder(path: str, session: Any) -> Path:
    """A landing folder as a local path. On Snowflake a path starting with '@' is a stage: its files
    are downloaded into a fresh temporary folder first (not verified against a live account)."""
    if not (is_snowpark(session) and str(path).startswith("@")):
        return Path(path)
    target = Path(tempfile.mkdtemp(prefix="curvehouse_stage_"))
    session.file.get(str(path).rstrip("/") + "/", str(target))
    return target


def database_file(session: Any) -> Path | None:
    """The file of a DuckDB session's current database; None for an in-memory database or Snowflake."""
    if is_snowpark(session):
        return None
    row = session.execute("select path from duckdb_databases() where database_name = current_database()").fetchone()
    return Path(row[0]) if row and row[0] else None
