"""The refresh benchmark's inputs and bookkeeping: the public data converters, the monthly refresh
dates and the explanation of a ROI move (no fits here; tests/unit/test_refresh_fit.py fits)."""

from __future__ import annotations

import pandas as pd

from curvehouse import bench
from curvehouse.model.data import build_model_data
from curvehouse.public_data import ROBYN_PATH, model_input_from_robyn
from curvehouse.refresh_bench import NATIONAL_MEDIA, explain_move, monthly_ends


def test_robyn_becomes_one_segment_of_spend_channels_and_controls():
    raw = pd.read_csv(ROBYN_PATH, parse_dates=["DATE"])
    long, registry = model_input_from_robyn()
    data = build_model_data(long, {}, 8)
    assert data.segments == ("robyn",) and int(data.n_weeks[0]) == len(raw)
    assert set(data.channels) == {c.removesuffix("_S") for c in raw.columns if c.endswith("_S")}
    assert set(registry["channel"]) == set(data.channels)
    named = sorted(set(raw["events"]) - {"na"})
    assert {"competitor_sales_B", "newsletter", *(f"event_{e}" for e in named)} <= set(data.controls)
    for event in named:
        weeks = long[(long["variable_name"] == f"event_{event}") & (long["value"] > 0)]["week_start"]
        assert list(weeks) == list(raw.loc[raw["events"] == event, "DATE"])
    tv = long[long["variable_name"] == "tv"]["value"].to_numpy()
    assert tv.sum() == raw["tv_S"].sum()


def test_a_national_meridian_file_is_one_segment_named_after_it():
    long, registry = bench.model_input_from_geo_media(NATIONAL_MEDIA)
    raw = pd.read_csv(NATIONAL_MEDIA)
    assert set(long["segment_id"]) == {"national_media"}
    assert len(registry) == sum(c.endswith("_spend") for c in raw.columns)
    assert long["week_start"].nunique() == len(raw)


def test_monthly_ends_are_the_last_week_of_each_of_the_last_months():
    weeks = pd.date_range("2024-01-01", "2025-06-30", freq="W-MON")
    ends = monthly_ends(weeks, 12)
    assert len(ends) == 13 and ends[-1] == weeks[-1]
    assert [e.to_period("M") for e in ends] == list(pd.period_range(end=weeks[-1].to_period("M"), periods=13))
    assert all((weeks[weeks.to_period("M") == e.to_period("M")].max() == e) for e in ends)


def test_a_move_is_explained_by_a_spend_change_spend_beyond_the_fitted_range_or_the_outcome():
    before = pd.DataFrame({"value": [100.0, 120.0, 80.0, 100.0]})
    assert explain_move(before.copy(), before, 1000.0, 1000.0) == ""
    assert "+50%" in explain_move(before * 1.5, before, 1000.0, 1000.0)
    beyond = pd.DataFrame({"value": [90.0, 100.0, 130.0, 80.0]})
    assert "above the fitted range" in explain_move(beyond, before, 1000.0, 1000.0)
    assert "new spend" in explain_move(before, before * 0, 1000.0, 1000.0)
    assert "outcome/week 1,000 -> 700 (-30%" in explain_move(before, before, 700.0, 1000.0)
