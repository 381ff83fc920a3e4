"""The default build on the bundled demo data: spine, controls, readiness, gates, deferrals, docs."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from curvehouse.cli import main
from curvehouse.planning.alerts import ALERTED_ELSEWHERE
from tests.e2e.conftest import DEMO_DATA

pytestmark = pytest.mark.e2e

TRUTH = json.loads((DEMO_DATA / "_ground_truth.json").read_text())


def iso_monday(dates: pd.Series) -> pd.Series:
    dates = pd.to_datetime(dates)
    return (dates - pd.to_timedelta(dates.dt.weekday, unit="D")).dt.date


def test_spine_has_every_complete_week_and_drops_the_incomplete_one(demo_build):
    weeks = demo_build.query(
        "select segment_id, count(distinct week_start) as n, min(week_start) as first, max(week_start) as last "
        "from int_channel_weeks_spined group by 1 order by 1"
    )
    assert list(weeks["segment_id"]) == sorted(TRUTH["segments"])
    assert set(weeks["n"]) == {TRUTH["n_complete_weeks"]}
    assert set(pd.to_datetime(weeks["last"]).dt.date.astype(str)) == {TRUTH["last_complete_week_start"]}
    raw_last = pd.read_csv(DEMO_DATA / "outcomes.csv")["date"].max()
    assert str(iso_monday(pd.Series([raw_last])).iloc[0]) > TRUTH["last_complete_week_start"]


def test_weekly_spend_equals_the_daily_rows_summed_independently(demo_build):
    raw = pd.read_csv(DEMO_DATA / "channel_spend.csv")
    raw["week_start"] = iso_monday(raw["date"])
    expected = raw.groupby(["segment_id", "channel", "week_start"])["spend"].sum()
    spine = demo_build.query("select segment_id, channel, week_start, spend from int_channel_weeks_spined")
    spine["week_start"] = pd.to_datetime(spine["week_start"]).dt.date
    got = spine.set_index(["segment_id", "channel", "week_start"])["spend"]
    joined = pd.concat([got, expected.rename("expected")], axis=1, join="inner")
    assert len(joined) == len(spine)
    assert (joined["spend"] - joined["expected"]).abs().max() < 0.01


def test_controls_hold_fourier_holidays_and_user_controls(demo_build):
    controls = demo_build.query(
        "select control_kind, control_name, count(*) as n, min(control_value) as lo, max(control_value) as hi "
        "from int_controls_weekly group by 1, 2 order by 1, 2"
    )
    fourier = controls[controls["control_kind"] == "seasonality"]
    assert list(fourier["control_name"]) == ["fourier_cos_1", "fourier_cos_2", "fourier_sin_1", "fourier_sin_2"]
    assert (fourier["lo"] >= -1).all() and (fourier["hi"] <= 1).all() and (fourier["hi"] > 0.95).all()
    users = controls[controls["control_kind"] == "user"]
    assert set(users["control_name"]) == {"promo", "competitor_index", "product_launch"}
    christmas = demo_build.query(
        "select control_value from int_controls_weekly "
        "where control_name = 'holidays' and week_start = date '2024-12-23' and segment_id = 'emea'"
    )
    assert christmas["control_value"].item() >= 3  # Christmas Eve, Christmas Day, Boxing Day


def test_new_channel_is_deferred_with_the_date_it_becomes_eligible(demo_build):
    deferrals = demo_build.query("select * from mmm_channel_deferrals order by segment_id")
    assert set(deferrals["channel"]) == {TRUTH["deferred_channel"]}
    assert list(deferrals["segment_id"]) == sorted(TRUTH["segments"])
    assert set(deferrals["weeks_live"]) == {8}
    live = pd.Timestamp(TRUTH["segments"]["emea"]["channels"][TRUTH["deferred_channel"]]["live_since"])
    assert set(pd.to_datetime(deferrals["eligible_from_date"])) == {live + pd.Timedelta(weeks=13)}


def test_every_segment_passes_every_gate_and_data_docs_are_built(demo_build):
    gates = demo_build.query("select * from mmm_gate_results")
    assert len(gates) == len(TRUTH["segments"]) * 4
    assert set(gates["gate"]) == {"platform_gap", "history", "outcome_gaps", "spend_gaps"}
    assert gates["success"].all(), gates.loc[~gates["success"], "message"].tolist()
    cleared = demo_build.query("select segment_id from int_segments_cleared_for_fit")
    assert set(cleared["segment_id"]) == set(TRUTH["segments"])
    index = demo_build.target_dir / "gx_data_docs" / "index.html"
    assert index.exists() and "platform_gap" in index.read_text()


def test_readiness_scores_follow_the_data(demo_build):
    readiness = demo_build.query("select * from mmm_data_readiness").set_index("segment_id")
    registry = pd.read_csv(DEMO_DATA / "channel_registry.csv")
    spend = pd.read_csv(DEMO_DATA / "channel_spend.csv")
    with_impressions = spend.groupby("channel")["impressions"].apply(lambda s: s.notna().mean() >= 0.9)
    share = with_impressions.reindex(registry["channel"]).mean()
    assert readiness["impressions_channel_share"].round(3).eq(round(share, 3)).all()
    assert (readiness["history_score"] == 5).all()  # 160 weeks >= 1.5 x 104
    assert (readiness["controls_score"] == 5).all()  # three user controls
    assert (
        readiness["readiness_score"]
        == readiness[["history_score", "spend_score", "impressions_score", "outcome_score", "controls_score"]].min(
            axis=1
        )
    ).all()


def test_recovery_command_scores_each_published_pair_against_the_truth_of_its_window(demo_build, capsys):
    assert (
        main(["recovery", "--duckdb", str(demo_build.db_path), "--truth", str(DEMO_DATA / "_ground_truth.json")]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    published = demo_build.query(
        "select segment_id, channel, spend, data_window_start from mmm_channel_summary "
        "where is_current and status = 'published'"
    )
    assert len(published) > 0 and len(lines) == len(published) + 2
    # One pair checked by hand: the truth's weekly contributions inside the run's window over its spend.
    row = published.iloc[0]
    weekly = TRUTH["segments"][row["segment_id"]]["weekly"]
    start = str(pd.Timestamp(row["data_window_start"]).date())
    true_roi = sum(w["media"][row["channel"]] for w in weekly if w["week_start"] >= start) / row["spend"]
    line = next(x for x in lines if x.split()[:2] == [row["segment_id"], row["channel"]])
    assert float(line.split()[2]) == pytest.approx(true_roi, abs=0.005)
    assert lines[-1].startswith("true ROI in the 90% interval: ") and f"/{len(published)} (" in lines[-1]


def test_every_current_run_is_reviewed_summarised_and_its_failures_alerted(demo_build):
    """mmm_model_review holds every check of each segment's current run (per channel where per
    channel); mmm_model_runs counts its outcomes; each failed check is a model_review_failure alert."""
    runs = demo_build.query(
        "select run_id, segment_id, n_channels, review_outcome, review_fails, review_reviews "
        "from mmm_model_runs where is_current"
    )
    review = demo_build.query("select * from mmm_model_review")
    assert len(runs) > 0 and set(review[review["is_current"]]["segment_id"]) == set(runs["segment_id"])
    for run in runs.itertuples():
        checks = review[review["run_id"] == run.run_id]
        names = set(checks["check_name"])
        assert {"max_rhat", "min_ess", "divergences", "r2_in_sample", "finite_numbers", "ebfmi"} <= names
        assert {"tree_depth_share", "ppc_residual_lag1", "ppc_outcome_max", "baseline_negative"} <= names
        assert (checks["check_name"] == "roi_prior_shift").sum() == run.n_channels
        blocking = checks.set_index(["check_name", checks["channel"].fillna("")])["blocks_publish"]
        assert blocking["max_rhat", ""] and not blocking["ebfmi", ""]
        counts = checks["outcome"].value_counts()
        assert (run.review_fails, run.review_reviews) == (counts.get("fail", 0), counts.get("review", 0))
        worst = "fail" if counts.get("fail", 0) else "review" if counts.get("review", 0) else "pass"
        assert run.review_outcome == worst
    alerts = demo_build.query("select * from mmm_alerts where alert_kind = 'model_review_failure'")
    own_kind = review["check_name"].isin(list(ALERTED_ELSEWHERE))  # R2 and experiments have alerts of their own
    assert len(alerts) == int((review["is_current"] & (review["outcome"] == "fail") & ~own_kind).sum())
