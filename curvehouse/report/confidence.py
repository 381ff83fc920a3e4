"""Model confidence for people: the backtests' forecast error and interval coverage, in words.

A lone R2 says how well the model fits weeks it has seen; the backtests (mmm_backtests) say how
well a fit forecasts weeks it has not, and whether its intervals are honest about it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Confidence", "model_confidence"]

BYOMM_ONLY = "not stated: the current curves come from BYOMM exports, which publish no backtests"
NO_BACKTESTS = (
    "no backtests in the current runs (mmm.backtest.folds is 0, or no segment has enough history "
    "to leave min_train_weeks before the first cutoff)"
)
OVERCONFIDENT = 0.6  # 80% coverage under this reads as intervals far too narrow


@dataclass(frozen=True)
class Confidence:
    """figures: backtest MAPE and 80% coverage, pooled and worst segment; meaning: one plain sentence."""

    figures: str
    meaning: str


def model_confidence(backtests: pd.DataFrame, runs: pd.DataFrame) -> Confidence:
    """From the current rows of mmm_backtests and mmm_model_runs (built-in runs only)."""
    if runs.empty:
        return Confidence(BYOMM_ONLY, "")
    if backtests.empty:
        return Confidence(NO_BACKTESTS, "")
    mape = float(backtests["abs_pct_error"].mean())
    cover = float(backtests["in_interval_80"].astype(float).mean())
    by_segment = backtests.groupby("segment_id").agg(
        mape=("abs_pct_error", "mean"), cover=("in_interval_80", lambda v: v.astype(float).mean())
    )
    weeks = int(backtests.groupby("segment_id")["week_start"].nunique().max())
    segments = len(by_segment)
    figures = (
        f"backtest MAPE {mape:.1%} (worst segment {by_segment['mape'].max():.1%}); "
        f"80% interval coverage {cover:.0%} (lowest segment {by_segment['cover'].min():.0%}; 80% expected)"
    )
    where = f"{segments} segment{'s' if segments != 1 else ''}"
    meaning = (
        f"On the last {weeks} held-out weeks ({where}, each week forecast by a fit that had not seen it) "
        f"the forecast was off by {mape:.1%} on average; its 80% interval held the actual in "
        f"{cover:.0%} of weeks (80% expected)."
    )
    if cover < OVERCONFIDENT:
        meaning += " That is far fewer: the intervals are too narrow, so read the stated uncertainty as understated."
    return Confidence(figures, meaning)
