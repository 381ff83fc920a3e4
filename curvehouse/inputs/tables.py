"""Check raw input *tables* (Snowflake sources) against the same contract as raw input files.

Each table is read to pandas, every cell turned into text as a CSV would hold it, and handed to
``validate_raw``; problems name the table, the row (1-based, in the order the warehouse returned
the rows), the column and the rule. Required tables that cannot be read are problems too, and so
are rows dated after the as-of date, as for files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath

import pandas as pd

from curvehouse.inputs.errors import InputError, Violation
from curvehouse.inputs.schema import raw_tables
from curvehouse.inputs.validate import RawFrame, resolve_as_of, validate_raw

__all__ = ["as_text", "check_raw_tables"]

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
