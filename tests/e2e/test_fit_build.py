"""The built-in fit through real `dbt build`s: published tables, publish rule, idempotent reruns,
lift tests (experiments.csv) as data with mmm_experiments and their alert.

Fits are kept tiny (conftest.SMALL_FIT) with publish thresholds loosened to match, so the tests
exercise the plumbing; full-size fits run in the demo and the benchmark.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curvehouse.demo._curves import hill
from tests.e2e.conftest import DEMO_DATA, SMALL_FIT, copy_demo, dbt_build

pytestmark = pytest.mark.e2e

SMALL = {**SMALL_FIT, "backtest": {**SMALL_FIT["backtest"], "folds": 4}}
# R-hat can never be under 0.5, so every run is rejected: the shortest fit that says so does.
STRICT = {
    **SMALL,
    "sampler": {**SMALL["sampler"], "warmup": 50, "draws": 50},
    "backtest": {"folds": 0},
    "publish": {"rhat_max": 0.5, "ess_min": 1, "divergences_max": 1000, "r2_min": 0.5},
}


def with_experiments(dest: Path) -> Path:
    """The demo data plus three lift tests: north_america tv held out, measured at its true lift with a
    wide error; emea paid_search pulsed, measured at ten times its true lift with a small error (it
    must disagree); apac podcast, a channel the fit defers (not fitted)."""
    raw = copy_demo(dest)
    truth = json.loads((DEMO_DATA / "_ground_truth.json").read_text())["segments"]
    spend = pd.read_csv(raw / "channel_spend.csv")
    weekly = spend[spend["spend"] > 0].groupby(["segment_id", "channel"])["spend"].mean() * 7

    def true_lift(segment: str, channel: str, baseline: float, test: float) -> float:
        c = truth[segment]["channels"][channel]
        share = hill(np.array([test, baseline]), c["half_saturation"], c["slope"])
        return float(c["beta"] * (share[0] - share[1]))

    tv = weekly["north_america", "tv"]
    search = weekly["emea", "paid_search"]
    tv_lift = true_lift("north_america", "tv", tv, 0.0)
    far = 10 * true_lift("emea", "paid_search", search, 1.5 * search)
    rows = [
        ("na_tv_holdout", "north_america", "tv", tv, 0.0, tv_lift, abs(tv_lift) * 0.25, "geo holdout"),
        ("emea_search_pulse", "emea", "paid_search", search, 1.5 * search, far, abs(far) * 0.02, "spend pulse"),
        ("apac_podcast", "apac", "podcast", 7000.0, 14000.0, 500.0, 100.0, "conversion lift"),
    ]
    columns = ["experiment_id", "segment_id", "channel", "baseline_weekly_spend", "test_weekly_spend"]
    frame = pd.DataFrame(rows, columns=[*columns, "lift_weekly", "lift_weekly_sd", "method"])
    frame.insert(3, "start_date", "2026-09-07")
    frame.insert(4, "end_date", "2026-10-04")
    frame.to_csv(raw / "experiments.csv", index=False)
    return raw


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("fit")
    raw = with_experiments(workdir / "raw")
    build = dbt_build(workdir, raw_data_path=raw, mmm=SMALL)
    assert build.returncode == 0, build.output[-5000:]
    return workdir, build


def test_every_segment_has_one_current_published_run_with_provenance(fitted):
    _, build = fitted
    runs = build.query("select * from mmm_model_runs")
    assert set(runs["segment_id"]) == {"apac", "emea", "north_america"}
    current = runs[runs["is_current"]]
    assert len(current) == 3 and set(current["status"]) == {"published"}
    assert current["methodology_version"].nunique() == 1
    assert (current["n_weeks"] == 156).all() and (current["n_channels"] == 7).all()  # podcast deferred
    assert current["r2_in_sample"].between(0.5, 1).all()
    assert current[["max_rhat", "min_ess_bulk", "r2_holdout", "mape_holdout"]].notna().all().all()
    assert "podcast" not in ",".join(current["channels"])


def test_curves_stay_inside_the_observed_range_with_ordered_intervals(fitted):
    _, build = fitted
    curves = build.query("select * from mmm_saturation_curves where is_current")
    summary = build.query("select * from mmm_channel_summary where is_current")
    top = curves.groupby(["segment_id", "channel"])["weekly_spend"].max()
    observed = summary.set_index(["segment_id", "channel"])["max_weekly_spend"]
    assert np.allclose(top.sort_index(), observed.sort_index())
    numeric = curves.select_dtypes("number")
    # Columns of other channel kinds (organic volume, exposure-driven cost per impression) are null here.
    other_kinds = [c for c in numeric if c.startswith(("weekly_volume", "marginal_response_per_unit", "cost_per"))]
    assert set(curves["channel_kind"]) == {"paid"} and curves[other_kinds].isna().all().all()
    assert np.isfinite(numeric.drop(columns=other_kinds).to_numpy()).all()
    assert (curves["response_p05"] <= curves["response_mean"] + 1e-6).all()
    assert (curves["response_mean"] <= curves["response_p95"] + 1e-6).all()
    assert (curves.loc[curves["point_index"] == 0, "response_mean"] == 0).all()
    assert (summary["roi_p05"] <= summary["roi_mean"]).all() and (summary["roi_mean"] <= summary["roi_p95"]).all()
    assert set(summary["saturation_position"]) <= {"pre", "at", "past"}  # against the ROI floor (mmm_saturation_audit)
    contribution = summary["roi_mean"] * summary["spend"]
    assert np.allclose(contribution, summary["contribution_mean"], rtol=1e-3)


def test_decomposition_adds_up_and_actual_matches_the_spine(fitted):
    _, build = fitted
    decomposition = build.query("select * from mmm_decomposition_weekly where is_current")
    wide = decomposition.pivot_table(
        index=["segment_id", "week_start"], columns="component_kind", values="value_mean", aggfunc="sum"
    )
    parts = wide.drop(columns=["fitted", "actual"]).sum(axis=1)
    assert np.allclose(parts, wide["fitted"], rtol=1e-3)
    spine = build.query("select segment_id, week_start, outcome from int_outcome_weeks")
    spine = spine.set_index(["segment_id", "week_start"])["outcome"]
    joined = wide["actual"].to_frame().join(spine, how="inner")
    assert len(joined) == len(wide) and np.allclose(joined["actual"], joined["outcome"])


def test_every_segment_is_backtested_and_its_run_states_the_coverage(fitted):
    """mmm_backtests holds folds x horizon forecast weeks per current run (default 4 x 8), against
    the spine's actuals, and mmm_model_runs' coverage is the share of those weeks in the interval."""
    _, build = fitted
    backtests = build.query("select * from mmm_backtests where is_current")
    runs = build.query("select * from mmm_model_runs where is_current").set_index("segment_id")
    assert set(backtests["segment_id"]) == set(runs.index) == {"apac", "emea", "north_america"}
    per_segment = backtests.groupby("segment_id").agg(folds=("fold", "nunique"), weeks=("week_start", "count"))
    assert (per_segment["folds"] == 4).all() and (per_segment["weeks"] == 4 * 8).all()
    assert (runs["backtest_folds"] == 4).all()
    assert (backtests["cutoff_date"] <= backtests["week_start"]).all()
    assert sorted(backtests["horizon_week"].unique()) == list(range(1, 9))
    ordered = ["forecast_p05", "forecast_p10", "forecast_mean", "forecast_p90", "forecast_p95"]
    assert (backtests[ordered].diff(axis=1).iloc[:, 1:] >= 0).all().all()
    spine = build.query("select segment_id, week_start, outcome from int_outcome_weeks")
    joined = backtests.merge(spine, on=["segment_id", "week_start"])
    assert len(joined) == len(backtests) and np.allclose(joined["actual"], joined["outcome"])
    coverage = backtests.groupby("segment_id")["in_interval_80"].mean()
    assert np.allclose(coverage.sort_index(), runs["backtest_coverage_80"].sort_index())
    mape = backtests.groupby("segment_id")["abs_pct_error"].mean()
    assert np.allclose(mape.sort_index(), runs["backtest_mape"].sort_index())


def test_prior_and_posterior_sit_side_by_side(fitted):
    _, build = fitted
    params = build.query("select * from mmm_channel_parameters where is_current and parameter = 'roi'")
    assert params[["prior_mean", "prior_sd", "rhat", "ess_bulk"]].notna().all().all()
    draws = build.query("select draw_kind, count(*) as n from mmm_posterior_draws group by 1")
    assert set(draws["draw_kind"]) == {"posterior", "prior"}


def test_builtin_curves_reach_the_unified_table(fitted):
    _, build = fitted
    unified = build.query("select * from mmm_curves where source = 'builtin' and is_current")
    assert len(unified) == 21
    assert (unified["saturation_half_point"] > 0).all() and (unified["observed_spend_max"] > 0).all()


def test_rerun_is_idempotent_and_a_rejected_run_never_becomes_current(fitted, tmp_path):
    workdir, build = fitted
    db = tmp_path / "copy.duckdb"
    shutil.copy(build.db_path, db)
    before = build.query("select run_id, is_current from mmm_model_runs order by run_id")

    again = dbt_build(tmp_path / "again", raw_data_path=workdir / "raw", db_path=db, mmm=SMALL)
    assert again.returncode == 0, again.output[-3000:]
    assert "unchanged since run" in again.output
    after = again.query("select run_id, is_current from mmm_model_runs order by run_id")
    assert after.equals(before)

    strict = dbt_build(tmp_path / "strict", raw_data_path=workdir / "raw", db_path=db, mmm=STRICT)
    assert strict.returncode == 0, strict.output[-3000:]
    runs = strict.query("select * from mmm_model_runs")
    rejected = runs[runs["status"] == "rejected"]
    assert len(rejected) == 3 and rejected["status_reason"].str.contains("R-hat").all()
    current = runs[runs["is_current"]]
    assert set(current["run_id"]) == set(before.loc[before["is_current"], "run_id"])


def test_experiments_are_compared_before_and_after_calibration(fitted):
    _, build = fitted
    table = build.query("select * from mmm_experiments where is_current").set_index("experiment_id")
    assert sorted(table.index) == ["apac_podcast", "emea_search_pulse", "na_tv_holdout"]
    assert table.at["emea_search_pulse", "agreement"] == "disagrees"
    assert table.at["na_tv_holdout", "agreement"] == "agrees"
    assert table.at["apac_podcast", "agreement"] == "not_fitted"
    assert "podcast" in table.at["apac_podcast", "status_reason"]
    fitted_rows = table.loc[["emea_search_pulse", "na_tv_holdout"]]
    stems = [f"predicted_lift_{w}_{q}" for w in ("before", "after") for q in ("p05", "mean", "p95")]
    assert fitted_rows[stems].notna().all().all() and table.loc["apac_podcast", stems].isna().all()
    assert (fitted_rows["predicted_lift_before_p05"] <= fitted_rows["predicted_lift_before_p95"]).all()
    assert set(fitted_rows["before_method"]) <= {"psis", "refit"}
    measured = pd.read_csv(build.db_path.parent / "raw" / "experiments.csv").set_index("experiment_id")
    sd = measured.loc[table.index, "lift_weekly_sd"]
    assert np.allclose(table["measured_lift_p95"] - table["measured_lift_weekly"], 1.645 * sd)
    assert (table["start_date"].astype(str) == "2026-09-07").all() and table.at[
        "na_tv_holdout", "method"
    ] == "geo holdout"
    pulse = table.loc["emea_search_pulse"]
    # Calibration moves the prediction toward the measurement.
    assert abs(pulse["predicted_lift_after_mean"] - pulse["measured_lift_weekly"]) < abs(
        pulse["predicted_lift_before_mean"] - pulse["measured_lift_weekly"]
    )


def test_a_disagreeing_experiment_raises_an_alert(fitted):
    _, build = fitted
    alerts = build.query("select * from mmm_alerts where alert_kind = 'experiment_disagrees'")
    assert alerts[["segment_id", "channel", "severity"]].values.tolist() == [["emea", "paid_search", "warning"]]
    assert "emea_search_pulse" in alerts["message"].iloc[0]
