"""Check raw input *tables* (Snowflake sources) against the same contract as raw input files.

``check_source_tables`` checks tables where they live: the per-table rules as SQL
(``curvehouse.inputs.pushdown``: only failing rows come back, capped per rule) and the rules across
tables on per-table summaries from group-by queries (``curvehouse.inputs.summaries``); only the
small registry and experiments tables are read whole. ``check_raw_tables`` reads each table to
pandas instead, every cell turned into text as a CSV would hold it, and hands it to ``validate_raw``.
Both list the same problems, naming the table, the row (1-based, in ``pushdown.row_order`` for
source tables), the column and the rule. Required tables that cannot be read are problems too,
and so are rows dated after the as-of date, as for files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import Any

import pandas as pd

from curvehouse import warehouse
from curvehouse.inputs.errors import InputError, Violation
from curvehouse.inputs.pushdown import (
    Dialect,
    cell_findings_sql,
    duplicate_keys_sql,
    negatives_sql,
    row_order,
    summary_sql,
    table_summary,
    table_violations,
)
from curvehouse.inputs.schema import RawTable, raw_tables
from curvehouse.inputs.summaries import SUMMARIZED, CheckedTable, TableSummary
from curvehouse.inputs.validate import (
    RawFrame,
    check_table,
    cross_table_rules,
    resolve_as_of,
    structure_violations,
    validate_raw,
)

__all__ = ["as_text", "check_raw_tables", "check_source_tables"]

SUMMARY_COLUMNS = ["table_name", "file", "format", "rows", "columns", "status"]
# The small tables, read whole on every path (their own rules compare rows within the table).
READ_WHOLE = ("channel_registry", "experiments")


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
    ``check_raw_tables``, or InputError with every problem, listed as ``check_raw_tables`` lists them.

    relations: table -> its relation name (from dbt, never data); names: table -> the name used in
    messages. The small tables (``READ_WHOLE``) are read whole and checked as pandas. Every other
    table stays in the warehouse: its header and row count, the failing rows of its per-table rules
    (``pushdown.cell_findings_sql``, ``duplicate_keys_sql``) and, for the rules across tables, its
    summary (``pushdown.summary_sql``, ``negatives_sql``: one row per segment x channel) come back.
    Rows are numbered in ``pushdown.row_order`` in every query.
    """
    as_of = resolve_as_of(as_of)
    specs = {table: spec for table, spec in raw_tables(kpi_name).items() if table in relations}
    headers: dict[str, list[str]] = {}
    problems: list[Violation] = []
    for table, spec in specs.items():
        try:
            headers[table] = _header(session, relations[table])
        except Exception as exc:  # noqa: BLE001 - the warehouse's own error (missing table, no grant) is the message
            if spec.required:
                problems.append(
                    Violation(names[table], None, None, "required_file", f"required table cannot be read: {exc}")
                )
    if problems:
        raise InputError(problems)
    whole: dict[str, CheckedTable] = {}
    summaries: dict[str, TableSummary] = {}
    shapes: dict[str, tuple[int, int]] = {}
    for table, header in headers.items():
        spec, relation, name = specs[table], relations[table], names[table]
        columns = _contract_columns(spec, header)
        if table in READ_WHOLE:
            order = row_order(spec, columns)
            data = as_text(
                warehouse.query(session, f"select * from {relation}" + (f" order by {order}" if order else ""))
            )
            typed, valid, found = check_table(RawFrame(table, PurePosixPath(name), "table", data), spec, as_of)
            whole[table] = CheckedTable(PurePosixPath(name).name, typed, valid)
            rows = len(data)
        else:
            rows = int(warehouse.query(session, f"select count(*) as row_count from {relation}").iloc[0, 0])
            found = structure_violations(spec, name, header, "table", rows)[1]
            found += _pushed_violations(session, spec, columns, relation, name, as_of)
            if table in SUMMARIZED:
                summaries[table] = _summary(session, spec, columns, relation, name, as_of)
        problems += found
        shapes[table] = (rows, len(header))
    problems += cross_table_rules(summaries, whole.get("channel_registry"), whole.get("experiments"))
    if problems:
        raise InputError(problems)
    return pd.DataFrame(
        [
            {"table_name": t, "file": names[t], "format": "table", "rows": r, "columns": c, "status": "passed"}
            for t, (r, c) in shapes.items()
        ],
        columns=SUMMARY_COLUMNS,
    )


def _pushed_violations(
    session: Any, table: RawTable, columns: Mapping[str, str], relation: str, name: str, as_of: dt.date
) -> list[Violation]:
    """The per-cell and unique_key violations of one table, from the failing rows its SQL returns."""
    dialect = _dialect(session)
    findings = warehouse.query(session, cell_findings_sql(table, columns, relation, as_of, dialect=dialect))
    keys = duplicate_keys_sql(table, columns, relation, as_of, dialect=dialect)
    duplicates = warehouse.query(session, keys).itertuples(index=False) if keys else ()
    return table_violations(table, name, as_of, findings.itertuples(index=False), duplicates)


def _summary(
    session: Any, table: RawTable, columns: Mapping[str, str], relation: str, name: str, as_of: dt.date
) -> TableSummary:
    """One table's summary for the rules across tables, from its group-by queries."""
    dialect = _dialect(session)
    groups_sql = summary_sql(table, columns, relation, as_of, dialect=dialect)
    negatives = negatives_sql(table, columns, relation, as_of, dialect=dialect)
    return table_summary(
        name,
        columns,
        warehouse.query(session, groups_sql).itertuples(index=False) if groups_sql else (),
        warehouse.query(session, negatives).itertuples(index=False) if negatives else (),
    )


def _dialect(session: Any) -> Dialect:
    return "snowflake" if warehouse.is_snowpark(session) else "duckdb"


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
