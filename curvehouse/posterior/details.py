"""The JSON ``details`` of a fit artifact row: attributes without a column of their own in fit_segments.

The marts read each field with the SQL macro ``detail(key)`` (macros/detail.sql), as text.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["details_json"]


def details_json(**fields: Any) -> str:
    """A compact JSON object with sorted keys; NaN and None become null, numpy scalars plain numbers."""

    def plain(value: Any) -> Any:
        if value is None:
            return None
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value

    return json.dumps({key: plain(v) for key, v in fields.items()}, sort_keys=True, separators=(",", ":"))
