"""What a build reads back from history, the deliberate reset, and how a --vars override merges."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from curvehouse.posterior.summaries import ARTIFACT_COLUMNS
from curvehouse.published import read_history
from curvehouse.reset import drop_history, find_history
from curvehouse.settings import merge, merged_setting


def _run(run_id: str, segment: str, status: str, at: str) -> list[dict]:
    return [
        {"run_id": run_id, "segment_id": segment, "artifact": "run", "parameter": "status", "details": status},
        {"run_id": run_id, "segment_id": segment, "artifact": "run", "parameter": "refreshed_at", "details": at},
        {"run_id": run_id, "segment_id": segment, "artifact": "run", "parameter": "r2_in_sample", "value": 0.9},
    ]


def _roi(run_id: str, segment: str, mean: float) -> list[dict]:
    return [
        {
            "run_id": run_id,
            "segment_id": segment,
            "artifact": "parameter",
            "parameter": "roi",
            "channel": "tv",
            "mean": mean,
            "sd": 0.1,
        },
        {"run_id": run_id, "segment_id": segment, "artifact": "parameter", "parameter": "sigma", "mean": 1.0},
        *(
            {
                "run_id": run_id,
                "segment_id": segment,
                "artifact": "draw",
                "parameter": "roi",
                "channel": "tv",
                "draw": d,
                "value": mean,
            }
            for d in range(50)
        ),
    ]


@pytest.fixture
def artifacts() -> duckdb.DuckDBPyConnection:
    """An artifact table as fit_segments stores it: emea has an old and a newer published run and a
    rejected newest one; apac has only a rejected run."""
    rows = [
        *_run("old", "emea", "published", "2026-01-05 10:00:00"),
        *_roi("old", "emea", 1.0),
        *_run("new", "emea", "published", "2026-02-02 10:00:00"),
        *_roi("new", "emea", 2.0),
        *_run("bad", "emea", "rejected", "2026-03-02 10:00:00"),
        *_roi("bad", "emea", 9.0),
        *_run("apac1", "apac", "rejected", "2026-03-02 10:00:00"),
        *_roi("apac1", "apac", 5.0),
    ]
    frame = pd.DataFrame(rows, columns=list(ARTIFACT_COLUMNS))
    con = duckdb.connect()
    con.register("artifact_rows", frame)
    con.execute("create table fit_segments as select * from artifact_rows")
    return con


def test_history_is_run_ids_and_the_current_runs_parameters_only(artifacts):
    history = read_history(artifacts, "fit_segments")
    assert history.run_ids == {"old", "new", "bad", "apac1"}
    params = history.current_parameters
    assert params[["segment_id", "channel", "parameter", "mean", "sd"]].to_dict("records") == [
        {"segment_id": "emea", "channel": "tv", "parameter": "roi", "mean": 2.0, "sd": 0.1}
    ]  # newest published; no draws, no sigma
    assert list(params["run_id"]) == ["new"]  # the run a refresh is centred on


def test_history_of_an_empty_table_is_empty(artifacts):
    artifacts.execute("delete from fit_segments")
    history = read_history(artifacts, "fit_segments")
    assert history.run_ids == frozenset() and history.current_parameters is None


def test_reset_drops_both_history_tables_and_nothing_else(tmp_path):
    db = tmp_path / "built.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema main_byomm")
        con.execute("create table fit_segments as select 'r1' as run_id union all select 'r2'")
        con.execute("create table main_byomm.int_curves_byomm as select 'v1' as run_id")
        con.execute("create table mmm_model_runs as select 'r1' as run_id")
        found = find_history(con)
        assert [(t.name, t.runs, t.rows) for t in found] == [("fit_segments", 2, 2), ("int_curves_byomm", 1, 1)]
        assert "2 built-in model runs" in found[0].describe()
        drop_history(con, found)
        left = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert left == {"mmm_model_runs"}


def test_an_override_changes_only_the_keys_it_names_at_every_depth():
    project = {
        "noise": "normal",
        "holdout_weeks": 8,
        "sampler": {"draws": 1000, "warmup": 1000, "seed": 7},
        "priors": {"roi_sd": 1.25},
    }
    merged = merge(project, {"sampler": {"draws": 500}})
    assert merged == {**project, "sampler": {"draws": 500, "warmup": 1000, "seed": 7}}
    assert project["sampler"]["draws"] == 1000  # the project's dict is not changed
    assert merge(project, {"noise": "student_t", "priors": {"new": 1}})["priors"] == {"roi_sd": 1.25, "new": 1}
    assert merge(project, {"sampler": None})["sampler"] is None  # a non-mapping replaces


def test_merged_setting_reads_the_var_as_json_or_mapping_and_refuses_other_values():
    project_settings = {"mmm": {"noise": "normal", "sampler": {"draws": 1000, "seed": 7}}}
    assert merged_setting(project_settings, "mmm", '{"sampler": {"draws": 5}}') == {
        "noise": "normal",
        "sampler": {"draws": 5, "seed": 7},
    }
    assert merged_setting(project_settings, "mmm", project_settings["mmm"]) == project_settings["mmm"]
    assert merged_setting(None, "planning", '{"roi_floor": 2}') == {"roi_floor": 2}
    with pytest.raises(TypeError, match="'mmm' must be a mapping"):
        merged_setting(project_settings, "mmm", "[1, 2]")
