"""Read published tables for the report: a tiny interface so the report never depends on one warehouse.

The report names tables by their contract names only (``mmm_curves``, ``agent_mmm_context``, ...);
a reader finds the schema that holds each (dbt puts the agent views in their own schema) and
returns a pandas frame, or None when the table is not built (e.g. the planning layer has not run).
Names come from the report's own constants, never from data, and are checked before use.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

import pandas as pd

__all__ = ["TableReader", "DuckDBReader", "SnowflakeReader", "safe_identifier"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


def safe_identifier(name: str) -> str:
    """The name itself when it is a plain SQL identifier; ValueError otherwise (never quoted into SQL)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain table name: {name!r}")
    return name


class TableReader(Protocol):
    """Where the report's tables come from."""

    def read(self, table: str, current_only: bool = False) -> pd.DataFrame | None:
        """The table as a frame (only its is_current rows with current_only, where it has that
        column), or None when no schema holds it."""


class DuckDBReader:
    """Read tables from a DuckDB file, read-only (a build may hold the write lock elsewhere)."""

    def __init__(self, path: str | Path) -> None:
        import duckdb

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"DuckDB file not found: {self.path} (run `dbt build` first, or pass --duckdb)")
        self._con = duckdb.connect(str(self.path), read_only=True)
        listing = self._con.sql(
            "select table_schema, table_name from information_schema.tables order by table_schema"
        ).fetchall()
        self._schemas: dict[str, str] = {}
        for schema, name in listing:
            self._schemas.setdefault(name.lower(), schema)
        flagged = self._con.sql(
            "select table_schema, table_name from information_schema.columns where column_name = 'is_current'"
        ).fetchall()
        self._flagged = {(schema, name.lower()) for schema, name in flagged}

    def read(self, table: str, current_only: bool = False) -> pd.DataFrame | None:
        schema = self._schemas.get(safe_identifier(table).lower())
        if schema is None:
            return None
        where = " where is_current" if current_only and (schema, table.lower()) in self._flagged else ""
        return self._con.sql(f'select * from "{schema}"."{table}"{where}').df()

    def close(self) -> None:
        self._con.close()


class SnowflakeReader:
    """Read tables through a Snowflake DB-API connection (snowflake-connector-python) in the given schemas."""

    def __init__(self, connection, schemas: list[str]) -> None:
        self._con = connection
        self._schemas = [safe_identifier(s) for s in schemas]

    def read(self, table: str, current_only: bool = False) -> pd.DataFrame | None:
        name = safe_identifier(table).upper()
        cursor = self._con.cursor()
        for schema in self._schemas:
            cursor.execute(
                "select count(*), count_if(column_name = 'IS_CURRENT') from information_schema.columns "
                "where table_schema = %s and table_name = %s",
                (schema.upper(), name),
            )
            columns, flagged = cursor.fetchone()
            if columns:
                where = " where is_current" if current_only and flagged else ""
                cursor.execute(f"select * from {schema}.{name}{where}")
                frame = cursor.fetch_pandas_all()
                return frame.rename(columns=str.lower)
        return None

    def close(self) -> None:
        self._con.close()
