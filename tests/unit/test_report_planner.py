"""The planner page's embedded data, from tiny frames: the draws as the SQL functions read them
(compacted where constant, draw ids where a channel lacks some), the base outcome, rank-1 frontier
levels, thinning past MAX_DRAWS, and the reason a segment cannot be planned."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from curvehouse.planning.schema import PLANNING_COLUMNS
from curvehouse.report import planner
from curvehouse.report.tables import Tables

DRAWS = pd.DataFrame(
    [
        ("r1", "a", "tv", 0, 1000.0, 2000.0, 1.0, 1.5, "posterior_draws"),
        ("r1", "a", "tv", 1, 1100.0, 4000.0, 1.0, 1.5, "posterior_draws"),
        ("r1", "a", "tv", 2, 1200.0, 3000.0, 1.0, 1.5, "posterior_draws"),
        ("r1", "a", "search", 1, 500.0, 1000.0, 2.0, 1.5, "posterior_draws"),
    ],
    columns=list(PLANNING_COLUMNS["mmm_planning_curve_draws"]),
)
CHANNELS = pd.DataFrame(
    {
        "run_id": ["r1", "r1"],
        "segment_id": ["a", "a"],
        "channel": ["tv", "search"],
        "display_name": ["TV", None],
        "channel_group": ["brand", "performance"],
        "current_weekly_spend": [1000.0, 500.0],
        "observed_spend_min": [200.0, None],
        "observed_spend_max": [3000.0, None],
        "roi_floor": [1.0, 1.0],
        "calibration_factor": [1.5, 1.5],
        "base_outcome_weekly": [10_000.0, 10_000.0],
        "interval_source": ["posterior_draws", "posterior_draws"],
    }
)
FRONTIER = pd.DataFrame(
    {
        "segment_id": ["a"] * 4,
        "budget_level": [1, 1, 1, 1],
        "rank": [1, 1, 2, 2],
        "channel": ["tv", "search", "tv", "search"],
        "total_weekly_budget": [1500.0] * 4,
        "is_budget_capped": [False] * 4,
        "weekly_spend": [900.0, 600.0, 1000.0, 500.0],
    }
)


def tables(**frames: pd.DataFrame | None) -> Tables:
    defaults = {
        "mmm_curves": pd.DataFrame({"segment_id": ["a", "b"], "is_current": [True, True]}),
        "mmm_planning_channels": CHANNELS,
        "mmm_planning_curve_draws": DRAWS,
        "mmm_efficient_frontier": FRONTIER,
    }
    return Tables({**defaults, **frames})


def test_the_payload_holds_the_draws_the_sql_functions_read():
    data, why = planner.planner_data(tables())
    assert why == {"b": "no rows in mmm_planning_channels and mmm_planning_curve_draws for this segment"}
    (segment,) = data
    assert (segment["segment_id"], segment["run_id"], segment["base"]) == ("a", "r1", 15_000.0)
    assert segment["draws"] == [0, 1, 2] and segment["draws_published"] == 3
    search, tv = segment["channels"]  # sorted by channel
    assert tv["curve"] == {"K": [1000.0, 1100.0, 1200.0], "M": [2000.0, 4000.0, 3000.0], "S": 1.0, "C": 1.5, "d": None}
    assert search["curve"]["d"] == [1] and search["curve"]["K"] == 500.0  # only draw 1: SQL groups per draw
    assert (search["name"], search["min"], search["max"]) == ("search", None, None)
    assert (tv["name"], tv["group"], tv["min"], tv["max"]) == ("TV", "brand", 200.0, 3000.0)
    assert segment["frontier"] == [
        {"level": 1, "budget": 1500.0, "capped": False, "spend": {"tv": 900.0, "search": 600.0}}
    ]


def test_more_draws_than_the_cap_are_thinned_evenly_and_said(monkeypatch):
    monkeypatch.setattr(planner, "MAX_DRAWS", 2)
    (segment,), _ = planner.planner_data(tables())
    assert segment["draws"] == [0, 2] and segment["draws_published"] == 3
    tv = segment["channels"][1]
    assert tv["curve"]["K"] == [1000.0, 1200.0] and tv["curve"]["d"] is None
    assert segment["channels"][0]["curve"] is None  # search has only draw 1, thinned away


def test_the_page_embeds_the_payload_and_says_what_is_missing():
    body = planner.planner_page(tables())
    embedded = re.search(r"<script type=application/json id=planner-data>(.*?)</script>", body).group(1)
    assert json.loads(embedded) == planner.planner_data(tables())[0]
    assert f"data-embedded-bytes={len(embedded)}" in body
    assert "Budget planner for b: not built yet" in body
    assert "not built yet" in planner.planner_page(tables(mmm_planning_curve_draws=None))


@pytest.mark.parametrize("name", ["</script><script>alert(1)//", "a</b"])
def test_data_cannot_close_the_script_element(name):
    channels = CHANNELS.assign(display_name=[name, name])
    body = planner.planner_page(tables(mmm_planning_channels=channels))
    assert body.count("</script>") == 2  # the data block's and the code's own
