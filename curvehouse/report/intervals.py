"""80% intervals of sums (all channels, a channel group, a channel over segments) from the published
posterior draws (mmm_posterior_draws, parameter contribution).

Summing channels' interval bounds is not an interval of the sum, and no table publishes one. It is
computed from the draws instead: per posterior draw (chain, draw), the contributions summed, then
the 10th and 90th percentiles of those sums. Segments fitted apart are independent, so pairing their
draws by index samples the joint posterior; segments fitted together (partial pooling) share the
index by construction. A sum with any (segment, channel) that has no draws (a BYOMM curve) has no
interval: NaN, which the pages state as not published.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["LEVEL", "contribution_draws", "interval_by", "share_interval_by"]

LOW, HIGH = 0.10, 0.90
LEVEL = "80%"


def contribution_draws(draws: pd.DataFrame) -> pd.DataFrame:
    """Posterior contribution draws wide: one row per (chain, draw), one column per (segment_id, channel);
    only the draw indices every segment has (pairing needs the same index)."""
    if draws.empty:
        return pd.DataFrame()
    rows = draws[(draws["draw_kind"] == "posterior") & (draws["parameter"] == "contribution")]
    if rows.empty:
        return pd.DataFrame()
    wide = rows.pivot_table(index=["chain", "draw"], columns=["segment_id", "channel"], values="value")
    return wide.dropna()


def _sums(wide: pd.DataFrame, keys: pd.DataFrame, label: str) -> pd.DataFrame:
    """Per-draw sums per label (columns); a label with any pair missing from ``wide`` is left out."""
    sums: dict[object, pd.Series] = {}
    for value, pairs in keys.groupby(label, sort=False):
        columns = list(zip(pairs["segment_id"], pairs["channel"], strict=True))
        if len(wide) and all(c in wide.columns for c in columns):
            sums[value] = wide[columns].sum(axis=1)
    return pd.DataFrame(sums)


def interval_by(wide: pd.DataFrame, keys: pd.DataFrame, label: str) -> pd.DataFrame:
    """80% interval (columns low, high) of the summed contribution per value of ``keys[label]``
    (keys: one row per segment_id x channel); NaN where a pair has no draws."""
    labels = keys[label].drop_duplicates()
    sums = _sums(wide, keys, label)
    out = pd.DataFrame(index=pd.Index(labels, name=label), columns=["low", "high"], dtype=float)
    for value in sums.columns:
        out.loc[value] = np.quantile(sums[value].to_numpy(), [LOW, HIGH])
    return out


def share_interval_by(wide: pd.DataFrame, keys: pd.DataFrame, label: str) -> pd.DataFrame:
    """80% interval (columns share_low, share_high) of each label's share of the total over all keys,
    per draw; NaN unless every pair has draws."""
    labels = keys[label].drop_duplicates()
    sums = _sums(wide, keys, label)
    out = pd.DataFrame(index=pd.Index(labels, name=label), columns=["share_low", "share_high"], dtype=float)
    if len(sums.columns) == len(labels):
        share = sums.div(sums.sum(axis=1), axis=0)
        for value in share.columns:
            out.loc[value] = np.quantile(share[value].to_numpy(), [LOW, HIGH])
    return out
