"""NutsChain (curvehouse.model.nuts, the sampler's only use of numpyro's kernel internals) samples the
same posterior as numpyro's stock MCMC(NUTS(...)): fresh chains with warmup, and chains resumed on
other data with their adaptation kept (the holdout refit). A tiny regression with a constrained
scale, a deterministic site and a masked likelihood, with NUTS options of the kinds the built-in
sampler sets (dense mass, a tree-depth cap during warmup, init_to_median).

Each posterior mean and 5% / 95% quantile of the two samplers must agree within z combined Monte
Carlo standard errors (ArviZ, from each sampler's ESS), z set so that all comparisons of a test pass
together with probability at least 1 - FALSE_ALARM (Bonferroni) when the two posteriors are the same.
"""

from __future__ import annotations

import arviz as az
import jax
import numpy as np
import numpyro
import numpyro.distributions as dist
import pytest
from numpyro.infer import MCMC, NUTS, init_to_median
from scipy import stats

from curvehouse.model.nuts import NutsChain

CHAINS, WARMUP, DRAWS, BURN_IN = 4, 400, 1000, 100
OPTIONS = {
    "target_accept_prob": 0.9,
    "max_tree_depth": (6, 10),
    "dense_mass": True,
    "init_strategy": init_to_median(num_samples=15),
}
SITES = ("a", "b", "sigma", "mean_at_10")
FALSE_ALARM = 1e-3


def regression(x, y, weight):
    """y ~ Normal(a + b x, sigma) over the weeks with weight 1; x is not centred, so a and b correlate."""
    a = numpyro.sample("a", dist.Normal(0.0, 10.0))
    b = numpyro.sample("b", dist.Normal(0.0, 10.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(2.0))
    numpyro.deterministic("mean_at_10", a + 10.0 * b)
    with numpyro.handlers.mask(mask=weight > 0):
        numpyro.sample("y", dist.Normal(a + b * x, sigma), obs=y)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    x = np.linspace(5.0, 15.0, 40).astype(np.float32)
    y = (1.0 + 0.5 * x + rng.normal(0.0, 1.0, x.size)).astype(np.float32)
    full = {"x": x, "y": y, "weight": np.ones_like(x)}
    early = {**full, "weight": (np.arange(x.size) < 28).astype(np.float32)}  # the last 12 points held out
    return full, early


def _chain(key, kwargs, resume_from, resume, skip):
    nuts = NutsChain(regression, WARMUP, **OPTIONS)
    state = nuts.start(key, kwargs, {"a": 0.0, "b": 0.0, "sigma": 1.0}, resume_from, resume)
    return nuts.run(state, kwargs, skip, DRAWS, DRAWS)


@pytest.fixture(scope="module")
def ours(data):
    """The fit (fresh: warmup, then draws) and its chains resumed on the early points: BURN_IN
    transitions, then draws, in the same compiled program."""
    full, early = data
    program = jax.jit(jax.vmap(_chain, in_axes=(0, None, 0, None, None)))
    keys = jax.random.split(jax.random.PRNGKey(0), CHAINS)
    placeholder = jax.tree.map(
        lambda s: np.zeros((CHAINS,) + s.shape, s.dtype), NutsChain(regression, WARMUP, **OPTIONS).state_shapes(full)
    )
    fit, fit_diverging, fit_stats, last = program(keys, full, placeholder, False, WARMUP)
    resumed_keys = jax.random.split(jax.random.PRNGKey(1), CHAINS)
    refit, refit_diverging, _, refit_last = program(resumed_keys, early, last, True, BURN_IN)
    return {"fit": (fit, fit_diverging, last), "refit": (refit, refit_diverging, refit_last), "stats": fit_stats}


@pytest.fixture(scope="module")
def stock():
    """Stock numpyro: MCMC(NUTS) with the same options; data as arguments, so both tests share one compile."""
    mcmc = MCMC(
        NUTS(regression, **OPTIONS),
        num_warmup=WARMUP,
        num_samples=DRAWS,
        num_chains=CHAINS,
        chain_method="vectorized",
        progress_bar=False,
        jit_model_args=True,
    )

    def run(kwargs: dict, seed: int) -> dict[str, np.ndarray]:
        mcmc.run(jax.random.PRNGKey(seed), **kwargs)
        return {name: np.asarray(v) for name, v in mcmc.get_samples(group_by_chain=True).items()}

    return run


def _assert_same_posterior(ours: dict, stock: dict) -> None:
    ours_set = az.convert_to_dataset({s: np.asarray(ours[s]) for s in SITES})
    stock_set = az.convert_to_dataset({s: stock[s] for s in SITES})
    checks = {"mean": (lambda d: d.mean(), {"method": "mean"})}
    for q in (0.05, 0.95):
        checks[f"q{q:.2f}"] = (lambda d, q=q: d.quantile(q, dim=("chain", "draw")), {"method": "quantile", "prob": q})
    z = stats.norm.ppf(1 - FALSE_ALARM / (2 * len(SITES) * len(checks)))
    failures = []
    for label, (statistic, mcse_args) in checks.items():
        a, b = statistic(ours_set), statistic(stock_set)
        se_a, se_b = az.mcse(ours_set, **mcse_args), az.mcse(stock_set, **mcse_args)
        for site in SITES:
            diff = abs(float(a[site]) - float(b[site]))
            tolerance = z * float(np.hypot(se_a[site], se_b[site]))
            if not diff <= tolerance:
                failures.append(
                    f"{site} {label}: ours {float(a[site]):.4f}, stock {float(b[site]):.4f}, "
                    f"|diff| {diff:.4f} > {tolerance:.4f}"
                )
    assert not failures, failures
    assert float(az.rhat(ours_set).to_array().max()) < 1.01


def test_fresh_chains_sample_the_stock_posterior(data, ours, stock):
    full, _ = data
    samples, diverging, _ = ours["fit"]
    assert int(np.asarray(diverging).sum()) == 0
    _assert_same_posterior(samples, stock(full, seed=2))


def test_resumed_chains_keep_their_adaptation_and_sample_the_new_datas_posterior(data, ours, stock):
    """Resumed on other data (the holdout refit), a chain needs no new warmup: after BURN_IN
    transitions its draws follow the stock posterior of those data, with the step size unchanged."""
    _, early = data
    samples, diverging, last = ours["refit"]
    _, _, fit_last = ours["fit"]
    np.testing.assert_array_equal(np.asarray(last.adapt_state.step_size), np.asarray(fit_last.adapt_state.step_size))
    assert int(np.asarray(diverging).sum()) == 0
    _assert_same_posterior(samples, stock(early, seed=3))


def test_sampler_statistics_are_kept_per_draw(ours):
    """Energy and leapfrog steps per kept draw: finite energies, at least one step per transition and
    no trajectory longer than the sampling tree depth allows (2**10 - 1 steps); stock NUTS on this
    well-conditioned posterior takes short trees, so most draws use far fewer."""
    stats = {name: np.asarray(v) for name, v in ours["stats"].items()}
    assert set(stats) == {"energy", "num_steps"}
    assert stats["energy"].shape == stats["num_steps"].shape == (CHAINS, DRAWS)
    assert np.isfinite(stats["energy"]).all() and stats["energy"].std() > 0
    assert stats["num_steps"].min() >= 1 and stats["num_steps"].max() <= 2**10 - 1
    assert np.median(stats["num_steps"]) < 2**6
