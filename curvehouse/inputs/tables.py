"""Check raw input *tables* (Snowflake sources) against the same contract as raw input files.

``check_source_tables`` first runs the per-table rules as SQL where the tables live
(``curvehouse.inputs.pushdown``: only failing rows come back, capped per rule) and stops there if
any break. Otherwise ``check_raw_tables`` reads each table to pandas, every cell turned into text
as a CSV would hold it, and hands it to ``validate_raw`` for the rules that compare tables. Problems
name the table, the row (1-based, in ``pushdown.row_order`` for source tables), the column and the
rule. Required tables that cannot be read are problems too, and so are rows dated after the as-of
date, as for files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import Any

import pandas as pd

from curvehouse import warehouse
from curvehouse.inputs.errors import InputError, Violation
from curvehouse.inputs.pushdown import cell_findings_sql, duplicate_keys_sql, row_order, table_violations
from curvehouse.inputs.schema import RawTable, raw_tables
from curvehouse.inputs.validate import RawFrame, resolve_as_of, validate_raw

__all__ = ["as_text", "check_raw_tables", "check_source_tables"]

SUMMARY_COLUMNS = ["table_name", "file", "format", "rows", "columns", "status"]


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text a CSV export would hold: ISO dates, plain numbers, '' for null."""

    def cell(value: object) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if isinstance(value, pd.Timestamp | dt.datetime):
            return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    out = frame.astype(object).map(cell)
    out.index = pd.RangeIndex(1, len(out) + 1, name="row")
    return out


def check_raw_tables(
    readers: Mapping[str, Callable[[], pd.DataFrame]],
    names: Mapping[str, str],
    kpi_name: str = "revenue",
    as_of: dt.date | str | None = None,
) -> pd.DataFrame:
    """Read and validate the raw tables; one summary row per table read, or InputError with every problem.

    readers: table -> a function returning it as pandas (column names in any case);
    names: table -> its qualified warehouse name, used in messages;
    as_of: rows dated after it are problems (var as_of_date: an ISO date, or None for today, UTC).
    """
    as_of = resolve_as_of(as_of)
    frames: dict[str, RawFrame] = {}
    problems: list[Violation] = []
    for table, spec in raw_tables(kpi_name).items():
        if table not in readers:
            continue
        try:
            data = readers[table]()
        except Exception as exc:  # noqa: BLE001 - the warehouse's own error (missing table, no grant) is the message
            if spec.required:
                problems.append(
                    Violation(names[table], None, None, "required_file", f"required table cannot be read: {exc}")
                )
            continue
        frames[table] = RawFrame(table, PurePosixPath(names[table]), "table", as_text(data))
    if problems:
        raise InputError(problems)
    validate_raw(frames, kpi_name=kpi_name, as_of=as_of)
    return pd.DataFrame(
        [
            {
                "table_name": t,
                "file": names[t],
                "format": "table",
                "rows": len(f.data),
                "columns": f.data.shape[1],
                "status": "passed",
            }
            for t, f in frames.items()
        ],
        columns=SUMMARY_COLUMNS,
    )


def check_source_tables(
    session: Any,
    relations: Mapping[str, str],
    names: Mapping[str, str],
    kpi_name: str = "revenue",
    as_of: dt.date | str | None = None,
) -> pd.DataFrame:
    """Check raw tables in the warehouse (a Snowpark session, or a DuckDB connection); the summary of
    ``check_raw_tables``, or InputError with every problem.

    relations: table -> its relation name (from dbt, never data); names: table -> the name used in
    messages. The per-table rules run as SQL and, if any break, only their failing rows come back
    and are raised. The rules across tables (and the registry's and experiments' own) then read the
    tables, numbered in ``pushdown.row_order`` so that rows are named alike in both steps.
    """
    as_of = resolve_as_of(as_of)
    dialect = "snowflake" if warehouse.is_snowpark(session) else "duckdb"
    columns: dict[str, dict[str, str]] = {}
    problems: list[Violation] = []
    for table, spec in raw_tables(kpi_name).items():
        if table not in relations:
            continue
        try:
            header = _header(session, relations[table])
        except Exception:  # noqa: BLE001 - an unreadable table is named by check_raw_tables below
            continue
        columns[table] = _contract_columns(spec, header)
        findings = warehouse.query(
            session, cell_findings_sql(spec, columns[table], relations[table], as_of, dialect=dialect)
        )
        keys = duplicate_keys_sql(spec, columns[table], relations[table], as_of, dialect=dialect)
        duplicates = warehouse.query(session, keys).itertuples(index=False) if keys else ()
        problems += table_violations(spec, names[table], as_of, findings.itertuples(index=False), duplicates)
    if problems:
        raise InputError(problems)

    def reader(table: str) -> Callable[[], pd.DataFrame]:
        order = row_order(raw_tables(kpi_name)[table], columns.get(table, {}))
        return lambda: warehouse.query(
            session, f"select * from {relations[table]}" + (f" order by {order}" if order else "")
        )

    return check_raw_tables({table: reader(table) for table in relations}, names, kpi_name=kpi_name, as_of=as_of)


def _header(session: Any, relation: str) -> list[str]:
    """A table's column names as the warehouse spells them (unquoted), from a query returning no rows."""
    names = [str(name) for name in session.sql(f"select * from {relation} limit 0").columns]
    return [name[1:-1].replace('""', '"') if name[:1] == name[-1:] == '"' else name for name in names]


def _contract_columns(table: RawTable, header: list[str]) -> dict[str, str]:
    """Contract column -> the one warehouse column of that name (case and spaces aside); a column
    missing or doubled is left out here and named by the structural rules of ``validate_raw``."""
    folded: dict[str, list[str]] = {}
    for name in header:
        folded.setdefault(name.strip().casefold(), []).append(name)
    return {c: folded[c.casefold()][0] for c in table.column_names if len(folded.get(c.casefold(), [])) == 1}
