"""Per-segment aggregates of a gate frame: all the gate runner reads of the data besides GX itself.

The messages need each frame's segments and, for an expectation whose ``observed`` template uses
``min`` or ``max``, that column's minimum and maximum per segment. On DuckDB they come from the
pandas frame; on Snowflake from one ``group by segment_id`` query per frame (``aggregate_sql``),
so only one row per segment leaves the warehouse. The SQL is plain (runs on Snowflake and DuckDB)
and built here without Snowpark or GX.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["FrameAggregates", "aggregate_sql", "frame_aggregates", "read_aggregates"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class FrameAggregates:
    """One gate frame, summarised: its column names, whether any row has a null
    segment_id, and per segment ``{column: (min, max)}`` for the columns asked for."""

    columns: tuple[str, ...]
    has_null_segment: bool
    segments: Mapping[Any, Mapping[str, tuple[Any, Any]]]


def frame_aggregates(frame: pd.DataFrame, columns: Sequence[str]) -> FrameAggregates:
    """The aggregates of a pandas frame (the DuckDB path)."""
    present = [column for column in columns if column in frame.columns]
    segments = {
        segment: {column: (part[column].min(), part[column].max()) for column in present}
        for segment, part in frame.groupby("segment_id", sort=False)
    }
    null_segment = "segment_id" in frame.columns and bool(frame["segment_id"].isna().any())
    return FrameAggregates(tuple(frame.columns), null_segment, segments)


def aggregate_sql(query: str, columns: Sequence[str]) -> str:
    """One row per segment_id of ``query`` (null segment included): segment_id, then the minimum and
    maximum of each of ``columns`` in turn. Columns come from the suite files, never from data, and
    must be plain identifiers."""
    for column in columns:
        if not _IDENTIFIER.fullmatch(column):
            raise ValueError(f"gate column {column!r} is not a plain SQL identifier")
    stats = "".join(f", min({c}) as min_{i}, max({c}) as max_{i}" for i, c in enumerate(columns))
    return f"select segment_id{stats} from ({query}) as gate_frame group by segment_id"


def read_aggregates(
    rows: Iterable[Sequence[Any]], columns: Sequence[str], frame_columns: Sequence[str]
) -> FrameAggregates:
    """The aggregates from the rows of ``aggregate_sql`` (read by position, so the warehouse's
    identifier case does not matter) and the frame's column names (lower-cased, as Snowflake's
    unquoted identifiers come back upper case)."""
    segments: dict[Any, dict[str, tuple[Any, Any]]] = {}
    null_segment = False
    for segment, *stats in rows:
        if segment is None:
            null_segment = True
            continue
        segments[segment] = {c: (stats[2 * i], stats[2 * i + 1]) for i, c in enumerate(columns)}
    return FrameAggregates(tuple(c.lower() for c in frame_columns), null_segment, segments)
