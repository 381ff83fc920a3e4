"""Organic channels stay out of every spend and ROI figure of the report's board."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse.report.intervals import contribution_draws
from curvehouse.report.summary import _split_organic


def test_the_board_reads_paid_rows_and_lists_organic_contributions_apart():
    context = pd.DataFrame(
        {
            "segment_id": ["a", "a", "b", "b"],
            "channel": ["search", "newsletter", "search", "newsletter"],
            "display_name": ["Search", "Newsletter", "Search", "Newsletter"],
            "channel_kind": ["paid", "organic", "paid", "organic"],
            "saturation_unit": ["spend", "sends", "spend", "sends"],
            "spend": [100.0, None, 50.0, None],
            "contribution_mean": [300.0, 40.0, 90.0, 20.0],
            "contribution_lower": [200.0, 30.0, 60.0, 10.0],
            "contribution_upper": [400.0, 50.0, 120.0, 30.0],
        }
    )
    rng = np.random.default_rng(0)
    per_draw = {
        (s, c): rng.normal(m, 5.0, 50)
        for s, c, m in zip(context["segment_id"], context["channel"], [300, 40, 90, 20], strict=True)
    }
    draws = pd.DataFrame(
        [
            {
                "chain": 0,
                "draw": d,
                "segment_id": s,
                "channel": c,
                "draw_kind": "posterior",
                "parameter": "contribution",
                "value": v[d],
            }
            for (s, c), v in per_draw.items()
            for d in range(50)
        ]
    )
    paid, organic = _split_organic(context, contribution_draws(draws))
    assert set(paid["channel"]) == {"search"} and paid["contribution_mean"].sum() == 390.0
    row = organic.set_index("channel").loc["newsletter"]
    assert (row["unit"], row["contribution"]) == ("sends", 60.0)
    # The interval of the sum over segments, per draw (not the summed bounds 40-80 of the context rows).
    low, high = np.quantile(per_draw[("a", "newsletter")] + per_draw[("b", "newsletter")], [0.1, 0.9])
    assert (row["low"], row["high"]) == (low, high)
    without_kind = context.drop(columns=["channel_kind"])
    assert _split_organic(without_kind, pd.DataFrame())[0] is without_kind
    assert _split_organic(without_kind, pd.DataFrame())[1].empty
