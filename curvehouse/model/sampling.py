"""NUTS over all segments in one compiled program, and ArviZ diagnostics per segment."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache, partial

import arviz as az
import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import MCMC, NUTS, Predictive, init_to_median

from curvehouse import constants as k
from curvehouse.model.numpyro_model import mmm_model
from curvehouse.model.spec import ModelSpec, SamplerSpec

__all__ = ["Posterior", "sample_posterior", "sample_prior", "segment_diagnostics"]


@dataclass(frozen=True)
class Posterior:
    """Samples grouped by chain: name -> (chains, draws, ...); divergences (chains, draws)."""

    samples: dict[str, np.ndarray]
    diverging: np.ndarray
    seconds: float

    def flat(self, name: str) -> np.ndarray:
        """(chains * draws, ...) for one site."""
        value = self.samples[name]
        return value.reshape((-1,) + value.shape[2:])


def sample_posterior(
    args: dict[str, jnp.ndarray], priors: dict[str, np.ndarray], spec: ModelSpec, sampler: SamplerSpec | None = None
) -> Posterior:
    """Run NUTS; data and priors are traced arguments, so a new fit of the same shape reuses the
    compiled program."""
    sampler = sampler or spec.sampler
    mcmc = _mcmc(spec, sampler)
    started = time.perf_counter()
    priors_j = {name: jnp.asarray(value, dtype=jnp.float32) for name, value in priors.items()}
    mcmc.run(jax.random.PRNGKey(sampler.seed), **args, priors=priors_j)
    samples = {name: np.asarray(v) for name, v in mcmc.get_samples(group_by_chain=True).items()}
    diverging = np.asarray(mcmc.get_extra_fields(group_by_chain=True)["diverging"])
    return Posterior(samples, diverging, time.perf_counter() - started)


@lru_cache(maxsize=8)
def _mcmc(spec: ModelSpec, sampler: SamplerSpec) -> MCMC:
    """One MCMC per methodology and sampler: with jit_model_args its compiled program is reused
    for every segment of the same padded shape (vectorized or sequential chains)."""
    kernel = NUTS(
        partial(mmm_model, spec=spec),
        target_accept_prob=sampler.target_accept,
        max_tree_depth=(sampler.warmup_tree_depth, sampler.max_tree_depth),
        dense_mass=sampler.dense_mass,
        init_strategy=init_to_median(num_samples=15),
    )
    return MCMC(
        kernel,
        num_warmup=sampler.warmup,
        num_samples=sampler.draws,
        num_chains=sampler.chains,
        chain_method=_chain_method(sampler),
        progress_bar=False,
        jit_model_args=True,
    )


def _chain_method(sampler: SamplerSpec) -> str:
    """Parallel chains only when enough host devices exist (XLA_FLAGS set before JAX loaded)."""
    if sampler.chain_method == "parallel" and jax.local_device_count() < sampler.chains:
        return "vectorized"
    return sampler.chain_method


def sample_prior(args: dict[str, jnp.ndarray], priors: dict[str, np.ndarray], spec: ModelSpec, n: int, seed: int
                 ) -> dict[str, np.ndarray]:
    """Draws from the prior of every channel and segment site (no likelihood)."""
    predictive = Predictive(partial(mmm_model, spec=spec, observe=False), num_samples=n)
    priors_j = {name: jnp.asarray(value, dtype=jnp.float32) for name, value in priors.items()}
    out = predictive(jax.random.PRNGKey(seed), **args, priors=priors_j)
    return {name: np.asarray(v) for name, v in out.items() if name != k.OBS}


def segment_diagnostics(posterior: Posterior, sites: tuple[str, ...], channel_mask: np.ndarray) -> dict[str, dict]:
    """R-hat and bulk/tail ESS per site element (ArviZ), and per-segment worst values.

    Returns {"per_site": {name: {"rhat", "ess_bulk", "ess_tail"}}, "per_segment": {"max_rhat",
    "min_ess_bulk", "min_ess_tail"} arrays over segments}. Channels absent from a segment are left
    out of its worst values (their parameters are prior-only by construction).
    """
    dataset = az.convert_to_dataset({name: posterior.samples[name] for name in sites})
    rhat = az.rhat(dataset)
    bulk = az.ess(dataset, method="bulk")
    tail = az.ess(dataset, method="tail")
    per_site = {
        name: {"rhat": np.asarray(rhat[name]), "ess_bulk": np.asarray(bulk[name]), "ess_tail": np.asarray(tail[name])}
        for name in sites
    }
    n_s = channel_mask.shape[0]
    worst = {"max_rhat": np.full(n_s, 1.0), "min_ess_bulk": np.full(n_s, np.inf), "min_ess_tail": np.full(n_s, np.inf)}
    for name, stats in per_site.items():
        values = {key: stats[key].reshape(n_s, -1) for key in ("rhat", "ess_bulk", "ess_tail")}
        if name in k.CHANNEL_SITES:
            keep = channel_mask.reshape(n_s, -1) > 0
        else:
            keep = np.ones_like(values["rhat"], dtype=bool)
        worst["max_rhat"] = np.maximum(worst["max_rhat"], np.where(keep, values["rhat"], -np.inf).max(axis=1))
        worst["min_ess_bulk"] = np.minimum(worst["min_ess_bulk"], np.where(keep, values["ess_bulk"], np.inf).min(axis=1))
        worst["min_ess_tail"] = np.minimum(worst["min_ess_tail"], np.where(keep, values["ess_tail"], np.inf).min(axis=1))
    return {"per_site": per_site, "per_segment": worst}
