"""Non-media treatments and exposure-driven media: data arrays, the model program, tiny real fits."""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pandas as pd
import pytest
from numpyro import handlers

from curvehouse import constants as k
from curvehouse.drivers_bench import driver_figures, exposure_data, treatment_data
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.data import build_model_data
from curvehouse.model.exposure import exposure_scale, with_exposure
from curvehouse.model.numpyro_model import mmm_model, model_arrays
from curvehouse.model.priors import build_priors
from curvehouse.model.registry import channel_kind, exposure_driven_channels, registry_value
from curvehouse.model.spec import ModelSpec

TINY = {
    "sampler": {"chains": 2, "warmup": 150, "draws": 150, "chain_method": "sequential", "draws_kept": 20},
    "holdout_weeks": 0,
    "backtest": {"folds": 0},
    "publish": {"rhat_max": 1.3, "ess_min": 20, "divergences_max": 100, "r2_min": 0.3},
}
SEGMENT = "seg_1"


def _one(long: pd.DataFrame) -> pd.DataFrame:
    return long[long["segment_id"] == SEGMENT]


@pytest.fixture(scope="module")
def treated():
    data = treatment_data()
    return data, fit_segments(_one(data.long), data.registry, TINY, progress=lambda _: None)


@pytest.fixture(scope="module")
def exposed():
    data = exposure_data()
    return data, fit_segments(_one(data.long), data.registry, TINY, progress=lambda _: None)


def _sites(long: pd.DataFrame, registry: pd.DataFrame) -> set[str]:
    data = build_model_data(long, {}, 8)
    if exposure_driven_channels(registry):
        data, _ = with_exposure(data, long, exposure_driven_channels(registry))
    spec = ModelSpec()
    priors = build_priors(data, spec, registry)
    model = handlers.seed(partial(mmm_model, spec=spec, observe=False), 0)
    return set(handlers.trace(model).get_trace(**model_arrays(data), priors=priors))


def test_registry_accessors_default_without_the_new_columns():
    bare = pd.DataFrame({"channel": ["tv"], "roi_prior_mean": [2.0]})
    assert channel_kind(bare, "tv") == "paid"
    assert registry_value(bare, "tv", "unit", None) is None
    assert registry_value(bare, "tv", "roi_prior_mean", 1.0) == 2.0
    assert exposure_driven_channels(bare) == frozenset()
    flagged = bare.assign(exposure_driven=[True], channel_kind=[""])
    assert exposure_driven_channels(flagged) == {"tv"}


def test_a_paid_only_input_samples_the_same_sites_with_or_without_an_exposure_flag():
    data = exposure_data()
    long = _one(data.long)
    paid_only = long[long["variable_kind"] != "impressions"]
    plain = _sites(paid_only, data.registry.assign(exposure_driven=False))
    assert k.TREATMENT not in plain
    assert "treatment" not in model_arrays(build_model_data(paid_only, {}, 8))
    assert _sites(long, data.registry) == plain  # exposure changes the data, not the program
    treatment_long = _one(treatment_data().long)
    assert _sites(treatment_long, data.registry.assign(exposure_driven=False)) == plain | {k.TREATMENT, "treatment"}


def test_treatment_arrays_measure_against_the_window_minimum():
    long = _one(treatment_data().long)
    data = build_model_data(long, {}, 8)
    price = long[long["variable_kind"] == "treatment"].sort_values("week_start")["value"].to_numpy()
    assert data.treatments == ("price_index",)
    assert data.treatment_ref[0, 0] == pytest.approx(price.min())
    assert data.treatment_scale[0, 0] == pytest.approx(price.std())
    np.testing.assert_allclose(data.treatment[0, :, 0], (price - price.min()) / price.std(), rtol=1e-6)
    assert data.treatment[0].min() == pytest.approx(0.0)


def test_exposure_scale_is_mean_active_impressions_times_cost_per_impression():
    spend, imps = np.array([100.0, 0.0, 300.0]), np.array([1000.0, 0.0, 2000.0])
    cpi, mean_active, x_scale = exposure_scale(spend, imps)
    assert cpi == pytest.approx(400 / 3000)
    assert mean_active == pytest.approx(1500)
    assert x_scale == pytest.approx(1500 * 400 / 3000)


def test_exposure_lag_stack_is_impressions_over_their_mean_and_x_scale_is_in_spend():
    generated = exposure_data()
    long = _one(generated.long)
    data, warnings = with_exposure(build_model_data(long, {}, 8), long, frozenset({"video"}))
    c = data.channels.index("video")
    imps = long[(long["variable_kind"] == "impressions")].sort_values("week_start")["value"].to_numpy()
    spend = data.spend[0, :, c]
    assert warnings == {}
    assert data.cost_per_impression[0, c] == pytest.approx(spend.sum() / imps.sum())
    np.testing.assert_allclose(data.lagged[0, :, c, 0], imps / imps[imps > 0].mean(), rtol=1e-5)
    assert data.x_scale[0, c] == pytest.approx(imps[imps > 0].mean() * spend.sum() / imps.sum())
    assert np.isnan(data.cost_per_impression[0, data.channels.index("search")])


def test_missing_impressions_in_a_spending_week_fall_back_to_spend_with_a_warning():
    long = _one(exposure_data().long)
    gap = long[(long["variable_kind"] == "impressions")].index[:3]
    data, warnings = with_exposure(build_model_data(long, {}, 8), long.drop(gap), frozenset({"video"}))
    plain = build_model_data(long, {}, 8)
    c = data.channels.index("video")
    assert "lacks impressions in 3 week(s)" in warnings[0][0]
    assert np.isnan(data.cost_per_impression[0, c])
    np.testing.assert_array_equal(data.lagged, plain.lagged)


def test_treatment_effect_is_negative_with_an_interval_excluding_zero(treated):
    _, artifacts = treated
    params = artifacts[(artifacts["artifact"] == "parameter") & (artifacts["channel"] == "price_index")]
    effect = params[params["parameter"] == "treatment_effect"].iloc[0]
    assert effect["p95"] < 0, effect
    assert effect["rhat"] < 1.1 and np.isfinite(effect["prior_sd"])
    assert json.loads(effect["details"])["channel_kind"] == "non_media"
    assert json.loads(effect["details"])["unit"] == "index"
    status = artifacts[(artifacts["artifact"] == "run") & (artifacts["parameter"] == "status")]["details"]
    assert status.iloc[0] == "published"


def test_treatment_has_signed_decomposition_rows_and_draws(treated):
    _, artifacts = treated
    rows = artifacts[(artifacts["artifact"] == "decomposition") & (artifacts["details"] == "treatment")]
    assert len(rows) == 156 and set(rows["parameter"]) == {"price_index"} and set(rows["channel"]) == {"price_index"}
    assert rows["mean"].max() <= 1e-6 < -rows["mean"].min()  # lowers the outcome against the minimum price
    fitted = artifacts[(artifacts["artifact"] == "decomposition") & (artifacts["details"] == "fitted")]
    parts = artifacts[(artifacts["artifact"] == "decomposition") & ~artifacts["details"].isin(["fitted", "actual"])]
    np.testing.assert_allclose(parts.groupby("week_start")["mean"].sum(), fitted.groupby("week_start")["mean"].sum())
    draws = artifacts[(artifacts["artifact"] == "draw") & (artifacts["parameter"] == "treatment_effect")]
    assert set(draws["draw_kind"]) == {"posterior", "prior"}


def test_the_treatment_lowers_media_roi_error(treated):
    data, artifacts = treated
    one = type(data)(
        data.long, data.registry, {k_: v for k_, v in data.truth.items() if k_[0] == SEGMENT}, data.outcome
    )
    assert driver_figures(artifacts, one)["roi_mare"] < 0.35


def test_an_exposure_driven_fit_recovers_and_keeps_its_curves_in_spend(exposed):
    data, artifacts = exposed
    summary = artifacts[(artifacts["artifact"] == "summary") & (artifacts["channel"] == "video")]
    roi = summary[summary["parameter"] == "roi"].iloc[0]
    assert roi["p05"] <= data.truth[(SEGMENT, "video")]["roi"] <= roi["p95"], roi
    half = summary[summary["parameter"] == "half_point"].iloc[0]
    details = json.loads(half["details"])
    assert details["saturation_unit"] == "impressions"
    long = _one(data.long)
    imps = long[long["variable_kind"] == "impressions"]["value"]
    spend = long[(long["variable_kind"] == "spend") & (long["variable_name"] == "video")]["value"]
    assert details["cost_per_impression"] == pytest.approx(spend.sum() / imps.sum())
    # half point in spend = the impressions half point (in mean active impressions) x mean impressions x cpi
    coef = artifacts[(artifacts["artifact"] == "parameter") & (artifacts["parameter"] == "half_point")]
    hp = coef[coef["channel"] == "video"].iloc[0]["mean"]
    assert hp == pytest.approx(half["mean"])
    curve = artifacts[(artifacts["artifact"] == "curve") & (artifacts["channel"] == "video")]
    assert curve["spend_level"].max() == pytest.approx(spend.max())
    assert summary[summary["parameter"] == "spend"].iloc[0]["value"] == pytest.approx(spend.sum())


def test_an_exposure_flag_changes_the_run_id_and_its_absence_does_not():
    from curvehouse.fitting.run_ids import run_id_for

    data = exposure_data()
    long = _one(data.long)
    spec = ModelSpec()
    bare = data.registry.drop(columns=["exposure_driven", "channel_kind", "unit"])
    unflagged = run_id_for(long, spec, data.registry.assign(exposure_driven=False))
    assert unflagged == run_id_for(long, spec, bare)
    assert run_id_for(long, spec, data.registry) != unflagged
