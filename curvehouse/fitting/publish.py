"""The publish rule: a fitted run is published only if none of its blocking review checks fails."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse.model.spec import ModelSpec
from curvehouse.review.checks import Check
from curvehouse.review.rows import blocks

__all__ = ["finite_segments", "publish_failures"]


def publish_failures(spec: ModelSpec, checks: list[Check]) -> list[str]:
    """Why a run is rejected (empty: it is published): the messages of its failing checks whose name
    is in the methodology's review.blocking (default: max R-hat, min ESS, divergences and finite
    numbers, against the publish thresholds; curvehouse.review.rows builds them)."""
    return [c.message for c in checks if c.outcome == "fail" and blocks(spec, c)]


def finite_segments(rows: pd.DataFrame) -> set[str]:
    """The segments whose curve points (mean and 90% interval) and summary metrics (mean) are all
    finite numbers, judged over every segment's rows at once."""
    curve = rows["artifact"].eq("curve").to_numpy()
    summary = rows["artifact"].eq("summary").to_numpy()
    bounds = rows[["mean", "p05", "p95"]].to_numpy(dtype=float)
    bad = (curve & ~np.isfinite(bounds).all(axis=1)) | (summary & ~np.isfinite(bounds[:, 0]))
    flagged = pd.Series(bad, index=rows.index).groupby(rows["segment_id"]).any()
    return set(flagged.index[~flagged])
