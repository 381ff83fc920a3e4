"""Where rows of the long input fall on the padded (segment, week) grid of curvehouse.model.data."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["segment_weeks", "week_positions"]


def segment_weeks(segment_ids: pd.Series, week_starts: pd.Series, segments: tuple[str, ...]) -> tuple[tuple, ...]:
    """Per segment (in the order given), its distinct weeks sorted, as Timestamps."""
    codes = pd.Categorical(segment_ids, categories=list(segments)).codes
    keys = pd.DataFrame({"s": codes, "w": pd.DatetimeIndex(week_starts)}).drop_duplicates()
    keys = keys[keys["s"] >= 0].sort_values(["s", "w"])
    bounds = np.cumsum(np.bincount(keys["s"], minlength=len(segments)))[:-1]
    return tuple(tuple(part) for part in np.split(pd.DatetimeIndex(keys["w"]), bounds))


def week_positions(
    segment_ids: pd.Series, week_starts: pd.Series, segments: tuple[str, ...], weeks: tuple[tuple, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """(segment index, week index) of every row; -1 in both where its segment or week is not on the grid."""
    grid = pd.MultiIndex.from_arrays(
        [
            np.repeat(np.arange(len(segments)), [len(w) for w in weeks]),
            pd.DatetimeIndex([w for ws in weeks for w in ws]),
        ]
    )
    codes = pd.Categorical(segment_ids, categories=list(segments)).codes
    found = grid.get_indexer(pd.MultiIndex.from_arrays([codes, pd.DatetimeIndex(week_starts)]))
    t = np.concatenate([np.arange(len(w)) for w in weeks] or [np.zeros(0, int)])[found]
    hit = found >= 0
    return np.where(hit, codes, -1).astype(int), np.where(hit, t, -1).astype(int)
