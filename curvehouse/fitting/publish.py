"""The publish rule: a fitted run is published only if its diagnostics, fit and numbers pass."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse.model.spec import ModelSpec

__all__ = ["all_finite", "publish_failures"]


def publish_failures(
    spec: ModelSpec, worst: dict[str, float], divergences: int, r2: float, quantities_finite: bool
) -> list[str]:
    """Why a run is rejected (empty: it is published), against the methodology's publish thresholds.

    worst: the segment's max_rhat, min_ess_bulk and min_ess_tail; divergences: divergent transitions
    over all chains; r2: in-sample R2; quantities_finite: all_finite of its curves and summary.
    A NaN diagnostic or R2 fails its check.
    """
    p = spec.publish
    reasons = []
    if not worst["max_rhat"] <= p.rhat_max:
        reasons.append(f"max R-hat {worst['max_rhat']:.3f} > {p.rhat_max}")
    if not min(worst["min_ess_bulk"], worst["min_ess_tail"]) >= p.ess_min:
        reasons.append(f"min ESS {min(worst['min_ess_bulk'], worst['min_ess_tail']):.0f} < {p.ess_min:.0f}")
    if divergences > p.divergences_max:
        reasons.append(f"{divergences} divergent transitions > {p.divergences_max}")
    if not (r2 >= p.r2_min):
        reasons.append(f"in-sample R2 {r2:.2f} < {p.r2_min}")
    if not quantities_finite:
        reasons.append("non-finite values in the curves or channel summary (never published)")
    return reasons


def all_finite(rows: pd.DataFrame) -> bool:
    """Curve points (mean and 90% interval) and summary metrics (mean) are all finite numbers."""
    curve = rows.loc[rows["artifact"] == "curve", ["mean", "p05", "p95"]].to_numpy(dtype=float)
    summary = rows.loc[rows["artifact"] == "summary", "mean"]
    return bool(np.isfinite(curve).all() and np.isfinite(summary.to_numpy(dtype=float)).all())
