"""Compact summaries of the raw tables, all that the rules across tables need of them.

A ``TableSummary`` holds one ``Group`` per distinct (segment_id, channel) of a table (with its
first row, its row count and a few flags), plus the first negative ``value`` rows per channel: its
size follows segments x channels, not rows. The pandas path builds it here from a checked frame
(``summarize``); on Snowflake ``curvehouse.inputs.pushdown`` builds the same one with a group-by
query. The rules (``validate.cross_table_rules``, ``drivers.driver_rules``) read only summaries, so
one implementation of each serves both paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from curvehouse.inputs.errors import PER_RULE

__all__ = ["SUMMARIZED", "CheckedTable", "Group", "TableSummary", "key_part", "summarize"]

# The large tables the rules across tables read as summaries. The small ones, channel_registry and
# experiments, are read whole (``CheckedTable``); controls takes part in no rule across tables.
SUMMARIZED = ("channel_spend", "platform_spend", "outcomes", "channel_activity", "attribution")


@dataclass(frozen=True, eq=False)
class CheckedTable:
    """A table read whole and checked: its file (or table) name, typed values and validity mask."""

    file: str
    typed: pd.DataFrame
    valid: pd.DataFrame


@dataclass(frozen=True)
class Group:
    """The rows of one (segment_id, channel); a key part is None where the cell is invalid (its own
    violation names it) or the table has no such column."""

    segment: str | None
    channel: str | None
    first_row: int
    rows: int
    spend: bool  # some valid spend above 0
    impressions: bool  # some valid impressions above 0
    negatives: int  # valid values below 0


@dataclass(frozen=True)
class TableSummary:
    """A table as the rules across tables see it: its file, its contract columns present, its groups
    by first row, and the first ``PER_RULE`` rows ``(row, channel, value)`` per channel whose value
    is negative (channel_activity), by row."""

    file: str
    columns: frozenset[str]
    groups: tuple[Group, ...]
    negatives: tuple[tuple[int, str, float], ...]

    def names(self, column: str) -> dict[str, tuple[int, int]] | None:
        """Each name of ``column`` ("segment_id" or "channel") -> (first row, rows), by first row;
        None when the column is missing or any of its cells is invalid."""
        part = "segment" if column == "segment_id" else "channel"
        if column not in self.columns or any(getattr(g, part) is None for g in self.groups):
            return None
        return self.valid_names(part)

    def valid_names(self, part: str) -> dict[str, tuple[int, int]]:
        """Each valid name of key ``part`` ("segment" or "channel") -> (first row, rows), by first row."""
        found: dict[str, tuple[int, int]] = {}
        for group in self.groups:
            name = getattr(group, part)
            if name is not None:
                first, rows = found.get(name, (group.first_row, 0))
                found[name] = (min(first, group.first_row), rows + group.rows)
        return dict(sorted(found.items(), key=lambda item: item[1][0]))


def summarize(file: str, typed: pd.DataFrame, valid: pd.DataFrame, cap: int = PER_RULE) -> TableSummary:
    """The summary of a checked frame (typed values and validity mask, indexed by row)."""
    index = typed.index
    keys = pd.DataFrame({"segment": _key(typed, valid, "segment_id"), "channel": _key(typed, valid, "channel")})
    keys["row"] = index
    keys["spend"] = _above(typed, valid, "spend", 0)
    keys["impressions"] = _above(typed, valid, "impressions", 0)
    negative = _above(typed, valid, "value", 0, below=True) if "value" in typed and "channel" in typed else None
    keys["negatives"] = negative if negative is not None else False
    grouped = keys.groupby(["segment", "channel"], dropna=False, sort=False).agg(
        first_row=("row", "min"),
        rows=("row", "size"),
        spend=("spend", "any"),
        impressions=("impressions", "any"),
        negatives=("negatives", "sum"),
    )
    groups = tuple(
        sorted(
            (
                Group(key_part(segment), key_part(channel), int(first), int(rows), bool(spend), bool(shown), int(neg))
                for (segment, channel), (first, rows, spend, shown, neg) in zip(
                    grouped.index, grouped.itertuples(index=False, name=None), strict=True
                )
            ),
            key=lambda g: g.first_row,
        )
    )
    negatives: tuple[tuple[int, str, float], ...] = ()
    if negative is not None and negative.any():
        hits = keys[negative & keys["channel"].notna()]
        firsts = hits[hits.groupby("channel").cumcount() < cap]
        negatives = tuple(
            (int(row), str(channel), float(typed.at[row, "value"]))
            for row, channel in zip(firsts["row"], firsts["channel"], strict=True)
        )
    return TableSummary(file, frozenset(typed.columns), groups, negatives)


def _key(typed: pd.DataFrame, valid: pd.DataFrame, column: str) -> pd.Series:
    """A name column's valid values, None elsewhere (or everywhere when the column is missing)."""
    if column not in typed:
        return pd.Series(None, index=typed.index, dtype=object)
    return typed[column].astype(object).where(valid[column], None)


def _above(typed: pd.DataFrame, valid: pd.DataFrame, column: str, bound: float, below: bool = False) -> pd.Series:
    """Whether each row's ``column`` is valid, given and above ``bound`` (below it with ``below``)."""
    if column not in typed:
        return pd.Series(False, index=typed.index)
    values = pd.to_numeric(typed[column], errors="coerce").astype(float)
    compared = values < bound if below else values > bound
    return (valid[column] & compared.fillna(False)).astype(bool)


def key_part(value: object) -> str | None:
    """A key part as a summary holds it: None for a missing value (None, or NaN from pandas)."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
