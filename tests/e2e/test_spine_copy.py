"""The pandas spine (curvehouse.bench.model_input_from_demo), on which the unit tests and the benchmark
fit, is the dbt spine (int_model_input_weekly) row for row on the demo data.

The dbt spine further keeps the trailing var window_weeks only, leaves deferred channels out and adds
the holiday counts of seed holidays; the pandas copy keeps every complete week and channel and no
holidays, and those are the only differences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import generate_demo

pytestmark = pytest.mark.e2e

KEY = ["segment_id", "week_start", "variable_kind", "variable_name"]


def test_the_pandas_spine_is_the_dbt_spine_row_for_row(demo_build):
    dbt_spine = demo_build.query("select * from int_model_input_weekly")
    deferred = set(demo_build.query("select channel from mmm_channel_deferrals")["channel"])
    copy, _ = model_input_from_demo(generate_demo())  # the generator's defaults wrote data/demo
    copy = copy.assign(week_start=pd.to_datetime(copy["week_start"]))

    holidays = dbt_spine["variable_name"] == "holidays"
    assert holidays.any() and not (copy["variable_name"] == "holidays").any()
    window = dbt_spine[["segment_id", "week_start"]].drop_duplicates()
    kept = copy.merge(window, on=["segment_id", "week_start"])
    dropped_channels = set(kept.loc[kept["variable_kind"] == "spend", "variable_name"]) - set(
        dbt_spine.loc[dbt_spine["variable_kind"] == "spend", "variable_name"]
    )
    assert deferred and dropped_channels == deferred
    kept = kept[~kept["variable_name"].isin(deferred)]

    ours = dbt_spine[~holidays].sort_values(KEY).reset_index(drop=True)
    theirs = kept.sort_values(KEY).reset_index(drop=True)
    assert len(ours) == len(theirs) > 0
    pd.testing.assert_frame_equal(ours[KEY], theirs[KEY], check_dtype=False)
    np.testing.assert_allclose(ours["value"], theirs["value"], rtol=1e-9, atol=1e-9)
    assert copy["week_start"].min() < window["week_start"].min()  # the copy also has the earlier weeks
