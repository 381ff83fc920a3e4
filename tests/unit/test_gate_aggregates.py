"""The gates' pushed-down aggregates: the generated SQL run for real on DuckDB over the gate frames,
and run_gates fed by those aggregates giving the same result rows as run_gates on pandas frames.

GX's SQL data source over DuckDB is broken in GX 1.24, so GX itself validates the pandas frames here;
what the warehouse path changes (segments and the min / max in messages) comes from the SQL.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from curvehouse.gates.aggregates import FrameAggregates, aggregate_sql, frame_aggregates, read_aggregates
from curvehouse.gates.runner import aggregate_columns, load_suites, run_gates
from tests.unit.test_gates import GAP_WEEK, SUITES_DIR, gate_frames, plant_gap

COLUMNS = aggregate_columns(load_suites(SUITES_DIR))


def sql_aggregates(frames: dict[str, pd.DataFrame], where: str = "") -> dict[str, FrameAggregates]:
    """Each frame loaded into DuckDB and summarised by the generated SQL."""
    con = duckdb.connect()
    aggregates = {}
    for name, frame in frames.items():
        con.register(f"{name}_df", frame)
        con.execute(f"create table {name} as select * from {name}_df")
        query = f"select * from {name}{where}"
        rows = con.execute(aggregate_sql(query, COLUMNS.get(name, ()))).fetchall()
        (segments,) = con.execute(f"select count(*) from (select distinct segment_id from ({query}))").fetchone()
        assert len(rows) == segments  # one row per segment comes back, nothing more
        columns = [d[0] for d in con.execute(f"{query} limit 0").description]
        aggregates[name] = read_aggregates(rows, COLUMNS.get(name, ()), columns)
    return aggregates


def failing_frames() -> dict[str, pd.DataFrame]:
    frames = gate_frames({"emea": 13, "apac": 10, "latam": 14})
    plant_gap(frames, "emea", "tv", GAP_WEEK, 10_700.0)
    outcomes = frames["outcome_weeks"]
    outcomes.loc[
        (outcomes["segment_id"] == "latam") & (outcomes["week_start"] == pd.Timestamp(GAP_WEEK)), "outcome"
    ] = None
    spend = frames["spend_weeks"]
    spend.loc[(spend["segment_id"] == "apac") & (spend["channel"] == "tv"), "has_spend_rows"] = False
    drivers = frames["driver_weeks"]
    drivers.loc[(drivers["segment_id"] == "emea") & (drivers["week_start"] == pd.Timestamp(GAP_WEEK)), "is_present"] = (
        False
    )
    return frames


def test_the_messages_need_min_max_of_the_gap_and_the_history_only():
    assert COLUMNS == {"platform_gaps": ("gap_ratio",), "segment_history": ("n_weeks_history",)}


@pytest.mark.parametrize("make", [lambda: gate_frames({"emea": 13, "apac": 14}), failing_frames])
def test_sql_aggregates_equal_the_pandas_ones(make):
    frames = make()
    by_sql = sql_aggregates(frames)

    for name, frame in frames.items():
        by_pandas = frame_aggregates(frame, COLUMNS.get(name, ()))
        assert by_sql[name].columns == by_pandas.columns
        assert by_sql[name].has_null_segment is by_pandas.has_null_segment is False
        assert by_sql[name].segments == by_pandas.segments  # min and max are exact: no rounding


@pytest.mark.parametrize(
    ("make", "passes"), [(lambda: gate_frames({"emea": 13, "apac": 14}), True), (failing_frames, False)]
)
def test_run_gates_fed_by_the_sql_aggregates_gives_the_same_rows(make, passes: bool):
    frames = make()
    params = {"platform_gap_tolerance": 0.05}

    on_pandas = run_gates(frames, params, SUITES_DIR)
    pushed = run_gates(frames, params, SUITES_DIR, aggregates=sql_aggregates(frames))

    compared = [c for c in on_pandas.columns if c != "validated_at"]
    pd.testing.assert_frame_equal(pushed[compared], on_pandas[compared])
    assert bool(on_pandas["success"].all()) is passes


def test_the_segments_come_from_the_aggregates():
    frames = failing_frames()
    only_emea = sql_aggregates(frames, where=" where segment_id = 'emea'")

    results = run_gates(frames, {}, SUITES_DIR, aggregates=only_emea)

    assert set(results["segment_id"]) == {"emea"}
    gap = results[results["gate"] == "platform_gap"].iloc[0]
    assert gap["observed_value"] == "max gap 7.0% (tolerance 5.0%)"


def test_a_null_segment_in_the_warehouse_is_named():
    frames = gate_frames({"emea": 13})
    frames["outcome_weeks"].loc[0, "segment_id"] = None

    aggregates = sql_aggregates(frames)

    assert aggregates["outcome_weeks"].has_null_segment
    with pytest.raises(ValueError, match="frame 'outcome_weeks'.*null segment_id"):
        run_gates(None, {}, SUITES_DIR, sql_source=object(), aggregates=aggregates)


def test_columns_must_be_plain_identifiers():
    with pytest.raises(ValueError, match="plain SQL identifier"):
        aggregate_sql("select * from t", ["gap_ratio); drop table t; --"])


def test_frames_are_needed_without_a_sql_source():
    with pytest.raises(ValueError, match="needs frames"):
        run_gates(None, {}, SUITES_DIR, aggregates=sql_aggregates(gate_frames({"emea": 13})))
