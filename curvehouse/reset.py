"""The deliberate reset: drop the tables that hold history (every stored run and BYOMM version).

No dbt command does this: both tables are incremental with ``full_refresh: false``. This module says
what a reset would delete, and deletes it only when asked to.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

__all__ = ["HISTORY_TABLES", "HistoryTable", "drop_history", "find_history"]

# table -> what one distinct run_id in it is
HISTORY_TABLES = {
    "fit_segments": "built-in model runs (published and rejected) with their draws, curves and decompositions",
    "int_curves_byomm": "BYOMM model versions ever loaded",
}


@dataclass(frozen=True)
class HistoryTable:
    """One history table found in the warehouse and what it holds."""

    schema: str
    name: str
    runs: int
    rows: int

    @property
    def qualified(self) -> str:
        return f'"{self.schema}"."{self.name}"'

    def describe(self) -> str:
        return f"{self.schema}.{self.name}: {self.runs:,} {HISTORY_TABLES[self.name]} ({self.rows:,} rows)"


def find_history(con: duckdb.DuckDBPyConnection) -> list[HistoryTable]:
    """The history tables present in a built DuckDB file, with their run and row counts."""
    found = con.execute(
        "select table_schema, table_name from information_schema.tables where table_name in (?, ?) "
        "and table_type = 'BASE TABLE' order by table_name, table_schema",
        list(HISTORY_TABLES),
    ).fetchall()
    tables = []
    for schema, name in found:
        runs, rows = con.execute(f'select count(distinct run_id), count(*) from "{schema}"."{name}"').fetchone()
        tables.append(HistoryTable(schema, name, int(runs), int(rows)))
    return tables


def drop_history(con: duckdb.DuckDBPyConnection, tables: list[HistoryTable]) -> None:
    """Drop the given history tables in one transaction: all of them or none."""
    con.execute("begin transaction")
    try:
        for table in tables:
            con.execute(f"drop table {table.qualified}")
    except duckdb.Error:
        con.execute("rollback")
        raise
    con.execute("commit")
