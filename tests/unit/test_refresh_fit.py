"""Refresh mode on small generated data: a full fit, then a 13-week refresh centred on it (real
NumPyro fits, few draws)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.fitting.run_ids import run_id_for
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.anchors import fixed_values, previous_control_sd
from curvehouse.model.data import build_model_data
from curvehouse.model.spec import spec_from_config
from curvehouse.published import read_history

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv", "linkedin"))
SMALL = {
    "sampler": {"chains": 2, "warmup": 150, "draws": 150, "chain_method": "sequential", "draws_kept": 10},
    "holdout_weeks": 0,
    "publish": {"rhat_max": 1.05, "ess_min": 30, "divergences_max": 0, "r2_min": 0.3},
}
REFRESH = {**SMALL, "fit_mode": "refresh", "refresh": {"target_accept": 0.9}}  # tiny fits: larger steps
BOOSTED = "tv"  # the channel whose effect the recent weeks raise (its spend varies in them)


@pytest.fixture(scope="module")
def runs():
    """The model input, a full fit on it, its history, and refreshes of the last 13 weeks as they are
    and with TV's effect raised (revenue + 3 x its spend in those weeks)."""
    data = generate_demo(n_segments=1, n_weeks=104, seed=5, channels=CHANNELS, deferred_channel=None, daily=False)
    model_input, registry = model_input_from_demo(data)
    full = fit_segments(model_input, registry, SMALL, progress=lambda _: None)
    with duckdb.connect() as con:
        con.register("fit_segments", full)
        previous = read_history(con, "fit_segments").current_parameters
    refresh = fit_segments(model_input, registry, REFRESH, previous=previous, progress=lambda _: None)
    boosted = fit_segments(_boost(model_input), registry, REFRESH, previous=previous, progress=lambda _: None)
    return model_input, registry, full, previous, refresh, boosted


def _boost(model_input: pd.DataFrame) -> pd.DataFrame:
    """Revenue raised by three times the boosted channel's spend in each of the last 13 weeks."""
    weeks = model_input["week_start"]
    recent = weeks > weeks.max() - pd.Timedelta(weeks=13)
    spend = model_input[recent & (model_input["variable_name"] == BOOSTED)].set_index("week_start")["value"]
    outcome = recent & (model_input["variable_kind"] == "outcome")
    out = model_input.copy()
    out.loc[outcome, "value"] += 3.0 * out.loc[outcome, "week_start"].map(spend).to_numpy()
    return out


def _run(artifacts: pd.DataFrame) -> pd.Series:
    return artifacts[artifacts["artifact"] == "run"].set_index("parameter")["details"]


def _parameter(artifacts: pd.DataFrame, name: str) -> pd.Series:
    rows = artifacts[(artifacts["artifact"] == "parameter") & (artifacts["parameter"] == name)]
    return rows.set_index("channel")["mean"]


def _segment_parameter(artifacts: pd.DataFrame, name: str) -> float:
    rows = artifacts[(artifacts["artifact"] == "parameter") & (artifacts["parameter"] == name)]
    return float(rows["mean"].iloc[0])


def test_the_refresh_publishes_without_divergences(runs):
    *_, refresh, boosted = runs
    for artifacts in (refresh, boosted):
        run = _run(artifacts)
        assert run["status"] == "published", run["status_reason"]
        assert run["fit_mode"] == "refresh"
        numbers = artifacts[artifacts["artifact"] == "run"].set_index("parameter")["value"]
        assert numbers["n_weeks"] == 13 and numbers["divergences"] == 0


def test_the_curve_shape_controls_and_trend_are_held_at_the_previous_posterior(runs):
    *_, full, _, refresh, _ = runs
    for name in ("half_point", "slope", "theta"):  # half point in currency, though x_scale differs
        held, before = _parameter(refresh, name), _parameter(full, name)
        np.testing.assert_allclose(held, before.loc[held.index], rtol=1e-4)
    gamma_full, gamma_refresh = _parameter(full, "gamma"), _parameter(refresh, "gamma")
    assert (gamma_refresh != 0).any() and set(gamma_refresh.index) == set(gamma_full.index)
    trend = {name: _segment_parameter(a, "trend") for name, a in (("full", full), ("refresh", refresh))}
    weeks = full[(full["artifact"] == "run") & (full["parameter"] == "n_weeks")]["value"].iloc[0]
    assert trend["full"] != 0
    assert trend["refresh"] == pytest.approx(trend["full"] * 12 / (weeks - 1), rel=1e-3)  # same change per week


def _roi(artifacts: pd.DataFrame) -> pd.DataFrame:
    rows = artifacts[(artifacts["artifact"] == "summary") & (artifacts["parameter"] == "roi")]
    return rows.set_index("channel")[["mean", "p05", "p90", "p95"]]


def test_the_roi_stays_on_unchanged_data_and_moves_when_the_recent_weeks_say_so(runs):
    *_, full, _, refresh, boosted = runs
    before, now, raised = _roi(full), _roi(refresh), _roi(boosted)
    inside = (now["mean"] >= before.loc[now.index, "p05"]) & (now["mean"] <= before.loc[now.index, "p95"])
    assert inside.all(), (before, now)
    assert raised.at[BOOSTED, "mean"] > before.at[BOOSTED, "p95"]
    assert raised.at[BOOSTED, "mean"] > now.at[BOOSTED, "p90"]


def test_the_refresh_run_id_names_the_run_it_was_centred_on(runs):
    model_input, registry, full, previous, refresh, _ = runs
    run_id = refresh["run_id"].iloc[0]
    again = fit_segments(model_input, registry, REFRESH, frozenset({run_id}), previous, progress=lambda _: None)
    assert again.empty  # same weeks, same run centred on: the same run, not refitted
    elsewhere = previous.assign(run_id="another_run")
    other = fit_segments(model_input, registry, REFRESH, frozenset({run_id}), elsewhere, progress=lambda _: None)
    assert not other.empty and other["run_id"].iloc[0] != run_id
    spec = spec_from_config(SMALL)  # a full fit's run id ignores it
    assert run_id_for(model_input, spec, registry, centred_on="another_run") == full["run_id"].iloc[0]


def test_the_window_starts_with_the_adstock_of_the_spend_before_it(runs):
    model_input, *_ = runs
    weeks = model_input["week_start"]
    window = model_input[weeks > weeks.max() - pd.Timedelta(weeks=13)]
    bare = build_model_data(window, {}, 8)
    carried = build_model_data(window, {}, 8, lead_in=model_input)
    c = bare.channels.index(BOOSTED)
    spend = model_input[(model_input["variable_name"] == BOOSTED)].set_index("week_start")["value"]
    first = window["week_start"].min()
    for lag in range(1, 8):
        assert bare.lagged[0, 0, c, lag] == 0
        expected = spend[first - pd.Timedelta(weeks=lag)] / carried.x_scale[0, c]
        assert carried.lagged[0, 0, c, lag] == pytest.approx(expected, rel=1e-5)
    np.testing.assert_array_equal(carried.lagged[0, 7:], bare.lagged[0, 7:])  # past the lags, the same


def test_refresh_settings_leave_a_full_fits_version_alone():
    base = spec_from_config(SMALL)
    assert spec_from_config({**SMALL, "refresh": {"roi_sd_inflation": 3.0}}).version == base.version
    refresh = spec_from_config(REFRESH)
    assert spec_from_config({**REFRESH, "refresh": {"roi_sd_inflation": 3.0}}).version != refresh.version
    with pytest.raises(ValueError, match="roi_sd_inflation"):
        spec_from_config({"refresh": {"roi_sd_inflation": 0.5}})
    with pytest.raises(ValueError, match="target_accept"):
        spec_from_config({"refresh": {"target_accept": 1.0}})


def test_a_refresh_without_a_published_run_to_centre_on_is_rejected(runs):
    model_input, registry, *_ = runs
    artifacts = fit_segments(model_input, registry, REFRESH, progress=lambda _: None)
    run = _run(artifacts)
    assert run["status"] == "rejected" and "centre on" in run["status_reason"]


def test_a_control_the_previous_run_did_not_estimate_is_sampled_not_held(runs):
    model_input, _, _, previous, *_ = runs
    weeks = model_input["week_start"]
    window = model_input[weeks > weeks.max() - pd.Timedelta(weeks=13)]
    data = build_model_data(window, {}, 8)
    spec = spec_from_config(REFRESH)
    unseen = data.controls[0]
    known = previous[~((previous["parameter"] == "gamma") & (previous["channel"] == unseen))]
    fixed = fixed_values(data, spec, known, previous_control_sd(model_input, known))
    assert fixed["gamma_free_at"].tolist() == [[0, 0]]  # only the unseen one is sampled
    assert fixed["gamma_fixed"][0, 0] == 0 and (fixed["gamma_fixed"][0, 1:] != 0).all()


def test_a_refresh_of_a_moving_baseline_reestimates_one_level(runs):
    """The full fit's baseline moves (the default time_varying); the refresh fits one level on its 13
    weeks, the moving level's current value, so its baseline component is flat."""
    _, _, full, _, refresh, _ = runs

    def baseline(artifacts: pd.DataFrame) -> np.ndarray:
        rows = artifacts[(artifacts["artifact"] == "decomposition") & (artifacts["parameter"] == "baseline")]
        return rows.sort_values("week_start")["mean"].to_numpy()

    assert '"kind": "time_varying"' in _run(full)["methodology"]
    assert baseline(full).std() > 1e-3 * baseline(full).mean()
    assert len(baseline(refresh)) == 13 and np.ptp(baseline(refresh)) < 1e-6 * baseline(refresh).mean()
