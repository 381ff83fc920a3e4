"""A fit's full posterior as ArviZ InferenceData, for analysis outside the warehouse (az.summary,
az.loo, az.plot_ppc, netCDF files).

The groups, and the units they are in:

- posterior, prior: every site the sampler kept (the prior: all but the weekly mean mu), in the
  model's units (each variable's ``units`` attr; "mean weekly outcome" is the segment's y_scale).
  Dims: chain, draw, segment, then channel, control, treatment, week, knot or knot_step as the site
  has them. ``week`` is the padded week index; the coordinate ``week_start`` (segment, week) dates
  it, NaT in padding, where mu is NaN. The prior has one chain.
- log_likelihood, posterior_predictive, observed_data: ``y`` over ``obs``, one entry per fitted
  (segment, week) pair. Padded weeks and weeks outside the fit mask (a holdout) are left out rather
  than NaN, so az.loo and az.loo_pit take the InferenceData as it is; the coordinates segment, week
  and week_start say which pair each obs is. In outcome currency (model units times y_scale), so
  the log density is that of the observed outcome and compares with other models of it.
- sample_stats: diverging and the sampler's statistics under ArviZ's names, with a segment dim
  where the segments ran as lanes (each lane has its own chains).
- constant_data: the scales and masks that turn the parameters into business units.
"""

from __future__ import annotations

import json

import arviz as az
import numpy as np
import numpyro
import xarray as xr

from curvehouse import __version__
from curvehouse import constants as k
from curvehouse.model.anchors import FREE_CONTROL_SITE
from curvehouse.model.baseline import KNOTS, STEPS
from curvehouse.model.data import ModelData
from curvehouse.model.noise import noise_distribution
from curvehouse.model.sampling import Posterior
from curvehouse.model.spec import ModelSpec

__all__ = ["BY_OBSERVATION", "SITE_DIMS", "UNITS", "inference_data"]

Coords = dict[str, tuple[tuple[str, ...], np.ndarray]]  # name -> (dims, values)

BY_OBSERVATION = ("log_likelihood", "posterior_predictive", "observed_data")  # the groups over obs


# Dims of each site after (chain, draw).
SITE_DIMS: dict[str, tuple[str, ...]] = {
    **{
        name: ("segment", "channel")
        for name in (*k.CHANNEL_SITES, k.HALF_POINT_SHIFT, k.BETA, k.EFFECT_KIND, k.CONTRIBUTION)
    },
    **{name: ("segment",) for name in k.SEGMENT_SITES},
    k.GAMMA: ("segment", "control"),
    FREE_CONTROL_SITE: ("free_control",),
    k.TREATMENT: ("segment", "treatment"),
    STEPS: ("segment", "knot_step"),
    KNOTS: ("segment", "knot"),
    k.MU: ("segment", "week"),
}

MEAN_WEEK = "mean weekly outcome of the segment (constant_data y_scale)"
CURRENCY = "outcome currency (model units times y_scale)"
UNITS = {  # the `units` attr of each variable (curvehouse.constants)
    k.ROI: "outcome currency per unit of spend over the fit weeks",
    k.EFFECT: "by effect_kind (curvehouse.model.effects): 0 ROI, 1 marginal ROI, 2 share of the fit weeks' outcome",
    k.EFFECT_KIND: "code: 0 roi, 1 mroi, 2 share",
    k.HALF_POINT: "weekly driver (spend; organic: volume) in units of its mean active week (constant_data x_scale)",
    k.HALF_POINT_SHIFT: "slope * (log half_point - its prior's log median): how half_point is sampled",
    k.SLOPE: "Hill slope (unitless)",
    k.THETA: "adstock decay per week (unitless)",
    k.LEVEL: f"{MEAN_WEEK}, at average media and trend",
    k.INTERCEPT: f"{MEAN_WEEK}, without media",
    k.TREND: f"{MEAN_WEEK}: change over the window",
    k.SIGMA: MEAN_WEEK,
    k.BETA: f"{MEAN_WEEK} per week at saturation",
    k.CONTRIBUTION: f"{MEAN_WEEK}, summed over the fit weeks",
    k.GAMMA: f"{MEAN_WEEK} per control sd (constant_data control_sd)",
    FREE_CONTROL_SITE: f"{MEAN_WEEK} per control sd (constant_data control_sd)",
    k.TREATMENT: f"{MEAN_WEEK} per treatment sd (constant_data treatment_scale)",
    STEPS: "standard normal: the baseline random walk's steps over baseline.step_sd",
    KNOTS: MEAN_WEEK,
    k.MU: MEAN_WEEK,
    "y_scale": "outcome currency per week",
    "x_scale": "currency per week (organic channels: their volume per week)",
    "spend": "currency per week",
    "control_mean": "the control's own unit",
    "control_sd": "the control's own unit",
    "treatment_ref": "the treatment's own unit",
    "treatment_scale": "the treatment's own unit",
}

ARVIZ_STATS = {"num_steps": "n_steps"}  # numpyro's name -> ArviZ's


def inference_data(
    posterior: Posterior, data: ModelData, spec: ModelSpec, fit_mask: np.ndarray | None = None
) -> az.InferenceData:
    """The fit as InferenceData (see the module's docstring for groups, dims and units).

    posterior: what sample_posterior or sample_lanes returned for model_arrays(data, fit_mask);
    fit_mask: (S, T) the weeks the likelihood saw, as given to model_arrays (default: every real
    week). The posterior predictive draws are seeded by the sampler's seed, so a fit converts the
    same way every time.
    """
    fit_mask = data.time_mask if fit_mask is None else fit_mask
    week_start = _week_starts(data)
    coords: Coords = {
        "segment": (("segment",), np.asarray(data.segments)),
        "channel": (("channel",), np.asarray(data.channels)),
        "control": (("control",), np.asarray(data.controls)),
        "treatment": (("treatment",), np.asarray(data.treatments)),
        "week": (("week",), np.arange(data.time_mask.shape[1])),
        "week_start": (("segment", "week"), week_start),
    }
    samples = dict(posterior.samples)
    if k.MU in samples:
        samples[k.MU] = np.where(data.time_mask > 0, samples[k.MU], np.nan)
    fit = {
        "methodology_version": spec.version,
        "spec": json.dumps(spec.to_dict(), sort_keys=True),
        "noise": spec.noise,
        "curvehouse_version": __version__,
        "inference_library": "numpyro",
        "inference_library_version": numpyro.__version__,
    }
    return az.InferenceData(
        posterior=_draws(samples, coords).assign_attrs(fit),
        prior=_draws({name: v[None] for name, v in posterior.prior.items()}, coords),
        sample_stats=_sample_stats(posterior, coords),
        **_observations(posterior, data, spec, fit_mask, week_start),
        constant_data=_constant_data(data, fit_mask, coords),
    )


def _week_starts(data: ModelData) -> np.ndarray:
    """(S, T) each padded week's date, NaT in padding."""
    out = np.full(data.time_mask.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    for i, weeks in enumerate(data.weeks):
        out[i, : len(weeks)] = np.array(weeks, dtype="datetime64[ns]")
    return out


def _dataset(variables: dict[str, tuple[tuple[str, ...], np.ndarray]], coords: Coords) -> xr.Dataset:
    """Variables (dims, values) with their units, and those coordinates whose dims they use."""
    dataset = xr.Dataset(
        {
            name: xr.Variable(dims, value, {"units": UNITS[name]} if name in UNITS else None)
            for name, (dims, value) in variables.items()
        }
    )
    return dataset.assign_coords({name: c for name, c in coords.items() if set(c[0]) <= set(dataset.dims)})


def _chain_draw(n_chains: int, n_draws: int) -> Coords:
    return {"chain": (("chain",), np.arange(n_chains)), "draw": (("draw",), np.arange(n_draws))}


def _draws(sites: dict[str, np.ndarray], coords: Coords) -> xr.Dataset:
    """Sites (chains, draws, ...) with their dims; ArviZ's default names for a site SITE_DIMS lacks."""
    chains, draws = next(iter(sites.values())).shape[:2]
    variables = {
        name: (("chain", "draw", *SITE_DIMS.get(name, [f"{name}_dim_{i}" for i in range(v.ndim - 2)])), v)
        for name, v in sites.items()
    }
    return _dataset(variables, {**coords, **_chain_draw(chains, draws)})


def _sample_stats(posterior: Posterior, coords: Coords) -> xr.Dataset:
    """diverging, the sampler's statistics per draw and the tree depth they imply; per segment too
    where it ran as lanes."""
    dims = ("chain", "draw", "segment") if posterior.lanes else ("chain", "draw")
    values = {"diverging": posterior.diverging.astype(bool)}
    values |= {ARVIZ_STATS.get(name, name): v for name, v in posterior.stats.items()}
    if "num_steps" in posterior.stats:  # as ArviZ's from_numpyro derives it
        values["tree_depth"] = np.log2(np.maximum(posterior.stats["num_steps"], 1)).astype(int) + 1
    dataset = _dataset(
        {name: (dims, v) for name, v in values.items()}, {**coords, **_chain_draw(*posterior.diverging.shape[:2])}
    )
    return dataset.assign_attrs(sampling_time=posterior.seconds)


def _observations(
    posterior: Posterior, data: ModelData, spec: ModelSpec, fit_mask: np.ndarray, week_start: np.ndarray
) -> dict[str, xr.Dataset]:
    """log_likelihood, posterior_predictive and observed_data of y over the fitted (segment, week)
    pairs, in outcome currency."""
    s, t = np.nonzero((fit_mask > 0) & (data.time_mask > 0))
    scale = data.y_scale[s]
    mean, sigma = posterior.samples[k.MU][:, :, s, t] * scale, posterior.samples[k.SIGMA][:, :, s] * scale
    noise = noise_distribution(spec, mean, sigma)
    y = data.y[s, t] * scale
    coords: Coords = {
        "obs": (("obs",), np.arange(len(s))),
        "segment": (("obs",), np.asarray(data.segments)[s]),
        "week": (("obs",), t),
        "week_start": (("obs",), week_start[s, t]),
        **_chain_draw(*posterior.diverging.shape[:2]),
    }
    groups = {
        "log_likelihood": (noise.logpdf(y), "log density of the outcome in outcome currency"),
        "posterior_predictive": (noise.rvs(random_state=np.random.default_rng(spec.sampler.seed)), CURRENCY),
        "observed_data": (y, CURRENCY),
    }
    return {
        group: _dataset({k.OBS: (("chain", "draw", "obs")[-value.ndim :], value)}, coords).assign_attrs(units=units)
        for group, (value, units) in groups.items()
    }


def _constant_data(data: ModelData, fit_mask: np.ndarray, coords: Coords) -> xr.Dataset:
    """What turns the parameters into business units, and which weeks and channels the fit used."""
    variables = {
        "y_scale": (("segment",), data.y_scale),
        "x_scale": (("segment", "channel"), data.x_scale),
        "spend": (("segment", "week", "channel"), data.spend),
        "channel_mask": (("segment", "channel"), data.channel_mask > 0),
        "time_mask": (("segment", "week"), data.time_mask > 0),
        "fit_mask": (("segment", "week"), (fit_mask > 0) & (data.time_mask > 0)),
    }
    if data.controls:
        variables |= {
            "control_mean": (("segment", "control"), data.z_mean),
            "control_sd": (("segment", "control"), data.z_sd),
        }
    if data.treatments:
        variables |= {
            "treatment_ref": (("segment", "treatment"), data.treatment_ref),
            "treatment_scale": (("segment", "treatment"), data.treatment_scale),
        }
    return _dataset(variables, coords)
