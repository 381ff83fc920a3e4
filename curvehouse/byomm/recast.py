"""Read a Recast weekly CSV export: the custom JSON's fields as columns, one row per channel.

Columns: model_id, refreshed_at, segment_id (optional), total_revenue, date_range_start,
date_range_end (repeated, identical on every row), then per channel channel_name, display_name,
saturation_half_point, saturation_max, hill_slope (optional, default 1), contribution_mean,
contribution_lower, contribution_upper, spend. The rows become a custom JSON document and go
through the same validation; rejections name the CSV line and column.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from curvehouse.byomm import custom_json, fields
from curvehouse.byomm.records import ByommRejection, ModelCurves

__all__ = ["MODEL_COLUMNS", "CHANNEL_COLUMNS", "REQUIRED_COLUMNS", "ALL_COLUMNS", "is_recast_header", "read_recast"]

MODEL_COLUMNS = ("model_id", "refreshed_at", "segment_id", "total_revenue", "date_range_start", "date_range_end")
CHANNEL_COLUMNS = custom_json.CHANNEL_FIELDS + custom_json.OPTIONAL_CHANNEL_FIELDS
OPTIONAL_COLUMNS = ("segment_id", "hill_slope")
ALL_COLUMNS = MODEL_COLUMNS + CHANNEL_COLUMNS
REQUIRED_COLUMNS = tuple(c for c in ALL_COLUMNS if c not in OPTIONAL_COLUMNS)
NUMBER_COLUMNS = (
    "total_revenue",
    "saturation_half_point",
    "saturation_max",
    "hill_slope",
    "contribution_mean",
    "contribution_lower",
    "contribution_upper",
    "spend",
)
_IDENTIFYING_COLUMNS = frozenset({"model_id", "channel_name"})
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def is_recast_header(columns: list[str]) -> bool:
    """True when a CSV header names a Recast export (it has model_id and channel_name)."""
    return _IDENTIFYING_COLUMNS <= {c.strip() for c in columns}


def read_recast(path: Path) -> ModelCurves:
    """Read and strictly validate one Recast CSV export; raise ByommRejection naming line and column."""
    file = str(path)
    try:
        content = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ByommRejection(file, f"not UTF-8 text (byte {exc.start})") from None
    header, rows, lines = _read_rows(content, file)
    document = _document(header, rows, lines, file)

    def where(path_: str) -> str:
        return _csv_location(path_, lines)

    return custom_json.parse_document(document, file, source="recast", source_path=file, where=where)


def _read_rows(content: str, file: str) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, data rows and the line each row ends on; rejects ragged (e.g. truncated) rows."""
    reader = csv.reader(io.StringIO(content, newline=""), strict=True)
    try:
        header = [c.strip() for c in next(reader)]
        _check_columns(header, file)
        rows: list[list[str]] = []
        lines: list[int] = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ByommRejection(
                    file,
                    f"line {reader.line_num} has {len(row)} fields but the header has {len(header)} "
                    "(truncated or ragged file)",
                    f"line {reader.line_num}",
                )
            rows.append(row)
            lines.append(reader.line_num)
    except StopIteration:
        raise ByommRejection(file, "empty file: no header") from None
    except csv.Error as exc:
        raise ByommRejection(
            file, f"malformed CSV at line {reader.line_num}: {exc}", f"line {reader.line_num}"
        ) from None
    if not rows:
        raise ByommRejection(file, "no channel rows below the header")
    return header, rows, lines


def _check_columns(header: list[str], file: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ByommRejection(file, f"missing column(s): {', '.join(missing)}", f"column {missing[0]}")
    unknown = [c for c in header if c not in ALL_COLUMNS]
    if unknown:
        raise ByommRejection(
            file,
            f"unknown column(s): {', '.join(map(repr, unknown))} (allowed: {', '.join(ALL_COLUMNS)})",
            f"column {unknown[0]}",
        )
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise ByommRejection(file, f"column(s) appear twice: {', '.join(repeated)}", f"column {repeated[0]}")


def _document(header: list[str], rows: list[list[str]], lines: list[int], file: str) -> dict[str, object]:
    """The custom JSON document the rows describe; model-level columns must agree on every row."""
    records = [
        {
            column: _cell(column, value, f"line {line}, column {column}", file)
            for column, value in zip(header, row, strict=True)
        }
        for row, line in zip(rows, lines, strict=True)
    ]
    first = records[0]
    for record, line in zip(records[1:], lines[1:], strict=True):
        for column in MODEL_COLUMNS:
            if column in header and record[column] != first[column]:
                raise ByommRejection(
                    file,
                    f"{column} {fields.show(record[column])} differs from {fields.show(first[column])} "
                    f"on line {lines[0]}; "
                    "one file holds one model version",
                    f"line {line}, column {column}",
                )
    document: dict[str, object] = {
        "model_id": first["model_id"],
        "refreshed_at": first["refreshed_at"],
        "total_revenue": first["total_revenue"],
        "date_range": {"start": first["date_range_start"], "end": first["date_range_end"]},
        "channels": [{column: record[column] for column in CHANNEL_COLUMNS if column in header} for record in records],
    }
    if first.get("segment_id") is not None:
        document["segment_id"] = first["segment_id"]
    return document


def _cell(column: str, value: str, field: str, file: str) -> object:
    """A cell as the JSON type its field expects: None when empty, float for number columns."""
    value = value.strip()
    if value == "":
        return None
    if column in NUMBER_COLUMNS:
        if not _NUMBER.fullmatch(value):
            raise ByommRejection(file, f"{fields.show(value)} is not a number (plain digits, '.' for decimals)", field)
        return float(value)
    return value


def _csv_location(path: str, lines: list[int]) -> str:
    """Render a document field path as a CSV location: ``channels[2].spend`` -> ``line 4, column spend``."""
    match = re.fullmatch(r"channels\[(\d+)\](?:\.(\w+))?", path)
    if match:
        line = lines[int(match.group(1))]
        return f"line {line}, column {match.group(2)}" if match.group(2) else f"line {line}"
    if path.startswith("date_range."):
        return f"column date_range_{path.split('.', 1)[1]}"
    return f"column {path}"
