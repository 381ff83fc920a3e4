"""Read the custom JSON model format (DESIGN.md "Bring your own model") into ModelCurves.

Schema (unknown keys are rejected, so a typo never silently falls back to a default)::

    {
      "model_id": "acme_mmm",                       # name of the model; versions share it
      "refreshed_at": "2025-01-15T09:30:00Z",       # ISO 8601; an offset is converted to UTC
      "segment_id": "emea",                         # optional; default: var byomm_default_segment
      "total_revenue": 8500000,                     # outcome over the date range
      "date_range": {"start": "2024-01-01", "end": "2024-12-31"},
      "channels": [{
        "channel_name": "tv", "display_name": "TV",
        "saturation_half_point": 50000,             # weekly spend at half of saturation_max
        "saturation_max": 200000,                   # weekly response ceiling, outcome currency
        "hill_slope": 1.0,                          # optional, default 1
        "contribution_mean": 1200000, "contribution_lower": 980000, "contribution_upper": 1450000,
        "spend": 800000                             # over the date range
      }]
    }

``parse_document`` is shared with the Recast reader, which feeds it the same fields from CSV
columns and renders field paths as CSV locations through ``where``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

from curvehouse.byomm import fields
from curvehouse.byomm.records import ByommRejection, ChannelCurve, ModelCurves

__all__ = [
    "MODEL_FIELDS",
    "OPTIONAL_MODEL_FIELDS",
    "CHANNEL_FIELDS",
    "OPTIONAL_CHANNEL_FIELDS",
    "read_custom_json",
    "parse_document",
]

MODEL_FIELDS = ("model_id", "refreshed_at", "channels", "total_revenue", "date_range")
OPTIONAL_MODEL_FIELDS = ("segment_id",)
DATE_RANGE_FIELDS = ("start", "end")
CHANNEL_FIELDS = (
    "channel_name",
    "display_name",
    "saturation_half_point",
    "saturation_max",
    "contribution_mean",
    "contribution_lower",
    "contribution_upper",
    "spend",
)
OPTIONAL_CHANNEL_FIELDS = ("hill_slope",)
DEFAULT_HILL_SLOPE = 1.0


def read_custom_json(path: Path) -> ModelCurves:
    """Read and strictly validate one custom JSON model file; raise ByommRejection when it breaks the schema."""
    file = str(path)
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ByommRejection(file, f"not UTF-8 text (byte {exc.start})") from None
    try:
        document = json.loads(raw, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ByommRejection(file, f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except _DuplicateKey as exc:
        raise ByommRejection(file, f"malformed JSON: key {exc.key!r} appears twice in one object", exc.key) from None
    if not isinstance(document, dict) or not ({"model_id", "channels"} & document.keys()):
        raise ByommRejection(file, "unknown format: a JSON document without model_id and channels")
    return parse_document(document, file, source="custom_json", source_path=file)


def parse_document(
    document: Mapping[str, object],
    file: str,
    source: str,
    source_path: str,
    where: Callable[[str], str] = lambda path: path,
) -> ModelCurves:
    """Validate a model document (JSON types) and build ModelCurves.

    ``where`` renders a field path such as ``channels[2].saturation_max`` for the rejection message.
    """
    _check_keys(document, MODEL_FIELDS, OPTIONAL_MODEL_FIELDS, "", file, where)
    date_range = document["date_range"]
    if not isinstance(date_range, dict):
        raise ByommRejection(
            file, f"{fields.show(date_range)} is not an object with start and end", where("date_range")
        )
    _check_keys(date_range, DATE_RANGE_FIELDS, (), "date_range.", file, where)
    start = fields.calendar_date(date_range["start"], where("date_range.start"), file)
    end = fields.calendar_date(date_range["end"], where("date_range.end"), file)
    if start > end:
        raise ByommRejection(file, f"date_range start {start} is after end {end}", where("date_range.start"))

    channels = document["channels"]
    if not isinstance(channels, list) or not channels:
        raise ByommRejection(file, f"{fields.show(channels)} is not a non-empty list of channels", where("channels"))
    curves = tuple(_parse_channel(item, f"channels[{i}]", file, where) for i, item in enumerate(channels))
    _check_unique_channels(curves, file, where)

    segment = document.get("segment_id")
    return ModelCurves(
        model_id=fields.name(document["model_id"], where("model_id"), file),
        source=source,
        refreshed_at=fields.timestamp(document["refreshed_at"], where("refreshed_at"), file),
        date_range_start=start,
        date_range_end=end,
        total_revenue=fields.money(document["total_revenue"], where("total_revenue"), file),
        channels=curves,
        source_path=source_path,
        segment_id=None if segment is None else fields.name(segment, where("segment_id"), file),
    )


def _parse_channel(item: object, prefix: str, file: str, where: Callable[[str], str]) -> ChannelCurve:
    if not isinstance(item, dict):
        raise ByommRejection(file, f"{fields.show(item)} is not a channel object", where(prefix))
    _check_keys(item, CHANNEL_FIELDS, OPTIONAL_CHANNEL_FIELDS, f"{prefix}.", file, where)

    def at(key: str) -> str:
        return where(f"{prefix}.{key}")

    lower = fields.money(item["contribution_lower"], at("contribution_lower"), file)
    mean = fields.money(item["contribution_mean"], at("contribution_mean"), file)
    upper = fields.money(item["contribution_upper"], at("contribution_upper"), file)
    if not lower <= mean <= upper:
        raise ByommRejection(
            file,
            f"contribution interval out of order: lower {lower:,.2f} <= mean {mean:,.2f} <= upper {upper:,.2f} "
            "does not hold",
            at("contribution_lower" if lower > mean else "contribution_upper"),
        )
    slope = item.get("hill_slope")
    return ChannelCurve(
        channel_name=fields.name(item["channel_name"], at("channel_name"), file),
        display_name=fields.text(item["display_name"], at("display_name"), file),
        saturation_half_point=fields.positive(item["saturation_half_point"], at("saturation_half_point"), file),
        saturation_max=fields.money(item["saturation_max"], at("saturation_max"), file),
        hill_slope=DEFAULT_HILL_SLOPE if slope is None else fields.positive(slope, at("hill_slope"), file),
        contribution_mean=mean,
        contribution_lower=lower,
        contribution_upper=upper,
        spend=fields.money(item["spend"], at("spend"), file),
    )


def _check_keys(
    obj: Mapping[str, object],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    prefix: str,
    file: str,
    where: Callable[[str], str],
) -> None:
    for key in required:
        if key not in obj or obj[key] is None:
            raise ByommRejection(file, "required field is missing", where(prefix + key))
    allowed = set(required) | set(optional)
    for key in obj:
        if key not in allowed:
            raise ByommRejection(
                file, f"unknown field (allowed: {', '.join(required + optional)})", where(prefix + str(key))
            )


def _check_unique_channels(curves: tuple[ChannelCurve, ...], file: str, where: Callable[[str], str]) -> None:
    seen: dict[str, int] = {}
    for i, curve in enumerate(curves):
        if curve.channel_name in seen:
            raise ByommRejection(
                file,
                f"channel {curve.channel_name!r} appears twice (also channels[{seen[curve.channel_name]}])",
                where(f"channels[{i}].channel_name"),
            )
        seen[curve.channel_name] = i


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result
