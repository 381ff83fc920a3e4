"""Strict parsers for one field of a BYOMM model file; each failure names file, field and value.

Shared by the custom JSON and Recast readers so that both formats obey the same rules:
numbers are finite JSON numbers (never booleans or text), money is non-negative, timestamps are
ISO 8601 (returned as naive UTC), dates are ISO calendar dates, names are safe to carry as data.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

from curvehouse.byomm.records import ByommRejection
from curvehouse.inputs.validate import unsafe_name_reason

__all__ = ["number", "money", "positive", "name", "text", "timestamp", "calendar_date", "show"]

_TEXT_MAX_LENGTH = 200


def show(value: object) -> str:
    """A short, readable rendering of a value for a rejection message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def number(value: object, field: str, file: str) -> float:
    """A finite number (int or float, not bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ByommRejection(file, f"{show(value)} is not a number", field)
    if not math.isfinite(value):
        raise ByommRejection(file, f"{show(value)} is not a finite number", field)
    return float(value)


def money(value: object, field: str, file: str) -> float:
    """A non-negative amount in outcome currency."""
    amount = number(value, field, file)
    if amount < 0:
        raise ByommRejection(file, f"{amount:,.2f} is negative; money must be >= 0", field)
    return amount


def positive(value: object, field: str, file: str) -> float:
    """A strictly positive number (a half point or a slope: zero makes the curve undefined)."""
    amount = number(value, field, file)
    if amount <= 0:
        raise ByommRejection(file, f"{amount:g} must be > 0", field)
    return amount


def text(value: object, field: str, file: str) -> str:
    """Non-empty text of at most 200 characters, without control characters."""
    if not isinstance(value, str) or not value.strip():
        raise ByommRejection(file, f"{show(value)} is not a non-empty string", field)
    if len(value) > _TEXT_MAX_LENGTH or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise ByommRejection(
            file, f"{show(value)} is longer than {_TEXT_MAX_LENGTH} characters or has control characters", field
        )
    return value


def name(value: object, field: str, file: str) -> str:
    """An identifier (model, segment, channel) that is safe to carry into the warehouse as data."""
    checked = text(value, field, file)
    problem = unsafe_name_reason(checked)
    if problem or checked != checked.strip():
        raise ByommRejection(
            file,
            f"{show(checked)} {problem or 'has leading or trailing spaces'}; names may not contain quotes, "
            "backticks, semicolons, backslashes or control characters",
            field,
        )
    return checked


def timestamp(value: object, field: str, file: str) -> datetime:
    """An ISO 8601 date or date-time; an offset is converted to UTC, and the result is naive UTC."""
    if not isinstance(value, str):
        raise ByommRejection(file, f"{show(value)} is not an ISO 8601 timestamp string", field)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ByommRejection(
            file, f"{show(value)} is not an ISO 8601 timestamp (e.g. 2025-01-15T09:30:00Z)", field
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def calendar_date(value: object, field: str, file: str) -> date:
    """An ISO 8601 calendar date, YYYY-MM-DD."""
    if not isinstance(value, str):
        raise ByommRejection(file, f"{show(value)} is not an ISO 8601 date string", field)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ByommRejection(file, f"{show(value)} is not an ISO 8601 date (YYYY-MM-DD)", field) from None
