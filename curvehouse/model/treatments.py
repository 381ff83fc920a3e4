"""Non-media treatments (price index, promotion depth, distribution) as model arrays.

A treatment enters the mean as effect * (x_t - x_ref): x_ref is its minimum over the segment's
window (Meridian's default baseline for non-media treatments), so its decomposition says how much
the treatment moved the outcome against its lowest level. The model samples the effect per treatment
standard deviation, in units of the segment's mean weekly outcome; published, it is per unit of the
treatment (outcome currency per week per unit of the registry's unit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from curvehouse.model.grid import week_positions

__all__ = ["TreatmentArrays", "treatment_arrays"]

KIND = "treatment"  # variable_kind of the long input's treatment rows


@dataclass(frozen=True)
class TreatmentArrays:
    """Shapes: S segments, T padded weeks, J treatments."""

    names: tuple[str, ...]
    reference: np.ndarray  # (S, J) x_ref: minimum over the segment's weeks
    scale: np.ndarray  # (S, J) standard deviation over the segment's weeks (1 where constant or absent)
    standardised: np.ndarray  # (S, T, J) (x - x_ref) / scale, 0 in padding and missing weeks
    mask: np.ndarray  # (S, J) 1 where the treatment varies in the segment's window


def treatment_arrays(
    long: pd.DataFrame, segments: tuple[str, ...], weeks: tuple[tuple[pd.Timestamp, ...], ...], n_t: int
) -> TreatmentArrays:
    """Pivot the long input's treatment rows (variable_name = the treatment) into padded arrays."""
    rows = long[long["variable_kind"] == KIND]
    names = tuple(sorted(rows["variable_name"].unique()))
    n_s, n_j = len(segments), len(names)
    raw = np.full((n_s, n_t, n_j), np.nan)
    seg, t = week_positions(rows["segment_id"], rows["week_start"], segments, weeks)
    keep = t >= 0
    col = pd.Index(names).get_indexer(rows["variable_name"].to_numpy()[keep])
    raw[seg[keep], t[keep], col] = rows["value"].to_numpy(dtype=float)[keep]
    present = np.isfinite(raw)
    has_any = present.any(axis=1)
    with np.errstate(all="ignore"):
        reference = np.where(has_any, np.nanmin(np.where(present, raw, np.inf), axis=1), 0.0)
        count = np.maximum(present.sum(axis=1), 1)
        mean = np.where(present, raw, 0.0).sum(axis=1) / count
        sd = np.sqrt(np.where(present, (raw - mean[:, None, :]) ** 2, 0.0).sum(axis=1) / count)
    varies = has_any & (sd > 1e-9)
    scale = np.where(varies, sd, 1.0)
    standardised = np.where(present & varies[:, None, :], (raw - reference[:, None, :]) / scale[:, None, :], 0.0)
    return TreatmentArrays(names, reference, scale, standardised, varies.astype(float))
