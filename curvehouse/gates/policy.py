"""Gate policy: turn failed error-severity gates into a build failure, or record them."""

from __future__ import annotations

import pandas as pd

__all__ = ["GATE_POLICIES", "GateFailure", "blocking_failures", "enforce_gate_policy"]

GATE_POLICIES = ("error", "warn")


class GateFailure(RuntimeError):
    """Raised when a gate failed under gate_policy=error; lists every failure."""


def blocking_failures(results: pd.DataFrame) -> pd.DataFrame:
    """Failed gate rows of error severity, in a stable order."""
    failed = results[(~results["success"].astype(bool)) & (results["severity"] == "error")]
    return failed.sort_values(["segment_id", "gate", "rule"]).reset_index(drop=True)


def enforce_gate_policy(results: pd.DataFrame, policy: str) -> pd.DataFrame:
    """Raise GateFailure under policy 'error' when any gate failed; else list the failures.

    The returned frame has one row per failed error-severity gate with the action taken, so a
    `warn` run still leaves a record of what it let through.
    """
    if policy not in GATE_POLICIES:
        raise ValueError(f"var gate_policy must be one of {GATE_POLICIES}, got {policy!r}")
    failed = blocking_failures(results)
    if policy == "error" and len(failed):
        lines = "\n".join(f"  - {m}" for m in failed["message"])
        raise GateFailure(
            f"{len(failed)} data gate(s) failed; the segments named below are not fitted and "
            f"their last published results stay current (set var gate_policy: warn to record "
            f"and continue):\n{lines}"
        )
    return pd.DataFrame(
        {
            "segment_id": failed["segment_id"].astype(str),
            "gate": failed["gate"].astype(str),
            "rule": failed["rule"].astype(str),
            "message": failed["message"].astype(str),
            "policy": policy,
            "action": "recorded_and_continued",
        }
    )
