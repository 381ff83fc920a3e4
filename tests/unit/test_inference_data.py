"""A fit's full posterior as ArviZ InferenceData: small real fits (one segment sampled alone, two as
lanes), converted, and read back the way an analyst would (az.loo, az.summary, netCDF)."""

from __future__ import annotations

from dataclasses import replace

import arviz as az
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.model.data import build_model_data
from curvehouse.model.numpyro_model import model_arrays
from curvehouse.model.priors import build_priors
from curvehouse.model.sampling import PRIOR_DRAWS, sample_lanes, sample_posterior
from curvehouse.model.spec import ModelSpec, spec_from_config
from curvehouse.posterior.inference_data import inference_data

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv"))
SAMPLER = {"chains": 2, "warmup": 150, "draws": 100}
# az.loo on 200 draws of a tiny fit: high Pareto k on a few weeks is expected, not what is tested here
pytestmark = pytest.mark.filterwarnings("ignore:Estimated shape parameter of Pareto:UserWarning")


@pytest.fixture(scope="module")
def demo():
    generated = generate_demo(n_segments=2, n_weeks=52, seed=2, channels=CHANNELS, deferred_channel=None, daily=False)
    model_input, registry = model_input_from_demo(generated)
    return model_input.assign(week_start=pd.to_datetime(model_input["week_start"])), registry


@pytest.fixture(scope="module")
def single(demo):
    model_input, registry = demo
    spec = spec_from_config({"sampler": {**SAMPLER, "chain_method": "sequential"}})
    data = build_model_data(model_input[model_input["segment_id"] == "emea"], {}, spec.adstock_max_lag)
    posterior = sample_posterior(model_arrays(data), build_priors(data, spec, registry), spec)
    return posterior, data, spec, inference_data(posterior, data, spec)


def test_sites_keep_their_values_under_named_dims_and_coords(single):
    posterior, data, spec, idata = single
    post = idata.posterior
    assert set(post.data_vars) == set(posterior.samples)
    assert post["roi"].dims == ("chain", "draw", "segment", "channel")
    assert post["gamma"].dims == ("chain", "draw", "segment", "control")
    assert post["sigma"].dims == ("chain", "draw", "segment")
    assert post["mu"].dims == ("chain", "draw", "segment", "week")
    assert list(post["segment"].values) == ["emea"]
    assert list(post["channel"].values) == list(data.channels) == ["paid_search", "tv"]
    assert list(post["control"].values) == list(data.controls) and data.controls
    assert post["week_start"].dims == ("segment", "week")
    assert list(pd.to_datetime(post["week_start"].values[0])) == list(data.weeks[0])
    np.testing.assert_array_equal(post["roi"].values, posterior.samples["roi"])
    assert post.attrs["methodology_version"] == spec.version
    assert "units" in post["roi"].attrs and "y_scale" in post["sigma"].attrs["units"]

    prior = idata.prior
    assert set(prior.data_vars) == set(posterior.prior)
    assert prior.sizes["chain"] == 1 and prior.sizes["draw"] == PRIOR_DRAWS
    np.testing.assert_array_equal(prior["roi"].values[0], posterior.prior["roi"])

    constant = idata.constant_data
    np.testing.assert_array_equal(constant["spend"].values, data.spend)
    assert constant["y_scale"].values[0] == data.y_scale[0] and constant["fit_mask"].values.all()


def test_sample_stats_carry_divergences_and_the_sampler_statistics(single):
    posterior, _, spec, idata = single
    sample_stats = idata.sample_stats
    assert sample_stats["diverging"].dtype == bool
    assert int(sample_stats["diverging"].sum()) == posterior.divergences(1)[0]
    assert {"energy", "n_steps"} <= set(sample_stats.data_vars)
    assert sample_stats["n_steps"].dims == ("chain", "draw")
    np.testing.assert_array_equal(sample_stats["n_steps"].values, posterior.stats["num_steps"])
    # Every tree is between depth 1 and the sampler's cap (kept draws: max_tree_depth).
    depth = sample_stats["tree_depth"].values
    assert depth.min() >= 1 and depth.max() <= spec.sampler.max_tree_depth


def test_log_likelihood_is_the_noise_density_of_each_fitted_week_in_currency(single):
    posterior, data, spec, idata = single
    assert spec.noise == ModelSpec().noise == "normal"
    ll = idata.log_likelihood["y"]
    assert ll.dims == ("chain", "draw", "obs") and ll.sizes["obs"] == 52
    chain, draw, week = 1, 37, 10
    scale = data.y_scale[0]
    y = data.y[0, week] * scale
    mu = float(posterior.samples["mu"][chain, draw, 0, week]) * scale
    sigma = float(posterior.samples["sigma"][chain, draw, 0]) * scale
    by_hand = -0.5 * np.log(2 * np.pi * sigma**2) - (y - mu) ** 2 / (2 * sigma**2)
    assert by_hand == pytest.approx(stats.norm.logpdf(y, mu, sigma), rel=1e-12)
    assert float(ll[chain, draw, week]) == pytest.approx(by_hand, rel=1e-9)
    assert int(ll["week"][week]) == week and ll["segment"].values[week] == "emea"
    np.testing.assert_allclose(idata.observed_data["y"].values, data.y[0] * scale)
    # the same draws read under the Student-t family (a pure conversion: no refit needed)
    student = inference_data(posterior, data, replace(spec, noise="student_t")).log_likelihood["y"]
    df = spec.priors.student_t_df
    assert float(student[chain, draw, week]) == pytest.approx(stats.t.logpdf(y, df, mu, sigma), rel=1e-9)


def test_posterior_predictive_draws_the_noise_around_each_draws_mean(single):
    posterior, data, _, idata = single
    scale = data.y_scale[0]
    replicated = idata.posterior_predictive["y"].values
    standardised = (replicated - posterior.samples["mu"][:, :, 0] * scale) / (
        posterior.samples["sigma"][:, :, 0, None] * scale
    )
    assert abs(standardised.mean()) < 0.05 and abs(standardised.std() - 1) < 0.05
    assert "currency" in idata.posterior_predictive.attrs["units"]


def test_arviz_loo_summary_and_netcdf_take_it_as_it_is(single, tmp_path):
    _, data, _, idata = single
    loo = az.loo(idata)
    assert np.isfinite(loo["elpd_loo"]) and loo["n_data_points"] == int(data.n_weeks[0])
    summary = az.summary(idata, var_names=["roi"])
    assert list(summary.index) == ["roi[emea, paid_search]", "roi[emea, tv]"]
    path = tmp_path / "fit.nc"
    idata.to_netcdf(path)
    loaded = az.from_netcdf(path)
    assert set(loaded.groups()) == set(idata.groups())
    for group in idata.groups():
        xr.testing.assert_identical(loaded[group], idata[group])


def test_weeks_outside_the_fit_mask_are_left_out_of_the_observations(single):
    posterior, data, spec, _ = single
    fit_mask = data.time_mask.copy()
    fit_mask[0, -4:] = 0
    idata = inference_data(posterior, data, spec, fit_mask)
    ll = idata.log_likelihood["y"]
    assert ll.sizes["obs"] == 48 and list(ll["week"].values) == list(range(48)) and np.isfinite(ll.values).all()
    assert idata.posterior_predictive["y"].sizes["obs"] == idata.observed_data["y"].sizes["obs"] == 48
    assert int(idata.constant_data["fit_mask"].sum()) == 48
    assert az.loo(idata)["n_data_points"] == 48
    assert np.isfinite(idata.posterior["mu"].values).all()  # the held-out weeks keep their prediction


def test_lanes_give_per_segment_sampler_statistics_and_skip_padded_weeks(demo, tmp_path):
    """Two segments as lanes, the second four weeks shorter (so padded): divergences and statistics
    per segment, padded weeks NaN in mu and absent from the observations."""
    model_input, registry = demo
    last = model_input["week_start"].max() - pd.Timedelta(weeks=4)
    shorter = model_input[(model_input["segment_id"] == "emea") | (model_input["week_start"] <= last)]
    spec = spec_from_config({"sampler": {**SAMPLER, "chain_method": "lanes"}})
    data = build_model_data(shorter, {}, spec.adstock_max_lag)
    assert data.segments == ("emea", "north_america") and list(data.n_weeks) == [52, 48]
    posterior = sample_lanes(model_arrays(data), build_priors(data, spec, registry), spec)
    idata = inference_data(posterior, data, spec)

    sample_stats = idata.sample_stats
    for name in ("diverging", "energy", "n_steps"):
        assert sample_stats[name].dims == ("chain", "draw", "segment")
    per_segment = sample_stats["diverging"].sum(("chain", "draw"))
    np.testing.assert_array_equal(per_segment.values, posterior.divergences(2))
    np.testing.assert_array_equal(
        sample_stats["n_steps"].sel(segment="north_america"), posterior.segment_stats("num_steps", 1)
    )

    mu = idata.posterior["mu"].sel(segment="north_america")
    assert np.isnan(mu.values[..., 48:]).all() and np.isfinite(mu.values[..., :48]).all()
    assert np.isnat(idata.posterior["week_start"].sel(segment="north_america").values[48:]).all()
    segments = idata.log_likelihood["segment"].values
    assert (segments == "emea").sum() == 52 and (segments == "north_america").sum() == 48
    assert np.isfinite(idata.log_likelihood["y"].values).all()
    path = tmp_path / "lanes.nc"
    idata.to_netcdf(path)
    xr.testing.assert_identical(az.from_netcdf(path).posterior, idata.posterior)
