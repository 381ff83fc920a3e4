"""The demo-data generator: raw contract, calendar, gates it must pass, and a self-consistent truth."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from curvehouse.cli import main
from curvehouse.demo import DEFAULT_CHANNELS, generate_demo, write_demo
from curvehouse.demo._curves import adstock_weights, geometric_adstock, hill
from curvehouse.inputs.schema import raw_tables

SPEND_KEYS = ["date", "segment_id", "channel"]


@pytest.fixture(scope="module")
def demo():
    return generate_demo()


@pytest.fixture(scope="module")
def weekly_demo():
    return generate_demo(daily=False)


def week_start(dates: pd.Series) -> pd.Series:
    return dates - pd.to_timedelta(dates.dt.weekday, unit="D")


def complete_weeks(truth: dict) -> pd.DatetimeIndex:
    return pd.date_range(truth["start_date"], truth["last_complete_week_start"], freq="7D")


def weekly_sums(frame: pd.DataFrame, keys: list[str], value: str, truth: dict) -> pd.Series:
    """Sum a daily column to ISO weeks, keeping the complete weeks only."""
    weeks = week_start(frame["date"])
    sums = frame.groupby([*(frame[k] for k in keys), weeks])[value].sum()
    return sums[sums.index.get_level_values(-1) <= pd.Timestamp(truth["last_complete_week_start"])]


def test_same_seed_gives_identical_data_and_another_seed_does_not(demo):
    again = generate_demo()
    for name, frame in demo.tables.items():
        pd.testing.assert_frame_equal(frame, again.tables[name])
    assert demo.truth == again.truth
    other = generate_demo(seed=8)
    assert not np.allclose(other.channel_spend["spend"].head(50), demo.channel_spend["spend"].head(50))


def test_columns_match_the_raw_contract(demo, weekly_demo):
    for data in (demo, weekly_demo):
        for name, table in raw_tables().items():
            if name != "channel_activity":  # the demo has paid media only
                assert tuple(data.tables[name].columns) == table.core_column_names, name


def test_segments_and_channels(demo):
    assert sorted(demo.outcomes["segment_id"].unique()) == ["apac", "emea", "north_america"]
    assert set(demo.channel_spend["channel"]) == {c.name for c in DEFAULT_CHANNELS}
    registry = demo.channel_registry.set_index("channel")
    assert set(registry["channel_group"]) == {"brand", "performance"}
    assert registry.loc["tv", "adstock_max_lag"] == 12
    assert registry["adstock_max_lag"].isna().sum() == len(registry) - 1
    more = generate_demo(n_segments=4)
    assert "segment_004" in set(more.outcomes["segment_id"])
    for segment in ("north_america", "emea", "apac"):
        assert more.truth["segments"][segment] == demo.truth["segments"][segment]


def test_impressions_only_for_digital_channels(demo):
    reported = demo.channel_spend.groupby("channel")["impressions"].apply(lambda s: s.notna().all())
    not_reported = demo.channel_spend.groupby("channel")["impressions"].apply(lambda s: s.isna().all())
    assert set(reported[reported].index) == {"paid_search", "paid_social", "linkedin", "display", "podcast"}
    assert set(not_reported[not_reported].index) == {"tv", "ooh", "events"}


def test_every_week_passes_the_platform_gap(demo):
    both = demo.channel_spend.merge(demo.platform_spend, on=SPEND_KEYS, how="outer", validate="one_to_one")
    assert both[["spend", "platform_spend"]].notna().all().all()
    both["week"] = week_start(both["date"])
    weekly = both.groupby(["segment_id", "channel", "week"])[["spend", "platform_spend"]].sum()
    dark = weekly["platform_spend"] == 0
    assert (weekly.loc[dark, "spend"] == 0).all()
    gap = (weekly["spend"] - weekly["platform_spend"]).abs() / weekly["platform_spend"]
    assert gap[~dark].max() <= 0.05


def test_deferred_channel_goes_live_eight_weeks_before_the_end(demo):
    truth = demo.truth
    last_week_end = date.fromisoformat(truth["last_complete_week_start"]) + timedelta(days=7)
    live_since = demo.channel_registry.set_index("channel").loc["podcast", "live_since"]
    assert live_since.date() == last_week_end - timedelta(weeks=8)
    assert live_since.weekday() == 0
    podcast = demo.channel_spend[demo.channel_spend["channel"] == "podcast"]
    assert podcast["date"].min() == live_since
    for segment in truth["segments"].values():
        assert segment["channels"]["podcast"]["live_since"] == live_since.date().isoformat()
        weekly = segment["weekly"]
        assert all(w["media"]["podcast"] == 0 for w in weekly[:-8])
        assert all(w["media"]["podcast"] > 0 for w in weekly[-8:])


def test_daily_data_ends_in_an_incomplete_week(demo):
    end = pd.Timestamp(demo.truth["end_date"])
    assert end == pd.Timestamp(2026, 11, 18)
    assert date.fromisoformat(demo.truth["start_date"]).weekday() == 0
    days_per_week = demo.outcomes.groupby(week_start(demo.outcomes["date"]))["date"].nunique()
    assert len(days_per_week) == demo.truth["n_complete_weeks"] + 1
    assert days_per_week.iloc[-1] == end.weekday() + 1 < 7
    assert (days_per_week.iloc[:-1] == 7).all()
    assert days_per_week.index[-2] == pd.Timestamp(demo.truth["last_complete_week_start"])
    for name in ("channel_spend", "platform_spend", "outcomes", "controls"):
        assert demo.tables[name]["date"].max() == end, name


def test_weekly_mode_has_one_monday_row_per_complete_week(demo, weekly_demo):
    for name, table in raw_tables().items():
        frame = weekly_demo.tables.get(name, pd.DataFrame())
        if "date" not in frame or name == "reallocation_proposals":  # proposals are events, not a weekly series
            continue
        assert (frame["date"].dt.weekday == 0).all(), name
        assert not frame.duplicated(list(table.key)).any(), name
        assert frame["date"].nunique() == weekly_demo.truth["n_complete_weeks"], name
        assert frame["date"].max() == pd.Timestamp(weekly_demo.truth["last_complete_week_start"]), name
    daily_sums = weekly_sums(demo.outcomes, ["segment_id"], "revenue", demo.truth)
    weekly_rows = weekly_demo.outcomes.set_index(["segment_id", "date"])["revenue"]
    np.testing.assert_allclose(weekly_rows.sort_index(), daily_sums.sort_index(), atol=0.01)
    assert weekly_demo.truth["segments"] == demo.truth["segments"]


def test_every_live_channel_reports_spend_in_every_complete_week(demo):
    weeks_with_rows = demo.channel_spend.assign(week=week_start(demo.channel_spend["date"]))
    weeks_with_rows = weeks_with_rows.groupby(["segment_id", "channel"])["week"].apply(set)
    registry = demo.channel_registry.set_index("channel")
    for segment in demo.truth["segments"]:
        for channel, live_since in registry["live_since"].items():
            live_weeks = {w for w in complete_weeks(demo.truth) if w >= live_since}
            assert live_weeks <= weeks_with_rows[(segment, channel)], (segment, channel)


def test_some_days_have_no_spend_row(demo):
    rows_per_channel = demo.channel_spend.groupby(["segment_id", "channel"]).size()
    n_days = demo.outcomes["date"].nunique()
    for channel in ("events", "ooh", "tv"):
        assert (rows_per_channel.xs(channel, level="channel") < n_days).all()
    weekend = demo.channel_spend["date"].dt.weekday >= 5
    assert not demo.channel_spend.loc[weekend, "channel"].isin(["events", "ooh"]).any()


def test_weekly_revenue_is_baseline_plus_media_plus_noise(demo):
    observed = weekly_sums(demo.outcomes, ["segment_id"], "revenue", demo.truth)
    for segment, truth in demo.truth["segments"].items():
        weekly = truth["weekly"]
        revenue = np.array([w["revenue"] for w in weekly])
        np.testing.assert_allclose(observed.loc[segment].to_numpy(), revenue, atol=0.01)
        components = np.array([w["baseline"] + sum(w["media"].values()) for w in weekly])
        residual = revenue - components
        assert 0.75 < residual.std(ddof=1) / truth["noise_sd"] < 1.25
        assert abs(residual.mean()) < 4 * truth["noise_sd"] / np.sqrt(len(residual))
        media_share = sum(sum(w["media"].values()) for w in weekly) / revenue.sum()
        assert 0.2 <= media_share <= 0.35
        assert 1e6 <= revenue.mean() <= 3e6


def test_media_in_truth_follows_from_spend_and_curve_parameters(demo):
    weeks = complete_weeks(demo.truth)
    spend = weekly_sums(demo.channel_spend, ["segment_id", "channel"], "spend", demo.truth)
    for segment, truth in demo.truth["segments"].items():
        assert 150_000 <= spend.loc[segment].groupby(level=-1).sum().mean() <= 400_000
        for channel, params in truth["channels"].items():
            weekly_spend = spend.loc[(segment, channel)].reindex(weeks, fill_value=0.0).to_numpy()
            adstocked = geometric_adstock(weekly_spend, params["theta"], params["max_lag"])
            expected = params["beta"] * hill(adstocked, params["half_saturation"], params["slope"])
            actual = np.array([w["media"][channel] for w in truth["weekly"]])
            np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=0.01)
            assert 0.8 <= params["slope"] <= 3.0
            assert params["total_spend"] == pytest.approx(weekly_spend.sum(), abs=0.05)


def test_baseline_in_truth_follows_from_its_parameters(demo):
    controls = demo.controls.assign(week=week_start(demo.controls["date"]))
    weekly_controls = controls.groupby(["segment_id", "control", "week"])["value"].mean()
    for segment, truth in demo.truth["segments"].items():
        weeks = pd.to_datetime([w["week_start"] for w in truth["weekly"]])
        fourier = truth["fourier"]
        days = (weeks - pd.Timestamp(fourier["origin"])).days.to_numpy()
        expected = truth["intercept"] + truth["trend_per_week"] * np.arange(len(weeks))
        for term, coefficient in fourier["coefficients"].items():
            wave, order = term.split("_")
            expected += coefficient * getattr(np, wave)(2 * np.pi * int(order) * days / fourier["period_days"])
        for control, coefficient in truth["controls"].items():
            expected += coefficient * weekly_controls.loc[(segment, control)].reindex(weeks).to_numpy()
        actual = np.array([w["baseline"] for w in truth["weekly"]])
        np.testing.assert_allclose(actual, expected, rtol=1e-9, atol=0.01)


def test_controls_look_like_their_names(demo):
    values = demo.controls.pivot_table(index=["segment_id", "date"], columns="control", values="value")
    assert set(values["promo"].unique()) == {0.0, 1.0}
    assert 0.03 < values["promo"].mean() < 0.4
    assert 90 < values["competitor_index"].mean() < 110
    for segment, launch in values["product_launch"].groupby(level="segment_id"):
        assert launch.is_monotonic_increasing and set(launch) == {0.0, 1.0}
        assert 0.5 < (launch == 0).mean() < 0.7, segment


def test_roi_in_truth_is_contribution_over_spend(demo):
    for truth in demo.truth["segments"].values():
        for channel, params in truth["channels"].items():
            assert params["roi"] == pytest.approx(params["contribution"] / params["total_spend"], rel=1e-3)
            weekly_total = sum(w["media"][channel] for w in truth["weekly"])
            assert params["contribution"] == pytest.approx(weekly_total, abs=0.01 * len(truth["weekly"]))


def test_registry_priors_are_near_but_not_at_the_true_roi_and_unbiased_overall(demo):
    registry = demo.channel_registry.set_index("channel")
    ratios = []
    for channel, row in registry.iterrows():
        true_roi = np.mean([s["channels"][channel]["roi"] for s in demo.truth["segments"].values()])
        ratios.append(row["roi_prior_mean"] / true_roi)
        assert 0.7 < ratios[-1] < 1.4
        assert row["roi_prior_mean"] != pytest.approx(true_roi, rel=0.05)
        assert row["roi_prior_sd"] == pytest.approx(0.5 * row["roi_prior_mean"], abs=0.01)
    assert sum(r > 1 for r in ratios) == sum(r < 1 for r in ratios) == len(ratios) // 2


def test_attribution_over_credits_performance_and_under_credits_brand(demo):
    assert (demo.attribution["month"].dt.day == 1).all()
    attributed = demo.attribution.groupby(["segment_id", "channel"])["attributed_revenue"].sum()
    groups = demo.channel_registry.set_index("channel")["channel_group"]
    for segment, truth in demo.truth["segments"].items():
        for channel, params in truth["channels"].items():
            ratio = attributed[(segment, channel)] / params["contribution"]
            assert ratio > 1.1 if groups[channel] == "performance" else ratio < 0.9, (segment, channel)


def test_normalised_adstock_reaches_the_sustained_spend():
    max_lag, spend = 8, 50_000.0
    assert adstock_weights(0.6, max_lag).sum() == pytest.approx(1.0)
    adstocked = geometric_adstock(np.full(30, spend), theta=0.6, max_lag=max_lag)
    assert adstocked[max_lag - 2] < spend
    np.testing.assert_allclose(adstocked[max_lag - 1 :], spend)
    pulse = geometric_adstock(np.eye(1, 12).ravel(), theta=0.5, max_lag=4)
    np.testing.assert_allclose(pulse[:4], adstock_weights(0.5, 4))
    assert (pulse[4:] == 0).all()
    assert hill(np.array([0.0, 40.0]), half_saturation=40.0, slope=2.0).tolist() == [0.0, 0.5]


def test_written_files_follow_the_csv_conventions(demo, tmp_path):
    paths = write_demo(demo, tmp_path)
    # experiments.csv whether or not the contract lists it; no channel_activity (paid media only)
    tables = dict.fromkeys([*(t for t in raw_tables() if t != "channel_activity"), "experiments"])
    assert [p.name for p in paths] == [f"{name}.csv" for name in tables] + ["_ground_truth.json"]
    assert json.loads((tmp_path / "_ground_truth.json").read_text()) == demo.truth
    registry = (tmp_path / "channel_registry.csv").read_text().splitlines()
    assert registry[0] == ",".join(raw_tables()["channel_registry"].core_column_names)
    assert registry[1].split(",")[3:5] == [demo.truth["start_date"], "true"]
    assert registry[1].endswith(",")  # null adstock_max_lag is an empty cell
    spend = pd.read_csv(tmp_path / "channel_spend.csv", dtype=str, keep_default_na=False)
    assert spend["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert (spend.loc[spend["channel"] == "tv", "impressions"] == "").all()
    assert spend.loc[spend["channel"] == "display", "impressions"].str.fullmatch(r"\d+").all()
    assert spend["spend"].str.fullmatch(r"\d+\.\d{1,2}").all()


def test_cli_writes_the_demo_data(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo-data", "--out", str(out), "--segments", "1", "--weeks", "20", "--weekly"]) == 0
    names = {*raw_tables(), "experiments"} - {"channel_activity"}  # the demo has paid media only
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.csv" for n in names] + ["_ground_truth.json"])
    assert capsys.readouterr().out.count("wrote ") == len(names) + 1
    truth = json.loads((out / "_ground_truth.json").read_text())
    assert truth["n_complete_weeks"] == 20 and list(truth["segments"]) == ["north_america"]
    assert main(["demo-data", "--out", str(out), "--weeks", "5"]) == 2


def test_experiments_follow_their_contract_and_the_truth(demo):
    from curvehouse.demo.experiments import EXPERIMENT_COLUMNS, SE_SHARE

    table = demo.experiments
    assert tuple(table.columns) == EXPERIMENT_COLUMNS and len(table) == 2
    assert table["experiment_id"].is_unique and (table["lift_weekly_sd"] > 0).all()
    assert (table["end_date"] - table["start_date"] == pd.Timedelta(days=27)).all()
    assert (table["end_date"] <= pd.Timestamp(demo.truth["last_complete_week_start"]) + pd.Timedelta(days=6)).all()
    for row, truth in zip(table.itertuples(), demo.truth["experiments"], strict=True):
        curve = demo.truth["segments"][row.segment_id]["channels"][row.channel]
        # The steady state of a sustained spend, simulated through the adstock, is the recorded true lift.
        weeks = 200
        sustained = {
            spend: curve["beta"]
            * hill(
                geometric_adstock(np.full(weeks, spend), curve["theta"], curve["max_lag"]),
                curve["half_saturation"],
                curve["slope"],
            )[-1]
            for spend in (row.baseline_weekly_spend, row.test_weekly_spend)
        }
        true_lift = sustained[row.test_weekly_spend] - sustained[row.baseline_weekly_spend]
        assert truth["true_lift_weekly"] == pytest.approx(true_lift, abs=0.01)
        assert SE_SHARE[0] - 1e-3 <= row.lift_weekly_sd / abs(true_lift) <= SE_SHARE[1] + 1e-3
        assert abs(row.lift_weekly - true_lift) < 4 * row.lift_weekly_sd
        assert np.sign(true_lift) == np.sign(row.test_weekly_spend - row.baseline_weekly_spend)


def test_experiments_target_the_least_identified_channel(demo):
    """Search spend follows demand seasonality, so it has the least variation of its own."""
    assert demo.experiments.iloc[0][["segment_id", "channel"]].tolist() == ["north_america", "paid_search"]


def test_experiment_noise_has_its_own_stream(monkeypatch):
    """Another experiment stream changes the measured lifts and nothing else."""
    import curvehouse.demo.generate as g

    data = generate_demo(n_segments=2, n_weeks=60)
    monkeypatch.setattr(g, "EXPERIMENT_STREAM", g.EXPERIMENT_STREAM + 1)
    other = generate_demo(n_segments=2, n_weeks=60)
    for name, frame in data.tables.items():
        if name != "experiments":
            pd.testing.assert_frame_equal(frame, other.tables[name])
    assert (data.experiments["lift_weekly"] != other.experiments["lift_weekly"]).all()
    true = [e["true_lift_weekly"] for e in data.truth["experiments"]]
    assert true == [e["true_lift_weekly"] for e in other.truth["experiments"]]


def test_identification_scores():
    from curvehouse.demo.experiments import identification_scores, least_identified

    rng = np.random.default_rng(0)
    n = 120
    others = np.column_stack([np.ones(n), np.arange(n), np.sin(np.arange(n) / 8)])
    a = rng.lognormal(0, 0.5, n) * 100
    b = rng.lognormal(0, 0.5, n) * 50
    collinear = 500 + 200 * np.sin(np.arange(n) / 8)  # follows seasonality, nothing of its own
    spend = np.column_stack([a, b, collinear, np.zeros(n)])
    scores = identification_scores(spend, others)
    assert scores[2] < 1e-6 and scores[3] == 0.0
    assert scores[0] > 0.3 and scores[1] > 0.3
    assert set(least_identified(spend, others)[:2]) == {2, 3}
