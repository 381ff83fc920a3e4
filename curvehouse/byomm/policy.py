"""BYOMM rejection policy: report every rejected landing entry, and fail the build only if asked to.

Under ``warn`` (the default) a rejection is logged and recorded while every other model loads
and the last good curves of a rejected model stay current; under ``error`` the build also fails,
after the curves and the rejections table have been written.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["REJECTION_POLICIES", "ByommRejectionsFound", "rejection_lines", "enforce_rejection_policy"]

REJECTION_POLICIES = ("warn", "error")


class ByommRejectionsFound(RuntimeError):
    """Raised under byomm_rejection_policy=error when any landing entry was rejected; lists them all."""


def rejection_lines(rejections: pd.DataFrame) -> list[str]:
    """One log line per rejection, in the frame's order: file, reason and the offending field."""
    return [
        f"BYOMM rejected {row.file}: {row.reason}" + (f" (field {row.field})" if _present(row.field) else "")
        for row in rejections.itertuples()
    ]


def enforce_rejection_policy(rejections: pd.DataFrame, policy: str) -> pd.DataFrame:
    """Raise ByommRejectionsFound under 'error' when there are rejections; else one row per rejection let through."""
    if policy not in REJECTION_POLICIES:
        raise ValueError(f"var byomm_rejection_policy must be one of {REJECTION_POLICIES}, got {policy!r}")
    ordered = rejections.sort_values("file").reset_index(drop=True)
    lines = rejection_lines(ordered)
    if policy == "error" and lines:
        listed = "\n".join(f"  - {line}" for line in lines)
        raise ByommRejectionsFound(
            f"{len(lines)} BYOMM landing entr{'y was' if len(lines) == 1 else 'ies were'} rejected; the other models "
            f"loaded and the last good curves of these stay current (set var byomm_rejection_policy: warn to record "
            f"and continue):\n{listed}"
        )
    return pd.DataFrame(
        {
            "file": ordered["file"].astype(str),
            "message": pd.Series(lines, dtype=str),
            "policy": policy,
            "action": "recorded_and_continued",
        }
    )


def _present(value: object) -> bool:
    return value is not None and not pd.isna(value)
