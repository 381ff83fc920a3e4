"""Organic channels stay out of every spend and ROI figure of the report's board."""

from __future__ import annotations

import pandas as pd

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
    paid, organic = _split_organic(context)
    assert set(paid["channel"]) == {"search"} and paid["contribution_mean"].sum() == 390.0
    row = organic.set_index("channel").loc["newsletter"]
    assert (row["unit"], row["contribution"], row["contribution_low"], row["contribution_high"]) == (
        "sends",
        60.0,
        40.0,
        80.0,
    )
    without_kind = context.drop(columns=["channel_kind"])
    assert _split_organic(without_kind)[0] is without_kind and _split_organic(without_kind)[1].empty
