"""Effect kinds (roi | mroi | share) against numpy re-computations, the prior kinds from the registry,
and that a paid-only input with ROI priors keeps today's program, version and run ids."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from numpyro import handlers

from curvehouse import constants as k
from curvehouse.fitting.run_ids import run_id_for
from curvehouse.model.data import build_model_data
from curvehouse.model.effects import KIND_CODES, beta_by_kind
from curvehouse.model.numpyro_model import mmm_model, model_arrays
from curvehouse.model.prior_kinds import channel_prior, prior_kind
from curvehouse.model.priors import build_priors
from curvehouse.model.spec import PriorSpec, spec_from_config

RNG = np.random.default_rng(7)
T, C = 40, 3


def _hill(x: np.ndarray, half: np.ndarray, slope: np.ndarray) -> np.ndarray:
    return x**slope / (x**slope + half**slope)


def _case() -> dict[str, np.ndarray]:
    spend = RNG.uniform(0.5, 2.0, (1, T, C))
    return {
        "spend": spend,
        "half": np.array([[0.8, 1.2, 1.0]]),
        "slope": np.array([[1.3, 2.0, 0.9]]),
        "y": RNG.uniform(0.8, 1.2, (1, T)),
        "y_scale": np.array([250.0]),
        "fit_mask": np.ones((1, T)),
        "channel_mask": np.ones((1, C)),
        "total_spend": spend.sum(axis=1) * 100.0,  # currency; spend above is scaled by x_scale 100
    }


def _beta(case: dict, effect: np.ndarray, kind: str, spend: np.ndarray | None = None) -> np.ndarray:
    x = case["spend"] if spend is None else spend
    saturated = _hill(x, case["half"][:, None, :], case["slope"][:, None, :])
    return np.asarray(
        beta_by_kind(
            jnp.asarray(effect),
            jnp.full((1, C), KIND_CODES[kind]),
            saturated=jnp.asarray(saturated),
            fit_mask=jnp.asarray(case["fit_mask"]),
            y=jnp.asarray(case["y"]),
            y_scale=jnp.asarray(case["y_scale"]),
            total_spend=jnp.asarray(case["total_spend"]),
            slope=jnp.asarray(case["slope"]),
            channel_mask=jnp.asarray(case["channel_mask"]),
        )
    )


def _contribution(case: dict, beta: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """Outcome currency over the window (no adstock: it is linear, so it scales the same way)."""
    return case["y_scale"][:, None] * beta * _hill(spend, case["half"][:, None, :], case["slope"][:, None, :]).sum(1)


def test_roi_kind_returns_the_roi_over_the_window():
    with jax.enable_x64(True):
        case = _case()
        roi = np.array([[0.5, 2.0, 3.5]])
        beta = _beta(case, roi, "roi")
        np.testing.assert_allclose(_contribution(case, beta, case["spend"]) / case["total_spend"], roi, rtol=1e-10)


def test_mroi_kind_equals_a_finite_difference_of_a_small_proportional_spend_increase():
    with jax.enable_x64(True):
        case = _case()
        mroi = np.array([[0.4, 1.1, 2.5]])
        beta = _beta(case, mroi, "mroi")
        eps = 1e-4
        before = _contribution(case, beta, case["spend"])
        after = _contribution(case, beta, case["spend"] * (1 + eps))
        np.testing.assert_allclose((after - before) / (eps * case["total_spend"]), mroi, rtol=1e-3)
        # and it is not the ROI: a concave curve's marginal ROI is below its average ROI
        assert np.all(before / case["total_spend"] > mroi)


def test_share_kind_is_the_share_of_the_fit_weeks_outcome():
    with jax.enable_x64(True):
        case = _case()
        case["fit_mask"][0, -5:] = 0  # a holdout: the share is of the fitted weeks
        share = np.array([[0.05, 0.1, 0.2]])
        saturated = _hill(case["spend"], case["half"][:, None, :], case["slope"][:, None, :])
        beta = _beta(case, share, "share")
        got = (beta * (saturated * case["fit_mask"][..., None]).sum(1)) / (case["y"] * case["fit_mask"]).sum(1)
        np.testing.assert_allclose(got, share, rtol=1e-10)


@pytest.mark.parametrize("kind", ["roi", "mroi", "share"])
def test_a_masked_channel_gets_zero_beta_and_finite_gradients(kind):
    case = _case()
    case["channel_mask"][0, 1] = 0
    case["spend"][0, :, 1] = 0.0
    case["total_spend"][0, 1] = 0.0

    def total(effect):
        return jnp.sum(jnp.asarray(_beta_traced(case, effect, kind)))

    effect = jnp.ones((1, C))
    grad = jax.grad(total)(effect)
    assert np.all(np.isfinite(np.asarray(grad)))
    assert float(grad[0, 1]) == 0.0
    assert _beta(case, np.ones((1, C)), kind)[0, 1] == 0.0


def _beta_traced(case: dict, effect: jnp.ndarray, kind: str) -> jnp.ndarray:
    from curvehouse.hill import hill

    saturated = hill(
        jnp.asarray(case["spend"]), jnp.asarray(case["half"])[:, None, :], jnp.asarray(case["slope"])[:, None, :]
    )
    return beta_by_kind(
        effect,
        jnp.full((1, C), KIND_CODES[kind]),
        saturated=saturated,
        fit_mask=jnp.asarray(case["fit_mask"]),
        y=jnp.asarray(case["y"]),
        y_scale=jnp.asarray(case["y_scale"]),
        total_spend=jnp.asarray(case["total_spend"]),
        slope=jnp.asarray(case["slope"]),
        channel_mask=jnp.asarray(case["channel_mask"]),
    )


# --- prior kinds ---------------------------------------------------------------------------


def _registry(**columns) -> pd.DataFrame:
    base = {"channel": ["search", "tv"], "channel_group": ["performance", "brand"], "adstock_max_lag": [None, None]}
    return pd.DataFrame({**base, **columns})


def test_one_prior_kind_per_channel():
    both = _registry(roi_prior_mean=[2.0, None], mroi_prior_mean=[1.0, None])
    with pytest.raises(ValueError, match="'search' sets more than one prior kind"):
        prior_kind(both, "search")
    assert prior_kind(both, "tv") == "roi"
    share = _registry(contribution_share_prior_mean=[None, 0.2], contribution_share_prior_sd=[None, 0.05])
    assert channel_prior(share, "tv", PriorSpec()) == ("share", 0.2, 0.05)
    assert channel_prior(share, "search", PriorSpec()) == ("roi", 1.5, 1.5)


def test_organic_channels_take_a_share_prior_and_no_roi_prior():
    registry = pd.DataFrame({"channel": ["email"], "roi_prior_mean": [2.0]})
    with pytest.raises(ValueError, match="organic channel 'email' has no spend"):
        prior_kind(registry, "email", organic=True)
    custom = PriorSpec(organic_share_mean=0.2, organic_share_sd=0.05)
    assert channel_prior(pd.DataFrame({"channel": ["email"]}), "email", custom, organic=True) == ("share", 0.2, 0.05)


def _long(organic: bool) -> pd.DataFrame:
    weeks = pd.date_range("2024-01-01", periods=30, freq="W-MON")
    rows = [("s", w, "outcome", "outcome", 100.0 + i) for i, w in enumerate(weeks)]
    rows += [
        ("s", w, "spend", ch, 10.0 + (i * 7 + j) % 5)
        for i, w in enumerate(weeks)
        for j, ch in enumerate(("search", "tv"))
    ]
    if organic:
        rows += [("s", w, "organic", "email", 1000.0 + (i * 3) % 7 * 100) for i, w in enumerate(weeks)]
    return pd.DataFrame(rows, columns=["segment_id", "week_start", "variable_kind", "variable_name", "value"])


def _sites(long: pd.DataFrame, registry: pd.DataFrame) -> dict[str, str]:
    spec = spec_from_config({})
    data = build_model_data(long, {}, 4)
    priors = build_priors(data, spec, registry)
    args = {n: jnp.asarray(v) for n, v in model_arrays(data).items()}
    model = handlers.seed(mmm_model, 0)
    trace = handlers.trace(model).get_trace(**args, priors={n: jnp.asarray(v) for n, v in priors.items()}, spec=spec)
    return {name: site["type"] if not site.get("is_observed") else "obs" for name, site in trace.items()}, data


def test_paid_only_roi_priors_keep_todays_sites_and_no_effect_kind():
    sites, data = _sites(_long(False), _registry(roi_prior_mean=[2.0, None]))
    assert data.channel_kinds == ()
    assert sites[k.ROI] == "sample"
    assert k.EFFECT not in sites and k.EFFECT_KIND not in sites and k.CONTRIBUTION not in sites


def test_an_mroi_prior_or_an_organic_channel_switches_to_the_effect_site():
    sites, _ = _sites(_long(False), _registry(mroi_prior_mean=[1.0, None], mroi_prior_sd=[0.5, None]))
    assert sites[k.EFFECT] == "sample" and sites[k.ROI] == "deterministic"
    sites, data = _sites(_long(True), _registry())
    assert data.channels == ("search", "tv", "email") and data.channel_kinds == ("paid", "paid", "organic")
    assert sites[k.EFFECT] == "sample" and sites[k.CONTRIBUTION] == "deterministic"


def test_organic_volume_joins_the_channel_axis_in_its_own_unit():
    long = _long(True)
    data = build_model_data(long, {}, 4)
    email = long[long["variable_name"] == "email"]["value"].to_numpy()
    assert data.total_spend[0, 2] == 0.0 and data.channel_mask[0, 2] == 1.0
    np.testing.assert_allclose(data.x_scale[0, 2], email.mean())
    np.testing.assert_allclose(data.driver[0, :, 2], email, rtol=1e-6)
    np.testing.assert_array_equal(data.driver[0, :, :2], data.spend[0, :, :2])


def test_new_settings_and_registry_columns_leave_versions_and_run_ids_unchanged_at_their_defaults():
    spec = spec_from_config({})
    assert "organic_share_mean" not in spec.to_dict()["priors"]
    assert spec_from_config({"priors": {"organic_share_mean": 0.2}}).version != spec.version
    long = _long(False)
    plain = _registry()
    defaulted = plain.assign(channel_kind="paid", unit=None, mroi_prior_mean=None)
    assert run_id_for(long, spec, plain) == run_id_for(long, spec, defaulted)
    assert run_id_for(long, spec, plain) != run_id_for(long, spec, plain.assign(mroi_prior_mean=[1.0, None]))
