"""Lift tests as data in real tiny NumPyro fits: they move the posterior toward the measured lift, a
disagreeing one is flagged and alerted, and a segment without experiments keeps its run id."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from curvehouse.bench import model_input_from_demo
from curvehouse.demo._curves import hill as true_hill
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.fitting.experiment_lift import experiment_disagreement_counts
from curvehouse.fitting.run_ids import run_id_for
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.experiments import segment_experiments
from curvehouse.model.spec import spec_from_config
from curvehouse.planning.alerts import experiment_alerts
from tests.e2e.conftest import SMALL_FIT

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv"))
# A fixed baseline: the agreement test plants a lift 8x the truth and needs the tight channel intervals
# of the simpler model (a moving baseline widens them, and the planted test then sits inside).
TINY = {**SMALL_FIT, "holdout_weeks": 0, "baseline": {"kind": "fixed"}}
SEGMENT = "north_america"
CHANNEL = "tv"


@pytest.fixture(scope="module")
def generated():
    """One segment whose registry prior on tv's ROI is far below the truth (the lift test's job is to
    correct it)."""
    data = generate_demo(n_segments=1, n_weeks=60, seed=5, channels=CHANNELS, deferred_channel=None, daily=False)
    model_input, registry = model_input_from_demo(data)
    truth = data.truth["segments"][SEGMENT]["channels"][CHANNEL]
    registry = registry.copy()
    registry.loc[registry["channel"] == CHANNEL, ["roi_prior_mean", "roi_prior_sd"]] = [truth["roi"] * 0.4, 0.15]
    spend = model_input[(model_input["variable_kind"] == "spend") & (model_input["variable_name"] == CHANNEL)]
    return model_input, registry, truth, float(spend["value"].mean())


def _experiment(experiment_id: str, baseline: float, test: float, lift: float, sd: float, channel: str = CHANNEL):
    return {
        "experiment_id": experiment_id,
        "segment_id": SEGMENT,
        "channel": channel,
        "start_date": pd.Timestamp("2026-01-05"),
        "end_date": pd.Timestamp("2026-02-01"),
        "baseline_weekly_spend": baseline,
        "test_weekly_spend": test,
        "lift_weekly": lift,
        "lift_weekly_sd": sd,
        "method": "geo holdout",
    }


def _true_lift(truth: dict, baseline: float, test: float) -> float:
    gain = true_hill(np.array([test, baseline]), truth["half_saturation"], truth["slope"])
    return float(truth["beta"] * (gain[0] - gain[1]))


def _fit(model_input, registry, experiments=None):
    return fit_segments(model_input, registry, TINY, progress=lambda _: None, experiments=experiments)


@pytest.fixture(scope="module")
def without(generated):
    model_input, registry, _, _ = generated
    return _fit(model_input, registry)


@pytest.fixture(scope="module")
def calibrated(generated):
    """A holdout of tv at its mean weekly spend, measured at the true lift with a small error."""
    model_input, registry, truth, mean_spend = generated
    lift = _true_lift(truth, mean_spend, 0.0)
    experiments = pd.DataFrame([_experiment("geo_1", mean_spend, 0.0, lift, abs(lift) * 0.03)])
    return _fit(model_input, registry, experiments), experiments


def _roi(frame: pd.DataFrame) -> pd.Series:
    rows = frame[(frame["artifact"] == "summary") & (frame["parameter"] == "roi")].set_index("channel")
    return rows.loc[CHANNEL]


def test_a_lift_test_at_the_truth_pulls_roi_toward_it_and_narrows_it(generated, without, calibrated):
    _, _, truth, _ = generated
    before, after = _roi(without), _roi(calibrated[0])
    assert abs(after["mean"] - truth["roi"]) < abs(before["mean"] - truth["roi"]), (before, after, truth["roi"])
    assert after["p95"] - after["p05"] < before["p95"] - before["p05"]


def test_experiment_rows_give_the_prediction_before_and_after(calibrated):
    frame, experiments = calibrated
    rows = frame[frame["artifact"] == "experiment"].set_index("parameter")
    assert set(rows.index) == {"measured_lift", "predicted_lift_before", "predicted_lift_after"}
    measured = float(experiments["lift_weekly"].iloc[0])
    assert rows.at["measured_lift", "mean"] == pytest.approx(measured)
    before, after = rows.loc["predicted_lift_before"], rows.loc["predicted_lift_after"]
    # The posterior that saw the test sits nearer the measured lift, and tighter, than the one that did not.
    assert abs(after["mean"] - measured) < abs(before["mean"] - measured)
    assert after["p95"] - after["p05"] < before["p95"] - before["p05"]
    details = json.loads(rows.at["predicted_lift_before", "details"])
    assert details["experiment_id"] == "geo_1" and details["before_method"] in ("psis", "refit")
    assert details["agreement"] in ("agrees", "disagrees")


def test_a_disagreeing_experiment_is_flagged_and_alerted(generated, without):
    model_input, registry, truth, mean_spend = generated
    lift = 8 * _true_lift(truth, 0.5 * mean_spend, 1.5 * mean_spend)
    experiments = pd.DataFrame(
        [
            _experiment("pulse_far", 0.5 * mean_spend, 1.5 * mean_spend, lift, abs(lift) * 0.02),
            _experiment("unfitted", 1000.0, 2000.0, 50.0, 10.0, channel="radio"),
        ]
    )
    frame = _fit(model_input, registry, experiments)
    rows = frame[frame["artifact"] == "experiment"]
    details = rows.drop_duplicates("details")["details"].map(json.loads)
    by_id = {d["experiment_id"]: d for d in details}
    assert by_id["pulse_far"]["agreement"] == "disagrees", rows
    assert by_id["unfitted"]["agreement"] == "not_fitted" and by_id["unfitted"]["status"] == "not_fitted"
    assert "radio" in by_id["unfitted"]["reason"]
    assert experiment_disagreement_counts(frame) == {SEGMENT: 1}
    assert experiment_disagreement_counts(without) == {}

    table = _as_mart(rows)
    alerts = experiment_alerts(table)
    assert list(alerts["alert_kind"]) == ["experiment_disagrees"]
    assert alerts["channel"].iloc[0] == CHANNEL and "pulse_far" in alerts["message"].iloc[0]


def test_no_experiments_keep_the_run_id(generated, without):
    model_input, registry, _, _ = generated
    spec = spec_from_config(TINY)
    rows = model_input.assign(week_start=pd.to_datetime(model_input["week_start"]))
    plain = run_id_for(rows, spec, registry)
    assert run_id_for(rows, spec, registry, segment_experiments(None, SEGMENT)) == plain
    assert set(without["run_id"]) == {plain}
    other = pd.DataFrame([_experiment("elsewhere", 1.0, 2.0, 1.0, 1.0)]).assign(segment_id="europe")
    assert run_id_for(rows, spec, registry, segment_experiments(other, SEGMENT)) == plain
    mine = pd.DataFrame([_experiment("mine", 1.0, 2.0, 1.0, 1.0)])
    assert run_id_for(rows, spec, registry, segment_experiments(mine, SEGMENT)) != plain


def _as_mart(rows: pd.DataFrame) -> pd.DataFrame:
    """The experiment rows shaped as mmm_experiments (one row per run x experiment), as the mart pivots them."""
    out = []
    for _, group in rows.groupby("details", sort=False):
        d = json.loads(group["details"].iloc[0])
        stats = group.set_index("parameter")
        row = {
            "run_id": group["run_id"].iloc[0],
            "segment_id": group["segment_id"].iloc[0],
            "channel": group["channel"].iloc[0],
            "experiment_id": d["experiment_id"],
            "measured_lift_weekly": stats.at["measured_lift", "mean"],
            "agreement": d["agreement"],
            "is_current": True,
        }
        for stem in ("before", "after"):
            for q in ("mean", "p05", "p95"):
                name = f"predicted_lift_{stem}"
                row[f"{name}_{q}"] = stats.at[name, q] if name in stats.index else np.nan
        out.append(row)
    return pd.DataFrame(out)


def test_only_the_current_runs_disagreeing_experiments_alert():
    base = {
        "segment_id": SEGMENT,
        "channel": CHANNEL,
        "measured_lift_weekly": -900.0,
        "predicted_lift_before_mean": -100.0,
        "predicted_lift_before_p05": -200.0,
        "predicted_lift_before_p95": -50.0,
        "predicted_lift_after_mean": -850.0,
    }
    table = pd.DataFrame(
        [
            {**base, "run_id": "new", "experiment_id": "a", "agreement": "disagrees", "is_current": True},
            {**base, "run_id": "old", "experiment_id": "a", "agreement": "disagrees", "is_current": False},
            {**base, "run_id": "new", "experiment_id": "b", "agreement": "agrees", "is_current": True},
            {**base, "run_id": "new", "experiment_id": "c", "agreement": "not_fitted", "is_current": True},
        ]
    )
    alerts = experiment_alerts(table)
    assert alerts[["run_id", "key", "severity"]].values.tolist() == [["new", "a", "warning"]]
    assert "-900" in alerts["message"].iloc[0] and "-200 to -50" in alerts["message"].iloc[0]
    assert experiment_alerts(table.iloc[0:0]).empty


def test_the_predicted_lift_is_the_models_steady_state_at_constant_spend():
    """Constant weekly spend through the model's own adstock and Hill: after the lags fill, the weekly
    media effect moves by exactly predicted_lift when spend moves from baseline to test."""
    from curvehouse.hill import hill
    from curvehouse.model.experiments import predicted_lift
    from curvehouse.transforms.adstock import geometric_adstock, lag_stack

    beta, half, slope, theta = np.array([[0.8]]), np.array([[1.3]]), np.array([[1.7]]), np.array([[0.6]])
    lag_mask = np.ones((1, 6))

    def steady(spend: float) -> float:
        lagged = lag_stack(np.full((1, 20, 1), spend), 6)
        adstocked = np.asarray(geometric_adstock(lagged, theta, lag_mask))
        return float(beta[0, 0] * hill(adstocked[0, -1, 0], half[0, 0], slope[0, 0]))

    arrays = {
        "experiment_channel": np.ones((1, 1, 1)),
        "experiment_baseline": np.array([[0.9]]),
        "experiment_test": np.array([[2.4]]),
    }
    assert float(predicted_lift(beta, half, slope, arrays)[0, 0]) == pytest.approx(steady(2.4) - steady(0.9), rel=1e-5)


def test_weighted_interval_with_equal_weights_is_the_plain_one():
    from curvehouse.fitting.experiment_lift import weighted_interval

    draws = np.random.default_rng(3).normal(5.0, 2.0, size=(4000, 2, 3))
    out = weighted_interval(draws, np.full((2, 4000), 1 / 4000))
    np.testing.assert_allclose(out["mean"], draws.mean(axis=0))
    np.testing.assert_allclose(out["sd"], draws.std(axis=0))
    np.testing.assert_allclose(out["p05"], np.quantile(draws, 0.05, axis=0), atol=0.02)
    np.testing.assert_allclose(out["p95"], np.quantile(draws, 0.95, axis=0), atol=0.02)
    # All weight on draws above 5 moves the interval up.
    heavy = np.where(draws[:, 0, 0] > 5.0, 1.0, 0.0)
    shifted = weighted_interval(draws[:, :1, :1], (heavy / heavy.sum())[None])
    assert shifted["p05"][0, 0] > 5.0 - 1e-6


def test_weighted_interval_matches_np_interp_per_segment_and_experiment():
    """All segments and experiments at once give what np.interp gives for each one alone."""
    from curvehouse.fitting.experiment_lift import weighted_interval

    rng = np.random.default_rng(5)
    draws = rng.gamma(2.0, 1.0, size=(300, 4, 3))
    weights = rng.pareto(1.5, size=(4, 300)) + 1e-3
    weights /= weights.sum(axis=1, keepdims=True)
    out = weighted_interval(draws, weights)
    for s in range(4):
        for e in range(3):
            x, w = draws[:, s, e], weights[s]
            order = np.argsort(x)
            centre = np.cumsum(w[order]) - w[order] / 2
            p05, p95 = np.interp([0.05, 0.95], centre, x[order])
            assert out["p05"][s, e] == pytest.approx(p05) and out["p95"][s, e] == pytest.approx(p95)
            assert out["mean"][s, e] == pytest.approx(w @ x)
