"""The raw input rules as SQL, generated from the contract (``curvehouse.inputs.schema``).

On Snowflake a raw table is checked where it lives. The per-table rules: these queries return only
failing rows (row, column, rule, offending text, and how many rows break that rule), at most
``cap`` a column and rule, and ``table_violations`` words them exactly as the pandas path does
(``validate.py``: the same ``cell_rules`` order, ``describe_cell`` and ``duplicate_key_message``):
not_null, date_format, number_type, integer_type, boolean_type, non_negative, safe_name,
not_after_as_of and unique_key. The rules across tables (registered_channel, segment_coverage,
experiment_spend, the driver rules): ``summary_sql`` and ``negatives_sql`` return a table's
``summaries.TableSummary`` (one row per segment x channel; at most ``cap`` negative values per
channel), which ``validate.cross_table_rules`` reads as it reads the pandas path's. Not here: the
registry's and the experiments' own rules, which read those small tables whole.

A cell is its text as a CSV would hold it: ``cast(... as varchar)``, trimmed of whitespace, '' for
null. Rows are numbered in ``row_order``: by the contract columns' texts (a warehouse table has no
order of its own; the pandas path numbers the rows as it receives them). Every function here is pure
(inputs -> SQL text or violations), so it runs without Snowpark; the SQL runs on Snowflake and,
with ``dialect="duckdb"``, on DuckDB (only the regular expression function differs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from curvehouse.inputs.errors import PER_RULE, Violation, listed, show
from curvehouse.inputs.schema import NAME_MAX_LENGTH, Column, RawTable
from curvehouse.inputs.summaries import Group, TableSummary, key_part
from curvehouse.inputs.validate import (
    BOOLEAN_WORDS,
    TYPE_PATTERNS,
    UNSAFE_CHARACTERS,
    cell_rules,
    describe_cell,
    duplicate_key_message,
    empty_tokens,
)

__all__ = [
    "Dialect",
    "cell_findings_sql",
    "duplicate_keys_sql",
    "negatives_sql",
    "row_order",
    "summary_sql",
    "table_summary",
    "table_violations",
]

Dialect = Literal["snowflake", "duckdb"]
_LARGEST_DOUBLE = "1.7976931348623157e308"
_INTEGER_LIMIT = 2**53
# Characters read off the pandas path's own definitions (Basic Multilingual Plane; neither has any
# above it): those the safe_name rule refuses, and the whitespace str.strip() removes.
_UNSAFE_CODES = [code for code in range(0x10000) if UNSAFE_CHARACTERS.fullmatch(chr(code))]
_SPACE_CODES = [code for code in range(0x10000) if chr(code).isspace()]


@dataclass(frozen=True)
class _Cell:
    """SQL expressions over one column's text ``c<i>``: empty, typed value, and each rule broken."""

    column: Column
    text: str
    empty: str
    typed: str
    broken: Mapping[str, str]

    @property
    def valid(self) -> str:
        """Usable as a key part: as the pandas path's validity mask (empty counts when nullable)."""
        bad = " or ".join(f"({c})" for rule, c in self.broken.items() if rule != "not_null")
        return f"not ({bad or 'false'})" if self.column.nullable else f"not ({self.empty} or {bad or 'false'})"


def cell_findings_sql(
    table: RawTable,
    columns: Mapping[str, str],
    relation: str,
    as_of: date,
    cap: int = PER_RULE,
    dialect: Dialect = "snowflake",
) -> str:
    """Rows ``(column_name, rule, row_id, cell, broken)`` for the cells of ``relation`` that break
    a per-cell rule: the first ``cap`` by row of each column and rule, ``broken`` counting them all.

    ``columns`` maps each contract column present to its name in the warehouse (as found there;
    it is quoted). ``relation`` is a dbt relation name, never data.
    """
    cells = [_cell(table_column, i, as_of, dialect) for i, table_column in _present(table, columns)]
    if not cells:
        return "select null as column_name, null as rule, null as row_id, null as cell, null as broken where false"
    findings = " union all ".join(
        f"select {_literal(cell.column.name)} as column_name, {_literal(rule)} as rule, row_id, {cell.text} as cell "
        f"from cells where {condition}"
        for cell in cells
        for rule, condition in cell.broken.items()
    )
    return (
        f"with {_cells_cte(cells, columns, relation)}, "
        f"findings as ({findings}), "
        "counted as (select column_name, rule, row_id, cell, count(*) over (partition by column_name, rule) as broken, "
        "row_number() over (partition by column_name, rule order by row_id) as nth from findings) "
        f"select column_name, rule, row_id, cell, broken from counted where nth <= {int(cap)} "
        "order by column_name, rule, row_id"
    )


def duplicate_keys_sql(
    table: RawTable,
    columns: Mapping[str, str],
    relation: str,
    as_of: date,
    cap: int = PER_RULE,
    dialect: Dialect = "snowflake",
) -> str | None:
    """Rows ``(row_id, first_row, broken, key_1, ...)`` for the rows whose key (all its cells valid)
    repeats an earlier row's: the first ``cap`` by row, ``broken`` counting them all; the key
    values as shown in the message (dates as YYYY-MM-DD). None when a key column is missing."""
    if not set(table.key) <= set(columns):
        return None
    cells = {table_column.name: _cell(table_column, i, as_of, dialect) for i, table_column in _present(table, columns)}
    keys = [cells[name] for name in table.key]
    shown = ", ".join(f"k{i}" for i in range(len(keys)))
    typed = ", ".join(f"{cell.typed} as k{i}" for i, cell in enumerate(keys))
    valid = " and ".join(f"({cell.valid})" for cell in keys)
    display = ", ".join(
        f"cast(k{i} as varchar) as k{i}" if cell.column.kind in ("date", "month") else f"k{i}"
        for i, cell in enumerate(keys)
    )
    return (
        f"with {_cells_cte(list(cells.values()), columns, relation)}, "
        f"keyed as (select row_id, {typed} from cells where {valid}), "
        f"firsts as (select row_id, min(row_id) over (partition by {shown}) as first_row, {shown} from keyed), "
        "repeats as (select row_id, first_row, count(*) over () as broken, "
        f"row_number() over (order by row_id) as nth, {shown} from firsts where row_id > first_row) "
        f"select row_id, first_row, broken, {display} from repeats where nth <= {int(cap)} order by row_id"
    )


def table_violations(
    table: RawTable,
    file: str,
    as_of: date,
    findings: Iterable[Sequence[Any]],
    duplicates: Iterable[Sequence[Any]] = (),
) -> list[Violation]:
    """The violations the rows of ``cell_findings_sql`` and ``duplicate_keys_sql`` stand for, worded
    and ordered as the pandas path lists them (by row; each rule's "and N more" line last)."""
    by_rule: dict[tuple[str, str], list[tuple[int, str]]] = {}
    totals: dict[tuple[str, str], int] = {}
    for column_name, rule, row_id, cell, broken in findings:
        by_rule.setdefault((column_name, rule), []).append((int(row_id), cell))
        totals[(column_name, rule)] = int(broken)
    problems: list[Violation] = []
    for column in table.columns:
        for rule in cell_rules(column):
            found = sorted(by_rule.get((column.name, rule), []))
            messages = ((row, describe_cell(column, rule, cell, as_of)) for row, cell in found)
            problems += listed(file, column.name, rule, messages, totals.get((column.name, rule), 0))
    repeats = [tuple(row) for row in duplicates]
    if repeats:
        kinds = {column.name: column.kind for column in table.columns}
        found = (
            (
                int(row_id),
                duplicate_key_message(
                    file,
                    list(table.key),
                    int(first),
                    [_shown(v, kinds[k]) for k, v in zip(table.key, key, strict=True)],
                ),
            )
            for row_id, first, _, *key in repeats
        )
        problems += listed(file, None, "unique_key", found, int(repeats[0][2]))
    return sorted(problems, key=lambda v: v.row if v.row is not None else float("inf"))


def summary_sql(
    table: RawTable, columns: Mapping[str, str], relation: str, as_of: date, dialect: Dialect = "snowflake"
) -> str | None:
    """Rows ``(segment_id, channel, first_row, row_count, spend, impressions, negatives)``, one per
    distinct (segment_id, channel), by first row: a ``summaries.Group`` each (a key null where its
    cell is invalid or the column missing). None when no contract column is present."""
    cells = {column.name: _cell(column, i, as_of, dialect) for i, column in _present(table, columns)}
    if not cells:
        return None

    def key(name: str) -> str:
        return f"case when {cells[name].valid} then {cells[name].typed} end" if name in cells else "null"

    def flag(name: str, comparison: str, needs: str | None = None) -> str:
        if name not in cells or (needs is not None and needs not in cells):
            return "0"
        cell = cells[name]
        return f"case when ({cell.valid}) and not ({cell.empty}) and {cell.typed} {comparison} 0 then 1 else 0 end"

    keyed = (
        f"select row_id, cast({key('segment_id')} as varchar) as segment_id, "
        f"cast({key('channel')} as varchar) as channel, {flag('spend', '>')} as spent, "
        f"{flag('impressions', '>')} as shown, {flag('value', '<', needs='channel')} as negative from cells"
    )
    return (
        f"with {_cells_cte(list(cells.values()), columns, relation)}, keyed as ({keyed}) "
        "select segment_id, channel, min(row_id) as first_row, count(*) as row_count, max(spent) as spend, "
        "max(shown) as impressions, sum(negative) as negatives from keyed group by segment_id, channel "
        "order by first_row"
    )


def negatives_sql(
    table: RawTable,
    columns: Mapping[str, str],
    relation: str,
    as_of: date,
    cap: int = PER_RULE,
    dialect: Dialect = "snowflake",
) -> str | None:
    """Rows ``(row_id, channel, value)``: the first ``cap`` rows by row of each valid channel whose
    valid ``value`` is negative, by row. None unless the table has both columns."""
    if not {"channel", "value"} <= set(columns):
        return None
    cells = {column.name: _cell(column, i, as_of, dialect) for i, column in _present(table, columns)}
    channel, value = cells["channel"], cells["value"]
    negative = (
        f"select row_id, {channel.typed} as channel, {value.typed} as value from cells "
        f"where ({channel.valid}) and ({value.valid}) and {value.typed} < 0"
    )
    return (
        f"with {_cells_cte(list(cells.values()), columns, relation)}, negative as ({negative}), "
        "ranked as (select row_id, channel, value, row_number() over (partition by channel order by row_id) as nth "
        f"from negative) select row_id, channel, value from ranked where nth <= {int(cap)} order by row_id"
    )


def table_summary(
    file: str, columns: Iterable[str], groups: Iterable[Sequence[Any]], negatives: Iterable[Sequence[Any]] = ()
) -> TableSummary:
    """The ``TableSummary`` the rows of ``summary_sql`` and ``negatives_sql`` stand for; ``columns``:
    the contract columns present."""
    return TableSummary(
        file,
        frozenset(columns),
        tuple(
            Group(key_part(segment), key_part(channel), int(first), int(rows), bool(spend), bool(shown), int(negative))
            for segment, channel, first, rows, spend, shown, negative in groups
        ),
        tuple((int(row), str(channel), float(value)) for row, channel, value in negatives),
    )


# --- SQL pieces -----------------------------------------------------------------------------


def _present(table: RawTable, columns: Mapping[str, str]) -> list[tuple[int, Column]]:
    return [(i, column) for i, column in enumerate(table.columns) if column.name in columns]


def row_order(table: RawTable, columns: Mapping[str, str]) -> str:
    """The order that numbers a table's rows (row 1 first): by its contract columns' texts, in
    contract order. A warehouse table has no order of its own, so this one is deterministic and
    the same on every engine; read the table with ``order by`` it to number rows alike elsewhere."""
    return ", ".join(_text(columns[column.name]) for _, column in _present(table, columns))


def _text(name: str, spaces: str | None = None) -> str:
    """A cell's text as a CSV would hold it: cast to text, trimmed as str.strip() trims, '' for null.
    ``spaces``: an SQL name holding ``_characters(_SPACE_CODES)``, else the expression itself."""
    return f"coalesce(trim(cast({_identifier(name)} as varchar), {spaces or _characters(_SPACE_CODES)}), '')"


def _characters(codes: list[int]) -> str:
    """The text of these characters as SQL (chr() for each: no literal holds a NUL or, alike on both
    engines, a backslash). Long, so a query computes it once in its ``char_sets`` CTE."""
    return " || ".join(f"chr({code})" for code in codes)


def _cells_cte(cells: list[_Cell], columns: Mapping[str, str], relation: str) -> str:
    """``cells``: each present column's text as ``c<i>`` and the row's number in ``row_order``."""
    texts = ", ".join(f"{_text(columns[cell.column.name], 'char_sets.spaces')} as {cell.text}" for cell in cells)
    order = ", ".join(cell.text for cell in cells)
    return (
        f"char_sets as (select {_characters(_SPACE_CODES)} as spaces, {_characters(_UNSAFE_CODES)} as unsafe), "
        f"texts as (select {texts}, char_sets.unsafe from {relation} cross join char_sets), "
        f"cells as (select row_number() over (order by {order}) as row_id, * from texts)"
    )


def _cell(column: Column, index: int, as_of: date, dialect: Dialect) -> _Cell:
    """The rules of one column over its text column ``c<index>``, as in ``validate._check_column``."""
    t = f"c{index}"
    empty = f"{t} in ({', '.join(_literal(token) for token in empty_tokens(column.kind))})"
    parses, typed = _parse(column.kind, t, dialect)
    parses = f"coalesce({parses}, false)"  # never null, so that "not" flags every text that fails to parse
    checked = f"not ({empty}) and {parses}"
    conditions = {
        "not_null": empty,
        "date_format": f"not ({empty}) and not ({parses})",
        "number_type": f"not ({empty}) and not ({parses})",
        "integer_type": f"not ({empty}) and not ({parses})",
        "boolean_type": f"not ({empty}) and not ({parses})",
        "non_negative": f"{checked} and {typed} < 0",
        "safe_name": f"{checked} and (length({t}) > {NAME_MAX_LENGTH} or {_has_unsafe(t)})",
        "not_after_as_of": f"{checked} and {typed} > cast('{as_of.isoformat()}' as date)",
    }
    broken = {rule: conditions[rule] for rule in cell_rules(column)}
    return _Cell(column, t, empty, typed, broken)


def _parse(kind: str, t: str, dialect: Dialect) -> tuple[str, str]:
    """(the text parses as ``kind``, its typed value) as SQL; the patterns are validate.py's."""
    if kind in ("date", "month"):
        day = f"try_cast(substr({t}, 1, 10) as date)"
        typed = f"date_trunc('month', {day})" if kind == "month" else day
        return f"{_matches(t, TYPE_PATTERNS[kind], dialect)} and {day} is not null", typed
    if kind in ("number", "integer"):
        value = f"try_cast({t} as double)"
        limit = _INTEGER_LIMIT if kind == "integer" else _LARGEST_DOUBLE
        return f"{_matches(t, TYPE_PATTERNS[kind], dialect)} and abs({value}) <= {limit}", value
    if kind == "boolean":
        words = ", ".join(_literal(word) for word in BOOLEAN_WORDS)
        true = ", ".join(_literal(word) for word, value in BOOLEAN_WORDS.items() if value)
        return f"lower({t}) in ({words})", f"lower({t}) in ({true})"
    return "true", t


def _matches(t: str, pattern: str, dialect: Dialect) -> str:
    """A full match of Python ``pattern`` in SQL: the same regular expression without backslashes
    or non-capturing groups (which Snowflake's POSIX engine lacks), anchored."""
    sql = pattern.replace(r"\d", "[0-9]").replace(r"\.", "[.]").replace("(?:", "(")
    if "\\" in sql or "(?" in sql:
        raise ValueError(f"pattern {pattern!r} has a construct the SQL engines do not share")
    function = "regexp_matches" if dialect == "duckdb" else "regexp_like"
    return f"{function}({t}, '^({sql})$')"


def _has_unsafe(t: str) -> str:
    """Whether ``t`` holds a character safe_name refuses (``unsafe``, from the ``char_sets`` CTE):
    removing them all changes its length."""
    return f"length(translate({t}, unsafe, '')) <> length({t})"


def _literal(text: str) -> str:
    if "\\" in text:
        raise ValueError(f"{text!r}: a backslash reads differently on Snowflake and DuckDB")
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _shown(value: Any, kind: str) -> str:
    """A key value as the pandas path shows it: a date as YYYY-MM-DD, anything else quoted."""
    return str(value)[:10] if kind in ("date", "month") else show(str(value))
