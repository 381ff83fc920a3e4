"""Read a folder of raw input files and check it against the contract before any SQL runs.

Every problem becomes a ``Violation`` naming file, line (CSV; the header is line 1) or row
(Parquet, 1-based), column, rule and value; all of them are gathered and raised together as one
``InputError``, so a bad file never surfaces as a bare traceback from deep inside dbt. Names from
the data (segments, channels, controls) are vetted here so that none can reach SQL as code. Rows
dated after the run's as-of date (var ``as_of_date``; today, UTC, when null) are named here too,
rather than surfacing later as a data-gate failure in some other week.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from curvehouse.inputs.drivers import driver_rules, registry_driver_rules
from curvehouse.inputs.errors import InputError, Violation
from curvehouse.inputs.errors import listed as _listed
from curvehouse.inputs.errors import show as _show
from curvehouse.inputs.schema import (
    CHANNEL_GROUPS,
    NAME_MAX_LENGTH,
    NULL_TOKENS,
    Column,
    RawTable,
    raw_tables,
)
from curvehouse.inputs.summaries import SUMMARIZED, CheckedTable, TableSummary, summarize

__all__ = [
    "BOOLEAN_WORDS",
    "TYPE_PATTERNS",
    "TYPE_RULES",
    "UNSAFE_CHARACTERS",
    "InputError",
    "RawFrame",
    "Violation",
    "cell_rules",
    "check_raw_folder",
    "check_table",
    "cross_table_rules",
    "describe_cell",
    "duplicate_key_message",
    "empty_tokens",
    "read_raw_folder",
    "resolve_as_of",
    "structure_violations",
    "unsafe_name_reason",
    "validate_raw",
]

FORMATS = ("csv", "parquet")

_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]00:00(?::00(?:\.0+)?)?(?:Z|[+-]00:?00)?)?"
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_INTEGER = r"[+-]?\d+(?:\.0*)?"
BOOLEAN_WORDS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}
UNSAFE_CHARACTERS = re.compile(r"""['"`;\\\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]""")
_UNSAFE_NAMES = {
    "'": "a single quote",
    '"': "a double quote",
    "`": "a backtick",
    ";": "a semicolon",
    "\\": "a backslash",
}
_DATE_RULE = ("date_format", "is not a valid date: use YYYY-MM-DD (a time part is accepted only at midnight)")
# The full-match pattern of each parsed kind's text (a date also has to be a real calendar day).
TYPE_PATTERNS = {"date": _DATE, "month": _DATE, "number": _NUMBER, "integer": _INTEGER}
TYPE_RULES = {
    "date": _DATE_RULE,
    "month": _DATE_RULE,
    "number": (
        "number_type",
        (
            "is not a number: use plain digits with '.' for decimals "
            "(no thousands separators, currency signs, text or infinity)"
        ),
    ),
    "integer": ("integer_type", "is not a whole number"),
    "boolean": ("boolean_type", "is not a boolean: use true/false, yes/no or 1/0"),
}


@dataclass(frozen=True, eq=False)
class RawFrame:
    """One raw table as read: every cell a string ('' when empty), indexed by ``row``.

    ``row`` is the line in the file for CSV (header = line 1) and the 1-based row for Parquet.
    """

    table: str
    path: Path
    format: str
    data: pd.DataFrame


def resolve_as_of(value: object) -> date:
    """The run's as-of date from var ``as_of_date``: an ISO date (YYYY-MM-DD), or today's UTC date
    when null (None, or the text dbt renders for it: '', 'None', 'null'). Anything else raises."""
    if value is None or str(value).strip().casefold() in ("", "none", "null"):
        return datetime.now(UTC).date()
    if isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(
        f"var as_of_date {value!r} is not an ISO date (YYYY-MM-DD); set it to a date such as 2026-11-22, "
        "or to null for today (UTC)"
    )


def read_raw_folder(path: str | Path, kpi_name: str = "revenue") -> dict[str, RawFrame]:
    """Read every raw table file in ``path`` as strings; raise InputError if any is missing or unreadable."""
    frames, problems = _read_folder(Path(path), kpi_name)
    if problems:
        raise InputError(problems, folder=path)
    return frames


def validate_raw(
    frames: Mapping[str, RawFrame], kpi_name: str = "revenue", as_of: date | str | None = None
) -> dict[str, pd.DataFrame]:
    """Check raw frames against the contract and return them typed; raise InputError listing every problem.

    ``as_of``: rows dated after it break rule not_after_as_of (see ``resolve_as_of``; None is today, UTC).
    """
    typed, problems = _check(frames, kpi_name, resolve_as_of(as_of), report_missing=True)
    if problems:
        raise InputError(problems, folder=_folder_of(frames))
    return typed


def check_raw_folder(path: str | Path, kpi_name: str = "revenue", as_of: date | str | None = None) -> pd.DataFrame:
    """Read and validate a raw folder; return one summary row per table, or raise InputError with all problems.

    ``as_of``: rows dated after it break rule not_after_as_of (see ``resolve_as_of``; None is today, UTC).
    """
    as_of = resolve_as_of(as_of)
    frames, problems = _read_folder(Path(path), kpi_name)
    problems += _check(frames, kpi_name, as_of, report_missing=False)[1]
    if problems:
        raise InputError(problems, folder=path)
    return pd.DataFrame(
        [
            {
                "table_name": name,
                "file": str(frame.path),
                "format": frame.format,
                "rows": len(frame.data),
                "columns": frame.data.shape[1],
                "status": "passed",
            }
            for name, frame in frames.items()
        ],
        columns=["table_name", "file", "format", "rows", "columns", "status"],
    )


# --- reading -------------------------------------------------------------------------------


def _read_folder(folder: Path, kpi_name: str) -> tuple[dict[str, RawFrame], list[Violation]]:
    """Find and read each table file; missing, doubled or unreadable files become violations."""
    if not folder.is_dir():
        return {}, [Violation(str(folder), None, None, "required_file", "the input folder does not exist")]
    tables = raw_tables(kpi_name)
    known = {f"{name}.{fmt}" for name in tables for fmt in FORMATS}
    strays = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name not in known and p.name[0] != ".")
    hint = f" (files there that are not input tables: {', '.join(strays[:10])})" if strays else ""
    frames: dict[str, RawFrame] = {}
    problems: list[Violation] = []
    for name, table in tables.items():
        paths = [folder / f"{name}.{fmt}" for fmt in FORMATS if (folder / f"{name}.{fmt}").is_file()]
        if len(paths) > 1:
            problems.append(
                Violation(
                    f"{name}.csv",
                    None,
                    None,
                    "single_file",
                    f"both {name}.csv and {name}.parquet exist; keep one so it is clear which holds {name}",
                )
            )
        elif not paths and table.required:
            problems.append(
                Violation(
                    f"{name}.csv",
                    None,
                    None,
                    "required_file",
                    f"required file missing: no {name}.csv or {name}.parquet in the folder{hint}",
                )
            )
        elif paths:
            frame, found = _read_file(name, paths[0])
            problems += found
            if frame is not None:
                frames[name] = frame
    return frames, problems


def _read_file(table: str, path: Path) -> tuple[RawFrame | None, list[Violation]]:
    """Read one CSV or Parquet file as strings; any read failure becomes a ``readable`` violation."""
    fmt = path.suffix[1:]
    try:
        data, problems = _read_csv(path) if fmt == "csv" else _read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        return None, [Violation(path.name, None, None, "readable", f"cannot read the file: {exc}")]
    if data is None:
        return None, problems
    return RawFrame(table, path, fmt, data), []


def _read_csv(path: Path) -> tuple[pd.DataFrame | None, list[Violation]]:
    """Parse a UTF-8 CSV strictly, keeping each record's first line number."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Violation(
                path.name,
                line,
                None,
                "readable",
                f"not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start}); save it as a UTF-8 CSV",
            )
        ]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    lines: list[int] = []
    ragged: list[tuple[int, str]] = []
    try:
        header = next(reader, None)
        if header is None:
            return None, [Violation(path.name, None, None, "readable", "the file is empty; expected a header line")]
        start = reader.line_num + 1
        for record in reader:
            if len(record) == len(header):
                records.append(record)
                lines.append(start)
            elif record and (len(record) > 1 or record[0].strip()):  # blank lines are skipped
                ragged.append((start, f"has {len(record)} fields but the header has {len(header)}"))
            start = reader.line_num + 1
    except csv.Error as exc:
        return None, [Violation(path.name, reader.line_num, None, "readable", f"not valid CSV: {exc}")]
    if ragged:
        return None, _listed(path.name, None, "readable", ragged, len(ragged))
    return pd.DataFrame(records, columns=header, index=pd.Index(lines, dtype="int64", name="row"), dtype=object), []


def _read_parquet(path: Path) -> tuple[pd.DataFrame | None, list[Violation]]:
    """Read a Parquet file and cast every column to text (nulls as '') so it is checked like CSV."""
    table = pq.read_table(path)
    columns, problems = [], []
    for name, column in zip(table.column_names, table.columns, strict=True):
        try:
            columns.append(column.cast(pa.string()).to_pandas().fillna(""))
        except pa.ArrowException:
            problems.append(
                Violation(path.name, None, name, "readable", f"column type {column.type} cannot be read as a value")
            )
    if problems:
        return None, problems
    data = pd.concat(columns, axis=1, ignore_index=True) if columns else pd.DataFrame(index=range(table.num_rows))
    data.columns = table.column_names
    data.index = pd.RangeIndex(1, table.num_rows + 1, name="row")
    return data, []


# --- checking ------------------------------------------------------------------------------


def _check(
    frames: Mapping[str, RawFrame], kpi_name: str, as_of: date, report_missing: bool
) -> tuple[dict[str, pd.DataFrame], list[Violation]]:
    """Run every per-table rule, then the cross-table rules on the values that passed (the large
    tables summarized by ``summaries.summarize``, as the warehouse path summarizes them in SQL)."""
    typed: dict[str, pd.DataFrame] = {}
    valid: dict[str, pd.DataFrame] = {}
    problems: list[Violation] = []
    for name, table in raw_tables(kpi_name).items():
        frame = frames.get(name)
        if frame is None:
            if report_missing and table.required:
                problems.append(Violation(name, None, None, "required_file", f"required table {name} was not provided"))
            continue
        typed[name], valid[name], found = check_table(frame, table, as_of)
        problems += found
    checked = {name: CheckedTable(frames[name].path.name, typed[name], valid[name]) for name in typed}
    summaries = {name: summarize(t.file, t.typed, t.valid) for name, t in checked.items() if name in SUMMARIZED}
    problems += cross_table_rules(summaries, checked.get("channel_registry"), checked.get("experiments"))
    return typed, problems


def check_table(frame: RawFrame, table: RawTable, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame, list[Violation]]:
    """Check one table's columns, cells and key; return typed values, a validity mask and violations."""
    file, data = frame.path.name, frame.data
    rows = 0 if data.empty else len(data)
    hits, structural = structure_violations(table, file, list(data.columns), frame.format, rows)
    cells: list[Violation] = []
    typed, valid = pd.DataFrame(index=data.index), pd.DataFrame(index=data.index)
    for name, position in hits.items():
        column = next(c for c in table.columns if c.name == name)
        typed[name], valid[name], found = _check_column(file, column, data.iloc[:, position], as_of)
        cells += found
    if table.name == "channel_registry":
        cells += _registry_rules(file, typed, valid)
        cells += registry_driver_rules(file, typed, valid)
    if table.name == "experiments":
        cells += _experiment_rules(file, typed, valid)
    cells += _unique_key(file, table, typed, valid)
    return typed, valid, structural + sorted(cells, key=lambda v: v.row if v.row is not None else float("inf"))


def structure_violations(
    table: RawTable, file: str, header: list[str], fmt: str, rows: int
) -> tuple[dict[str, int], list[Violation]]:
    """The rules on a table's shape (required_column, not_empty), from its header and row count:
    each contract column found once -> its position in the header, and the violations."""
    folded = [str(c).strip().casefold() for c in header]
    found: dict[str, int] = {}
    structural: list[Violation] = []
    missing = []
    for column in table.columns:
        hits = [i for i, name in enumerate(folded) if name == column.name.casefold()]
        if not hits:
            if not column.optional:
                missing.append(column.name)
        elif len(hits) > 1:
            message = f"the header has {len(hits)} columns named {column.name}; keep one"
            structural.append(Violation(file, None, column.name, "required_column", message))
        else:
            found[column.name] = hits[0]
    if missing:
        header_row = 1 if fmt == "csv" else None
        found_names = ", ".join(map(str, header)) or "none"
        structural.insert(
            0,
            Violation(
                file,
                header_row,
                ", ".join(missing),
                "required_column",
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; columns found: {found_names}",
            ),
        )
    if table.required and rows == 0:
        structural.append(Violation(file, None, None, "not_empty", "the file has no data rows"))
    return found, structural


def _check_column(
    file: str, column: Column, cells: pd.Series, as_of: date
) -> tuple[pd.Series, pd.Series, list[Violation]]:
    """Parse one column's text; return typed values (NA where empty or bad), a validity mask and violations.

    Each distinct text is checked once (dates, segments and channels repeat a lot), then spread back.
    """
    codes, distinct = pd.factorize(cells.astype(str))
    checked = pd.Series(distinct, dtype=object).str.strip()
    empty_d = checked.isin(empty_tokens(column.kind))
    parsed_d, bad_d = _parse(column.kind, checked)
    bad_d &= ~empty_d
    negative_d = ~bad_d & (parsed_d.astype(float) < 0) if column.non_negative else None
    unsafe_d = ~bad_d & ~empty_d & checked.map(unsafe_name_reason).notna() if column.kind == "name" else None
    # A month (parsed as its first day) is after the as-of date only when it starts after it.
    late_d = ~bad_d & (parsed_d > pd.Timestamp(as_of)) if column.not_after_as_of else None

    def spread(values: pd.Series) -> pd.Series:
        return values.take(codes).set_axis(cells.index)

    text, empty, bad = spread(checked), spread(empty_d), spread(bad_d)
    broken = {"not_null": empty}
    if column.kind in TYPE_RULES:
        broken[TYPE_RULES[column.kind][0]] = bad
    for rule, flags in (("non_negative", negative_d), ("safe_name", unsafe_d), ("not_after_as_of", late_d)):
        if flags is not None:
            broken[rule] = spread(flags)
            bad = bad | broken[rule]
    problems: list[Violation] = []
    for rule in cell_rules(column):
        problems += _cells(
            file, column.name, rule, text[broken[rule]], lambda v, r=rule: describe_cell(column, r, v, as_of)
        )
    values = spread(parsed_d).mask(bad | empty)
    if column.kind == "boolean" and values.notna().all():
        values = values.astype(bool)
    valid = ~bad if column.nullable else ~(bad | empty)
    return values, valid, problems


def cell_rules(column: Column) -> tuple[str, ...]:
    """The per-cell rules of a column, in the order its violations are listed."""
    rules = [] if column.nullable else ["not_null"]
    rules += [TYPE_RULES[column.kind][0]] if column.kind in TYPE_RULES else []
    rules += ["non_negative"] if column.non_negative else []
    rules += ["safe_name"] if column.kind == "name" else []
    rules += ["not_after_as_of"] if column.not_after_as_of else []
    return tuple(rules)


def describe_cell(column: Column, rule: str, value: str, as_of: date) -> str:
    """The message for one cell (its stripped text) breaking one of ``cell_rules(column)``."""
    if rule == "not_null":
        return _describe_empty(value)
    if rule == "non_negative":
        return f"value {value} is negative"
    if rule == "safe_name":
        return _describe_unsafe(value)
    if rule == "not_after_as_of":
        return _describe_late(value, column.kind, as_of)
    return f"value {_show(value)} {TYPE_RULES[column.kind][1]}"


def empty_tokens(kind: str) -> tuple[str, ...]:
    """Cells that mean 'no value': NULL_TOKENS, except that a name is empty only when blank
    (a segment may well be called NA, for North America)."""
    return ("",) if kind == "name" else NULL_TOKENS


def _parse(kind: str, text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse non-empty stripped text by column kind; return values and a mask of unparseable cells."""
    if kind in ("date", "month"):
        iso = text.where(text.str.fullmatch(_DATE)).str.slice(0, 10)
        values = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
        if kind == "month":
            values = values.dt.to_period("M").dt.to_timestamp()
        return values, values.isna()
    if kind in ("number", "integer"):
        pattern = _NUMBER if kind == "number" else _INTEGER
        values = pd.to_numeric(text.where(text.str.fullmatch(pattern)), errors="coerce").astype(float)
        bad = values.isna() | (values.abs() == float("inf"))
        if kind == "integer":
            bad |= values.abs() > 2**53
            return values.mask(bad).astype("Int64"), bad
        return values.mask(bad), bad
    if kind == "boolean":
        values = text.str.casefold().map(BOOLEAN_WORDS)
        return values, values.isna()
    return text, pd.Series(False, index=text.index)


def _registry_rules(file: str, typed: pd.DataFrame, valid: pd.DataFrame) -> list[Violation]:
    """Registry-only rules: known channel groups, and ROI priors given as a complete (mean, sd) pair."""
    problems: list[Violation] = []
    if "channel_group" in typed:
        groups = typed["channel_group"]
        unknown = valid["channel_group"] & ~groups.isin(CHANNEL_GROUPS)
        problems += _cells(
            file,
            "channel_group",
            "channel_group",
            groups[unknown],
            lambda v: f"value {_show(v)} is not a channel group; use one of: {', '.join(CHANNEL_GROUPS)}",
        )
    if {"roi_prior_mean", "roi_prior_sd"} <= set(typed):
        mean, sd = typed["roi_prior_mean"], typed["roi_prior_sd"]
        checked = valid["roi_prior_mean"] & valid["roi_prior_sd"]
        found = []
        for row in typed.index[checked & (mean.isna() != sd.isna())]:
            given, empty = "roi_prior_mean", "roi_prior_sd"
            if pd.isna(mean[row]):
                given, empty = empty, given
            message = f"{given} is {typed.at[row, given]:g} but {empty} is empty; give both or neither"
            found.append((row, empty, message))
        for row in typed.index[checked & mean.notna() & (sd == 0)]:
            found.append((row, "roi_prior_sd", "roi_prior_sd is 0; a prior needs a positive spread"))
        problems += [Violation(file, int(row), column, "registry_prior", message) for row, column, message in found]
    return problems


def _experiment_rules(file: str, typed: pd.DataFrame, valid: pd.DataFrame) -> list[Violation]:
    """Experiment-only rules: the test ends on or after its start, its lift has a positive standard
    error, and it changed the spend (baseline differs from test)."""
    problems: list[Violation] = []

    def rule(columns: tuple[str, ...], broken: Callable[[pd.DataFrame], pd.Series], name: str, message) -> None:
        if not set(columns) <= set(typed):
            return
        checked = valid[list(columns)].all(axis=1)
        rows = typed.index[checked & broken(typed).fillna(False).astype(bool)]
        found = ((int(row), message(typed.loc[row])) for row in rows)
        problems.extend(_listed(file, columns[-1], name, found, len(rows)))

    rule(
        ("start_date", "end_date"),
        lambda t: t["end_date"] < t["start_date"],
        "date_order",
        lambda r: f"end_date {r['end_date']:%Y-%m-%d} is before start_date {r['start_date']:%Y-%m-%d}",
    )
    rule(
        ("lift_weekly_sd",),
        lambda t: t["lift_weekly_sd"] <= 0,
        "positive_sd",
        lambda r: f"value {r['lift_weekly_sd']:g} is not positive; a measured lift needs a standard error above 0",
    )
    rule(
        ("baseline_weekly_spend", "test_weekly_spend"),
        lambda t: t["baseline_weekly_spend"] == t["test_weekly_spend"],
        "spend_change",
        lambda r: (
            f"test_weekly_spend equals baseline_weekly_spend ({r['test_weekly_spend']:g}); "
            "an experiment must move the channel's spend"
        ),
    )
    return problems


def _unique_key(file: str, table: RawTable, typed: pd.DataFrame, valid: pd.DataFrame) -> list[Violation]:
    """Flag each row whose key (e.g. date × segment_id × channel) repeats an earlier row."""
    key = list(table.key)
    if not set(key) <= set(typed):
        return []
    keys = typed.loc[valid[key].all(axis=1), key]
    repeated = keys.duplicated()
    if not repeated.any():
        return []
    first = keys[~repeated]
    first_row = dict(zip(first.itertuples(index=False, name=None), first.index, strict=True))
    found = (
        (int(row), duplicate_key_message(file, key, first_row[values], [_show_key(value) for value in values]))
        for row, values in zip(keys.index[repeated], keys[repeated].itertuples(index=False, name=None), strict=True)
    )
    return _listed(file, None, "unique_key", found, int(repeated.sum()))


def duplicate_key_message(file: str, key: list[str], first_row: int, shown: list[str]) -> str:
    """The unique_key message: the row repeats ``first_row``'s key, whose values are ``shown``."""
    values = ", ".join(f"{name} {value}" for name, value in zip(key, shown, strict=True))
    return f"same {' × '.join(key)} as {_unit(file)} {first_row}: {values}"


# segment_coverage: each segment of a table (rows described as ...) must have rows in the other.
_COVERAGE = (
    ("outcomes", "outcomes", "channel_spend"),
    ("channel_spend", "spend rows", "outcomes"),
    ("channel_activity", "activity rows", "outcomes"),
)


def cross_table_rules(
    summaries: Mapping[str, TableSummary], registry: CheckedTable | None, experiments: CheckedTable | None
) -> list[Violation]:
    """Rules across tables, on the tables' summaries (and the registry and experiments, read whole):
    registered_channel, segment_coverage, experiment_spend and the driver rules. A name column takes
    part only when it exists and every cell of it passed its own checks: a bad cell (say an unsafe
    segment name) would otherwise also show up here as a spurious "segment missing"."""
    problems: list[Violation] = []
    registered = None if registry is None else _all_valid(registry, "channel")
    if experiments is not None:
        summaries = {**summaries, "experiments": summarize(experiments.file, experiments.typed, experiments.valid)}
    if registry is not None and registered is not None:
        for table in ("channel_spend", "platform_spend", "attribution", "experiments", "channel_activity"):
            channels = summaries[table].names("channel") if table in summaries else None
            if channels is not None:
                problems += _unregistered(summaries[table].file, channels, registry.file, registered)
    segments = {table: summary.names("segment_id") for table, summary in summaries.items()}
    for table, what, other in _COVERAGE:
        if segments.get(table) is not None and segments.get(other) is not None:
            problems += _uncovered(summaries[table].file, segments[table], what, summaries[other].file, segments[other])
    spend = summaries.get("channel_spend")
    if experiments is not None and spend is not None and "spend" in spend.columns:
        tested = [_all_valid(experiments, c) for c in ("segment_id", "channel")]
        keys = (*tested, spend.names("segment_id"), spend.names("channel"))
        if all(key is not None for key in keys):
            problems += _untested_spend(experiments.file, tested, spend)
    if registry is not None and registered is not None:
        problems += driver_rules(registry, summaries)
    return problems


def _all_valid(table: CheckedTable, column: str) -> pd.Series | None:
    """A read-whole table's column, or None when it is missing or any of its cells is invalid."""
    if column not in table.typed or not table.valid[column].all():
        return None
    return table.typed[column]


def _untested_spend(file: str, tested: list[pd.Series], spend: TableSummary) -> list[Violation]:
    """One violation per experiment whose segment x channel has no spend in channel_spend to fit a
    curve to (no rows, or only zero spend)."""
    spent = {(g.segment, g.channel): g.spend for g in spend.groups}
    found = []
    for row, segment, channel in zip(tested[0].index, tested[0], tested[1], strict=True):
        positive = spent.get((segment, channel))
        if positive is None:
            why = f"{spend.file} has no rows for channel {_show(channel)} in segment {_show(segment)}"
        elif not positive:
            why = f"channel {_show(channel)} has only zero spend in segment {_show(segment)} in {spend.file}"
        else:
            continue
        found.append((int(row), f"{why}, so the model has no curve to test; fix the names or drop the experiment"))
    return _listed(file, "channel", "experiment_spend", found, len(found))


def _unregistered(
    file: str, channels: Mapping[str, tuple[int, int]], registry_file: str, registered: pd.Series
) -> list[Violation]:
    """One violation per channel missing from the registry, at the first row that uses it.
    ``channels``: each channel -> (first row, rows), by first row."""
    known = set(registered)
    unknown = [(channel, first, rows) for channel, (first, rows) in channels.items() if channel not in known]
    by_fold = {name.casefold(): name for name in registered}

    def message(channel: str, rows: int) -> str:
        near = by_fold.get(channel.casefold())
        hint = f"; did you mean {_show(near)}?" if near else ""
        where = f"is not in {registry_file} ({rows} row{'' if rows == 1 else 's'})"
        return f"channel {_show(channel)} {where}{hint}; add it there or fix the name"

    found = ((first, message(channel, rows)) for channel, first, rows in unknown)
    return _listed(file, "channel", "registered_channel", found, len(unknown))


def _uncovered(
    file: str, segments: Mapping[str, tuple[int, int]], what: str, other_file: str, other: Mapping[str, object]
) -> list[Violation]:
    """One violation, against ``other_file``, per segment of ``file`` (each -> (first row, rows), by
    first row) that ``other_file`` lacks."""
    orphans = [(segment, first) for segment, (first, _) in segments.items() if segment not in other]
    found = (
        (None, f"segment {_show(segment)} has {what} ({file} {_unit(file)} {row}) but no rows in {other_file}")
        for segment, row in orphans
    )
    return _listed(other_file, "segment_id", "segment_coverage", found, len(orphans))


# --- messages ------------------------------------------------------------------------------


def _cells(file: str, column: str, rule: str, bad: pd.Series, describe: Callable[[str], str]) -> list[Violation]:
    """One violation per bad cell (capped), worded by ``describe(cell_text)``."""
    return _listed(file, column, rule, ((int(row), describe(value)) for row, value in bad.items()), len(bad))


def _describe_empty(value: str) -> str:
    if value == "":
        return "the cell is empty; a value is required"
    return f"value {_show(value)} means missing; a value is required"


def unsafe_name_reason(name: str) -> str | None:
    """Why a name is unsafe to carry into SQL, or None when it is fine."""
    if len(name) > NAME_MAX_LENGTH:
        return f"is {len(name)} characters long (the limit is {NAME_MAX_LENGTH})"
    hit = UNSAFE_CHARACTERS.search(name)
    if hit is None:
        return None
    char = hit.group()
    return f"contains {_UNSAFE_NAMES.get(char, f'a control character (U+{ord(char):04X})')}"


def _describe_unsafe(name: str) -> str:
    return (
        f"value {_show(name)} {unsafe_name_reason(name)}; names may not contain quotes, backticks, semicolons, "
        f"backslashes or control characters, nor be longer than {NAME_MAX_LENGTH} characters"
    )


def _describe_late(value: str, kind: str, as_of: date) -> str:
    if kind == "month":
        return (
            f"value {_show(value)} is in month {value[:7]}, which starts after the as-of date {as_of.isoformat()} "
            "(var as_of_date)"
        )
    return f"value {_show(value)} is dated after the as-of date {as_of.isoformat()} (var as_of_date)"


def _show_key(value: object) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else _show(str(value))


def _unit(file: str) -> str:
    return "line" if file.endswith(".csv") else "row"


def _folder_of(frames: Mapping[str, RawFrame]) -> Path | None:
    folders = {frame.path.parent for frame in frames.values()}
    return folders.pop() if len(folders) == 1 else None
