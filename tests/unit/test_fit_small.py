"""Real NumPyro fits on small generated data with known truth (few draws, so loose checks)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.fitting.run_ids import run_id_for
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.anchors import roi_on_previous_curve
from curvehouse.model.data import build_model_data
from curvehouse.model.priors import build_priors
from curvehouse.model.spec import spec_from_config
from curvehouse.published import read_history

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv", "linkedin"))
TINY = {
    "sampler": {
        "chains": 2,
        "warmup": 300,
        "draws": 300,
        "chain_method": "sequential",
        "draws_kept": 20,
        "target_accept": 0.85,
    },
    "holdout_weeks": 0,
    "publish": {"rhat_max": 1.2, "ess_min": 20, "divergences_max": 100, "r2_min": 0.3},
}


@pytest.fixture(scope="module")
def generated():
    data = generate_demo(n_segments=2, n_weeks=104, seed=11, channels=CHANNELS, deferred_channel=None, daily=False)
    model_input, registry = model_input_from_demo(data)
    return data, model_input, registry


@pytest.fixture(scope="module")
def fitted(generated):
    _, model_input, registry = generated
    one = model_input[model_input["segment_id"] == "north_america"]
    return fit_segments(one, registry, TINY, progress=lambda _: None)


def test_true_roi_is_recovered_within_the_interval(generated, fitted):
    data, _, _ = generated
    roi = fitted[(fitted["artifact"] == "summary") & (fitted["parameter"] == "roi")].set_index("channel")
    truth = {c: v["roi"] for c, v in data.truth["segments"]["north_america"]["channels"].items()}
    inside = [roi.at[c, "p05"] <= truth[c] <= roi.at[c, "p95"] for c in roi.index]
    assert sum(inside) >= 2, (roi[["p05", "mean", "p95"]], truth)
    errors = [abs(roi.at[c, "mean"] - truth[c]) / truth[c] for c in roi.index]
    assert np.mean(errors) < 0.5


def test_a_run_row_says_published_and_cites_its_window(fitted):
    run = fitted[fitted["artifact"] == "run"].set_index("parameter")
    assert run.at["status", "details"] == "published", run.at["status_reason", "details"]
    assert run.at["data_window_start", "details"] < run.at["data_window_end", "details"]
    assert run.at["n_weeks", "value"] == 104
    assert np.isfinite(fitted.loc[fitted["artifact"] == "curve", ["mean", "p05", "p95"]].to_numpy()).all()


def test_run_and_summary_rows_carry_exactly_the_registered_names(fitted):
    from curvehouse.posterior import artifact_names as names
    from curvehouse.posterior.store import PATH_TEXT

    written = fitted.groupby("artifact")["parameter"].agg(set)
    # posterior_path is the store's row (curvehouse.posterior.store), added beside the fit's own
    assert written["run"] == {*names.RUN_NUMBERS, *names.RUN_TEXTS} - {PATH_TEXT}
    assert written["summary"] == {*names.SUMMARY_INTERVALS, *names.SUMMARY_SCALARS}


def test_same_data_methodology_and_seed_give_the_same_numbers(generated, fitted):
    _, model_input, registry = generated
    one = model_input[model_input["segment_id"] == "north_america"]
    again = fit_segments(one, registry, TINY, progress=lambda _: None)
    cols = ["run_id", "parameter", "channel", "mean", "p05", "p95"]
    first = fitted[fitted["artifact"] == "parameter"][cols].reset_index(drop=True)
    second = again[again["artifact"] == "parameter"][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, second)


def test_an_unchanged_segment_is_not_refitted(generated, fitted):
    _, model_input, registry = generated
    one = model_input[model_input["segment_id"] == "north_america"]
    run_id = fitted["run_id"].iloc[0]
    messages = []
    again = fit_segments(one, registry, TINY, existing_run_ids=frozenset({run_id}), progress=messages.append)
    assert again.empty and "unchanged since run" in messages[0]


def test_a_changed_registry_prior_or_lag_makes_a_new_run_and_a_renamed_channel_does_not(generated):
    _, model_input, registry = generated
    one = model_input[model_input["segment_id"] == "north_america"]
    spec = spec_from_config(TINY)
    base = run_id_for(one, spec, registry)
    fitted_channel = one.loc[one["variable_kind"] == "spend", "variable_name"].iloc[0]
    row = registry["channel"] == fitted_channel
    assert run_id_for(one, spec, registry.assign(display_name="Renamed")) == base
    assert run_id_for(one, spec, registry.assign(roi_prior_mean=registry["roi_prior_mean"].where(~row, 9.0))) != base
    lag = registry["adstock_max_lag"].astype("Float64").where(~row, 3)
    assert run_id_for(one, spec, registry.assign(adstock_max_lag=lag)) != base
    unused = pd.concat([registry, registry.iloc[[0]].assign(channel="not_in_this_segment", roi_prior_mean=7.0)])
    assert run_id_for(one, spec, unused) == base


def test_refresh_priors_are_centred_on_the_current_posterior(generated, fitted):
    _, model_input, registry = generated
    with duckdb.connect() as con:
        con.register("fit_segments", fitted)
        previous = read_history(con, "fit_segments").current_parameters
    spec = spec_from_config({"fit_mode": "refresh"})
    data = build_model_data(model_input[model_input["segment_id"] == "north_america"], {}, 8)
    fresh = build_priors(data, spec, registry)
    centred = build_priors(data, spec, registry, previous)
    c = data.channels.index("tv")
    roi = previous[(previous["parameter"] == "roi") & (previous["channel"] == "tv")].iloc[0]
    implied_mean = np.exp(centred["roi_loc"][0, c] + centred["roi_scale"][0, c] ** 2 / 2)
    # centred on the ROI of the previous curve at this data's spend: on the same weeks, about its ROI
    on_curve = roi_on_previous_curve(data, centred, previous)[0, c]
    assert implied_mean == pytest.approx(on_curve, rel=1e-6)
    assert on_curve == pytest.approx(roi["mean"], rel=0.15)
    assert centred["roi_scale"][0, c] < fresh["roi_scale"][0, c]


def test_non_finite_curves_are_never_published():
    from curvehouse.fitting.publish import finite_segments

    rows = pd.DataFrame(
        {
            "segment_id": ["a", "a", "b", "b"],
            "artifact": ["curve", "summary", "curve", "summary"],
            "parameter": ["response", "roi", "response", "roi"],
            "mean": [1.0, 2.0, 1.0, 2.0],
            "p05": [0.5, np.nan, 0.5, np.nan],  # a summary's interval may be missing
            "p95": [1.5, np.nan, 1.5, np.nan],
        }
    )
    assert finite_segments(rows) == {"a", "b"}
    rows.loc[0, "p95"] = np.nan
    assert finite_segments(rows) == {"b"}
    rows.loc[0, "p95"], rows.loc[3, "mean"] = 1.5, np.nan
    assert finite_segments(rows) == {"a"}


def test_leave_future_out_holdout_agrees_with_a_refit_without_those_weeks(generated, monkeypatch):
    """The PSIS leave-future-out prediction of the last 8 weeks and the refit resumed from the fit's
    chains on the data without them agree with a cold fit that never saw those weeks (the check
    both replace); the run says which method it used. The resumed refit runs the fit's compiled
    program: it traces nothing new."""
    from curvehouse.fitting.metrics import (
        holdout_metrics,
        holdout_refit_prediction,
        pareto_k_threshold,
        psis_holdout_prediction,
    )
    from curvehouse.model import sampling
    from curvehouse.model.numpyro_model import model_arrays
    from curvehouse.model.sampling import sample_posterior
    from curvehouse.posterior.derive import fitted_draws

    _, model_input, registry = generated
    one = model_input[model_input["segment_id"] == "north_america"].assign(
        week_start=lambda f: pd.to_datetime(f["week_start"])
    )
    spec = spec_from_config({**TINY, "holdout_weeks": 8})
    data = build_model_data(one, {}, spec.adstock_max_lag)
    priors = build_priors(data, spec, registry)
    posterior = sample_posterior(model_arrays(data), priors, spec)
    hold = np.zeros_like(data.time_mask)
    hold[0, -8:] = 1
    actual = (data.y * data.y_scale[:, None])[0, -8:]

    def mape(predicted: np.ndarray) -> float:
        return float(np.mean(np.abs(predicted[0, -8:] - actual) / actual))

    cold = sample_posterior(model_arrays(data, data.time_mask * (1 - hold)), priors, spec)
    cold_mape = mape(fitted_draws(cold.samples, data).mean(0))
    psis, pareto_k = psis_holdout_prediction(data, spec, posterior, hold)
    traced = []
    build_chain = sampling._nuts_chain  # called each time the sampler program is traced
    monkeypatch.setattr(sampling, "_nuts_chain", lambda *a, **kw: traced.append(a) or build_chain(*a, **kw))
    resumed_mape = mape(holdout_refit_prediction(data, priors, spec, hold, posterior))
    assert not traced, "the resumed refit traced (so compiled) a sampler program of its own"
    print(
        f"holdout MAPE: cold refit {cold_mape:.4f}, resumed refit {resumed_mape:.4f}, "
        f"leave-future-out {mape(psis):.4f} (Pareto k {pareto_k[0]:.2f})"
    )
    assert abs(resumed_mape - cold_mape) < 0.01, (resumed_mape, cold_mape)
    [run] = holdout_metrics(data, priors, spec, posterior)
    assert run["holdout_weeks"] == 8 and run["holdout_pareto_k"] == pytest.approx(pareto_k[0])
    if pareto_k[0] <= pareto_k_threshold(posterior.flat("sigma").shape[0]):
        assert run["holdout_method"] == "psis_lfo" and abs(mape(psis) - cold_mape) < 0.01
    else:
        assert run["holdout_method"] == "refit" and run["mape_holdout"] == pytest.approx(resumed_mape, rel=1e-6)


def test_stored_prior_draws_follow_the_priors(generated):
    """The prior draws stored beside the posterior follow the configured priors: theta (drawn on the
    host) is Beta(theta_a, theta_b), and the half point, sampled as a slope-scaled shift, still has
    log K ~ Normal(half_point_loc, half_point_scale) (Kolmogorov-Smirnov, per channel)."""
    from scipy import stats

    from curvehouse.model.numpyro_model import model_arrays
    from curvehouse.model.sampling import PRIOR_DRAWS, sample_posterior

    _, model_input, registry = generated
    one = model_input[model_input["segment_id"] == "north_america"].assign(
        week_start=lambda f: pd.to_datetime(f["week_start"])
    )
    spec = spec_from_config(TINY)
    data = build_model_data(one, {}, spec.adstock_max_lag)
    priors = build_priors(data, spec, registry)
    prior = sample_posterior(model_arrays(data), priors, spec).prior
    assert prior["theta"].shape == (PRIOR_DRAWS, 1, len(data.channels))
    for c in range(len(data.channels)):
        theta = prior["theta"][:, 0, c]
        assert stats.kstest(theta, stats.beta(priors["theta_a"][0, c], priors["theta_b"][0, c]).cdf).pvalue > 1e-3
        log_half = np.log(prior["half_point"][:, 0, c])
        normal = stats.norm(priors["half_point_loc"][0, c], priors["half_point_scale"][0, c])
        assert stats.kstest(log_half, normal.cdf).pvalue > 1e-3
        roi = stats.lognorm(s=priors["roi_scale"][0, c], scale=np.exp(priors["roi_loc"][0, c]))
        assert stats.kstest(prior["roi"][:, 0, c], roi.cdf).pvalue > 1e-3
    assert np.isfinite(prior["intercept"]).all() and np.isfinite(prior["beta"]).all()


def test_brand_channels_get_the_longer_adstock_prior(generated):
    _, model_input, registry = generated
    one = model_input[model_input["segment_id"] == "north_america"].assign(
        week_start=lambda f: pd.to_datetime(f["week_start"])
    )
    spec = spec_from_config(
        {"priors": {"theta_alpha": 2.0, "theta_beta": 5.0, "brand_theta_alpha": 4.0, "brand_theta_beta": 2.0}}
    )
    data = build_model_data(one, {}, spec.adstock_max_lag)
    groups = registry.set_index("channel")["channel_group"]
    priors = build_priors(data, spec, registry)
    for c, channel in enumerate(data.channels):
        expected = (4.0, 2.0) if groups[channel] == "brand" else (2.0, 5.0)
        assert (priors["theta_a"][0, c], priors["theta_b"][0, c]) == expected
    assert "brand" in set(groups[list(data.channels)]) and "performance" in set(groups[list(data.channels)])
    no_groups = build_priors(data, spec, registry.drop(columns="channel_group"))
    assert (no_groups["theta_a"] == 2.0).all() and (no_groups["theta_b"] == 5.0).all()
