"""NUTS over all segments in one compiled program, and ArviZ diagnostics per segment.

The chains run through curvehouse.model.nuts.NutsChain, the one place that uses numpyro's kernel
internals; this module builds the program around it (prior draws, starting points, chains).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from numpyro.infer import Predictive, init_to_median

from curvehouse import constants as k
from curvehouse.model.numpyro_model import SHARED_ARRAYS, mmm_model
from curvehouse.model.nuts import ChainState, NutsChain
from curvehouse.model.spec import ModelSpec, SamplerSpec
from curvehouse.posterior.convergence import convergence

__all__ = ["Posterior", "continue_posterior", "sample_lanes", "sample_posterior", "segment_diagnostics", "uses_lanes"]

PRIOR_DRAWS = 500  # prior draws per fit, stored beside the posterior
INIT_DRAWS = 15  # each chain starts at the median of this many prior draws


@dataclass(frozen=True)
class Posterior:
    """Samples grouped by chain: name -> (chains, draws, S, ...); divergences (chains, draws); prior
    draws of every latent and deterministic site: name -> (PRIOR_DRAWS, S, ...); the sampler's own
    statistics per kept draw (curvehouse.model.nuts.SAMPLER_STATS): name -> (chains, draws). Where the
    S segments ran as lanes (sample_lanes), each had its own chains: divergences and statistics carry
    a last segment axis (chains, draws, S) and the final states a leading one."""

    samples: dict[str, np.ndarray]
    diverging: np.ndarray
    seconds: float
    prior: dict[str, np.ndarray]
    last_state: ChainState | None = None  # per chain: where continue_posterior resumes
    stats: dict[str, np.ndarray] = field(default_factory=dict)
    lanes: bool = False

    def flat(self, name: str) -> np.ndarray:
        """(chains * draws, ...) for one site."""
        value = self.samples[name]
        return value.reshape((-1,) + value.shape[2:])

    def divergences(self, n_segments: int) -> np.ndarray:
        """Divergent transitions per segment, (S,): a lane's own; one run's total for each of its segments."""
        if self.lanes:
            return self.diverging.sum(axis=(0, 1))
        return np.full(n_segments, int(self.diverging.sum()))

    def segment_stats(self, name: str, i: int) -> np.ndarray:
        """A sampler statistic of the chains segment i ran in, (chains, draws)."""
        value = self.stats[name]
        return value[..., i] if self.lanes else value


def sample_posterior(
    args: dict[str, np.ndarray], priors: dict[str, np.ndarray], spec: ModelSpec, draws: int | None = None
) -> Posterior:
    """Run NUTS: warmup (adapting step size and mass matrix), then the kept draws (the sampler's, or
    fewer where `draws` says). Data and priors are arguments of one program compiled per methodology,
    sampler and padded shape, so every later segment of that shape, and every holdout refit, runs
    without compiling."""
    sampler = spec.sampler
    program = _chains_program(spec, replace(sampler, seed=0))
    start = _placeholder_states(spec, replace(sampler, seed=0), args, priors)
    keep = sampler.draws if draws is None else min(draws, sampler.draws)
    return _sampled(program, spec, sampler.seed, start, False, sampler.warmup, keep, args, priors)


def uses_lanes(sampler: SamplerSpec) -> bool:
    """Whether a fit samples its segments as lanes of one program: `lanes`, or `auto` where JAX's
    default backend is a GPU (there lanes cost a fraction per segment; on a CPU one program call per
    segment with pmapped chains is faster, docs/benchmarks.md)."""
    return sampler.chain_method == "lanes" or (sampler.chain_method == "auto" and jax.default_backend() == "gpu")


def sample_lanes(
    args: dict[str, np.ndarray], priors: dict[str, np.ndarray], spec: ModelSpec, draws: int | None = None
) -> Posterior:
    """sample_posterior for S segments of one padded shape (args and priors over all of them, as
    model_arrays and build_priors give them) where each segment is a lane of one program (vmap over
    segments of vmap over chains): its own chains, step size and mass matrix, and the keys, starting
    points and prior draws it would have alone, so its draws are those of sample_posterior on that
    segment up to floating-point order. A lanes Posterior: continue_posterior resumes it as lanes."""
    keep = spec.sampler.draws if draws is None else min(draws, spec.sampler.draws)
    return _lanes(spec, spec.sampler.seed, None, False, spec.sampler.warmup, keep, args, priors)


def _lanes(
    spec: ModelSpec,
    seed: int,
    start: ChainState | None,
    resume: bool,
    skip: int,
    keep: int,
    args: dict[str, np.ndarray],
    priors: dict[str, np.ndarray],
) -> Posterior:
    """Run the lanes program over the segments, sampler.lane_chunk lanes a call (a shorter last call
    is padded with copies of its first lane, so every call has one compiled shape); fresh (start None)
    or resumed from a lanes Posterior's final states."""
    started = time.perf_counter()
    sampler, chains = replace(spec.sampler, seed=0), spec.sampler.chains
    n = len(args["y"])
    lane = lambda tree, i: {name: np.asarray(v)[i : i + 1] for name, v in tree.items()}  # noqa: E731
    if start is None:
        one = _placeholder_states(spec, sampler, lane(args, 0), lane(priors, 0))
        start = jax.tree.map(lambda v: np.broadcast_to(v, (n,) + v.shape), one)
    program, size, parts = _lanes_program(spec, sampler), min(spec.sampler.lane_chunk, n), []
    for first in range(0, n, size):
        index = np.array([*range(first, min(first + size, n)), *[first] * max(0, first + size - n)])
        given = [_host_prior_draws(spec, lane(priors, i), chains, -(-PRIOR_DRAWS // chains), seed) for i in index]
        out = program(
            np.arange(chains, dtype=np.int32),
            jax.tree.map(lambda v, index=index: np.asarray(v)[index], start),
            jax.tree.map(lambda *v: np.stack(v), *given) if given[0] else {},
            np.uint32(seed),
            np.bool_(resume),
            np.int32(skip),
            np.int32(keep),
            {name: _lane_values(name, v, index) for name, v in _float32(args).items()},
            {name: v[index][:, None] for name, v in _float32(priors).items()},
        )
        real = min(size, n - first)
        parts.append(jax.tree.map(lambda v, real=real: np.asarray(v)[:real], out))
    samples, diverging, stats, last, prior = jax.tree.map(lambda *v: np.concatenate(v), *parts)
    return Posterior(  # lanes first, each with its segment axis of one: to (chains, draws, S, ...)
        {name: np.moveaxis(v[:, :, :keep, 0], 0, 2) for name, v in samples.items()},
        np.moveaxis(diverging[:, :, :keep], 0, -1),
        time.perf_counter() - started,
        {name: np.moveaxis(v[:, :, :, 0].reshape((n, -1) + v.shape[4:]), 0, 1) for name, v in prior.items()},
        last,
        {name: np.moveaxis(v[:, :, :keep], 0, -1) for name, v in stats.items()},
        lanes=True,
    )


def continue_posterior(
    posterior: Posterior,
    args: dict[str, np.ndarray],
    priors: dict[str, np.ndarray],
    spec: ModelSpec,
    burn_in: int,
    draws: int,
    seed: int,
) -> Posterior:
    """Sample a nearby posterior (the same model on slightly different data, e.g. without the
    holdout weeks) starting from where `posterior`'s chains ended, with their adapted step size and
    mass matrix: burn_in iterations to move, then `draws` kept (at most the fit's draws). No warmup
    and no compilation (the fit's program runs it), so it costs a fraction of the fit's sampling;
    used where a refit is needed only for its predictions."""
    draws = min(draws, spec.sampler.draws)
    if posterior.lanes:
        return _lanes(spec, seed, posterior.last_state, True, burn_in, draws, args, priors)
    program = _chains_program(spec, replace(spec.sampler, seed=0))
    return _sampled(program, spec, seed, posterior.last_state, True, burn_in, draws, args, priors)


def _sampled(
    program: Callable,
    spec: ModelSpec,
    seed: int,
    start: ChainState,
    resume: bool,
    skip: int,
    keep: int,
    args: dict[str, np.ndarray],
    priors: dict[str, np.ndarray],
) -> Posterior:
    """Run the chains program (each chain's key is derived from seed inside it); the first `keep`
    draws as numpy. Every argument goes in as numpy: an eager jnp.asarray or PRNG call compiles a
    small program of its own first."""
    started = time.perf_counter()
    chains = spec.sampler.chains
    given = _host_prior_draws(spec, priors, chains, -(-PRIOR_DRAWS // chains), seed)
    samples, diverging, stats, last, prior = program(
        np.arange(chains, dtype=np.int32),
        start,
        given,
        np.uint32(seed),
        np.bool_(resume),
        np.int32(skip),
        np.int32(keep),
        args,
        _float32(priors),
    )
    samples = {name: np.asarray(v)[:, :keep] for name, v in samples.items()}
    prior = {name: np.asarray(v).reshape((-1,) + v.shape[2:]) for name, v in prior.items()}
    # On the host, as the fresh fit's placeholder states are: pmap compiles again for device-sharded
    # inputs where it compiled for host ones.
    last = jax.tree.map(np.asarray, last)
    stats = {name: np.asarray(v)[:, :keep] for name, v in stats.items()}
    seconds = time.perf_counter() - started
    return Posterior(samples, np.asarray(diverging)[:, :keep], seconds, prior, last, stats)


def _host_prior_draws(
    spec: ModelSpec, priors: dict[str, np.ndarray], chains: int, n: int, seed: int
) -> dict[str, np.ndarray]:
    """Prior draws of the adstock decay theta ~ Beta(theta_a, theta_b), (chains, n, S, C): drawn with
    numpy, because JAX's Beta sampler (a rejection loop) added much to the sampler's compilation. The
    program draws every other prior site given these. None in refresh mode, where theta is held, not
    sampled."""
    if spec.fit_mode == "refresh":
        return {}
    a, b = np.asarray(priors["theta_a"], dtype=float), np.asarray(priors["theta_b"], dtype=float)
    draws = np.random.default_rng(seed).beta(a, b, size=(chains, n) + a.shape)
    return {k.THETA: draws.astype(np.float32)}


def _float32(priors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: np.asarray(value, dtype=np.float32) for name, value in priors.items()}


@lru_cache(maxsize=8)
def _chains_program(spec: ModelSpec, sampler: SamplerSpec) -> Callable:
    """(chain indices, start states, host prior draws, seed, resume, skip, keep, data, priors) -> (samples by chain,
    diverging, sampler statistics, last states, prior draws by chain), compiled once (the seed is an argument, not
    part of the program: pass the sampler with seed 0). A fit starts fresh (resume False: init, then warmup as the
    skipped iterations); a holdout refit resumes given states (resume True) with the step size and mass matrix they
    had.

    numpyro's MCMC.run wraps a fresh closure over the data in pmap on every call, so XLA
    recompiled the whole sampler for each segment and kept every executable; this program takes
    the data as arguments instead, and the iteration counts too, so the refit shares the fit's
    executable (a second program would compile again in every process).
    """
    return _over_chains(partial(_one_chain, spec, sampler), sampler)


def _lane_values(name: str, value: np.ndarray, index: np.ndarray) -> np.ndarray:
    """A model array for lanes `index`: each lane its segment's slice with a segment axis of one, or
    the whole array where it has no segment axis."""
    if name in SHARED_ARRAYS:
        return np.broadcast_to(value, (len(index),) + value.shape)
    return value[index][:, None]


@lru_cache(maxsize=8)
def _lanes_program(spec: ModelSpec, sampler: SamplerSpec) -> Callable:
    """The chains program mapped over segments (lanes): start states, host prior draws, data and
    priors carry a leading lane axis; chain indices, seed and iteration counts are shared."""
    over_chains = jax.vmap(partial(_one_chain, spec, sampler), in_axes=(0, 0, 0) + (None,) * 6)
    return jax.jit(jax.vmap(over_chains, in_axes=(None, 0, 0, None, None, None, None, 0, 0)))


def _over_chains(chain: Callable, sampler: SamplerSpec) -> Callable:
    """Map a one-chain function over chains: one chain per host device where there are enough
    devices (XLA_FLAGS set before JAX loaded), else vectorized (or sequential) on one. The chain
    index, the start state and the host prior draws are per chain; the other arguments are shared."""
    in_axes = (0, 0, 0) + (None,) * 6
    if sampler.chain_method in ("auto", "parallel", "lanes") and jax.local_device_count() >= sampler.chains:
        return jax.pmap(chain, in_axes=in_axes)
    if sampler.chain_method == "sequential":

        def sequential(chains, states, given, *shared):
            return lax.map(lambda xs: chain(*xs, *shared), (chains, states, given))

        return jax.jit(sequential)
    return jax.jit(jax.vmap(chain, in_axes=in_axes))


def _nuts_chain(spec: ModelSpec, sampler: SamplerSpec) -> NutsChain:
    """One chain of the methodology's NUTS sampler (built once per trace of the program)."""
    return NutsChain(
        partial(mmm_model, spec=spec),
        sampler.warmup,
        target_accept_prob=spec.refresh.target_accept if spec.fit_mode == "refresh" else sampler.target_accept,
        max_tree_depth=(sampler.warmup_tree_depth, sampler.max_tree_depth),
        dense_mass=_dense_mass(spec) if sampler.dense_mass is None else sampler.dense_mass,
        init_strategy=init_to_median(num_samples=INIT_DRAWS),
    )


def _dense_mass(spec: ModelSpec) -> bool:
    """Dense for full fits; diagonal in refresh mode, whose few sampled sites (ROI, level, noise) are
    nearly independent given the held curves, and where the dense adaptation left one chain of four
    stuck in warmup on some geo20 refreshes."""
    return spec.fit_mode != "refresh"


def _prior_draws(
    spec: ModelSpec, key: jnp.ndarray, n: int, given: dict[str, jnp.ndarray], kwargs: dict
) -> dict[str, jnp.ndarray]:
    """n draws from the prior of every latent and deterministic site but the weekly mean (no
    likelihood), with the sites in `given` (n draws each, from the host) taken as drawn."""
    model = partial(mmm_model, spec=spec, observe=False)
    predictive = (
        Predictive(model, posterior_samples=given, parallel=True)
        if given
        else Predictive(model, num_samples=n, parallel=True)
    )
    draws = {**given, **predictive(key, **kwargs)}
    return {name: v for name, v in draws.items() if name not in (k.OBS, k.MU)}


def _placeholder_states(
    spec: ModelSpec, sampler: SamplerSpec, args: dict[str, np.ndarray], priors: dict[str, np.ndarray]
) -> ChainState:
    """Zeros shaped as the chains' states: the start argument of a fresh fit (not read)."""

    def signature(arrays: dict) -> tuple:
        return tuple((name, np.shape(v)) for name, v in sorted(arrays.items()))

    shapes = _state_shapes(spec, sampler, signature(args), signature(priors))
    return jax.tree.map(lambda s: np.zeros((sampler.chains,) + s.shape, s.dtype), shapes)


@lru_cache(maxsize=8)
def _state_shapes(spec: ModelSpec, sampler: SamplerSpec, args: tuple, priors: tuple) -> ChainState:
    """Shapes of one chain's state for data and priors of these (name, shape) signatures; traced
    once per shape (tracing the kernel's init is not free, and would run on every segment)."""
    data, prior = [{name: jax.ShapeDtypeStruct(shape, jnp.float32) for name, shape in sig} for sig in (args, priors)]
    return _nuts_chain(spec, sampler).state_shapes({**data, "priors": prior})


def _one_chain(
    spec: ModelSpec,
    sampler: SamplerSpec,
    chain: jnp.ndarray,
    start: ChainState,
    given: dict[str, jnp.ndarray],
    seed: jnp.ndarray,
    resume: jnp.ndarray,
    skip: jnp.ndarray,
    keep: jnp.ndarray,
    args: dict[str, jnp.ndarray],
    priors: dict[str, jnp.ndarray],
) -> tuple:
    """One chain: `skip + keep` NUTS iterations, the last `keep` returned (constrained, with
    deterministic sites; padded to the sampler's draws) with their divergence flags and sampler
    statistics, the final state, and the chain's prior draws. Fresh, the chain starts where init_to_median(INIT_DRAWS)
    would, from prior draws the output holds anyway, and adapts during the skipped iterations
    (skip = warmup); resumed, it continues `start` with the step size and mass matrix it had."""
    kwargs = {**args, "priors": priors}
    prior_key, key = jax.random.split(jax.random.fold_in(jax.random.PRNGKey(seed), chain))
    prior = _prior_draws(spec, prior_key, -(-PRIOR_DRAWS // sampler.chains), given, kwargs)
    nuts = _nuts_chain(spec, sampler)
    medians = {name: jnp.median(v[:INIT_DRAWS], axis=0) for name, v in prior.items()}
    state = nuts.start(key, kwargs, medians, resume_from=start, resume=resume)
    samples, diverging, stats, last = nuts.run(state, kwargs, skip, keep, sampler.draws)
    return samples, diverging, stats, last, prior


def segment_diagnostics(posterior: Posterior, sites: tuple[str, ...], channel_mask: np.ndarray) -> dict[str, dict]:
    """R-hat and bulk/tail ESS per site element (curvehouse.posterior.convergence, ArviZ's estimators
    over arrays), and per-segment worst values.

    Returns {"per_site": {name: {"rhat", "ess_bulk", "ess_tail"}}, "per_segment": {"max_rhat",
    "min_ess_bulk", "min_ess_tail"} arrays over segments}. Channels absent from a segment are left
    out of its worst values (their parameters are prior-only by construction).
    """
    per_site = {name: convergence(posterior.samples[name]) for name in sites}
    n_s = channel_mask.shape[0]
    worst = {"max_rhat": np.full(n_s, 1.0), "min_ess_bulk": np.full(n_s, np.inf), "min_ess_tail": np.full(n_s, np.inf)}
    for name, stats in per_site.items():
        values = {key: stats[key].reshape(n_s, -1) for key in ("rhat", "ess_bulk", "ess_tail")}
        if name in k.CHANNEL_SITES:
            keep = channel_mask.reshape(n_s, -1) > 0
        else:
            keep = np.ones_like(values["rhat"], dtype=bool)
        worst["max_rhat"] = np.maximum(worst["max_rhat"], np.where(keep, values["rhat"], -np.inf).max(axis=1))
        worst["min_ess_bulk"] = np.minimum(
            worst["min_ess_bulk"], np.where(keep, values["ess_bulk"], np.inf).min(axis=1)
        )
        worst["min_ess_tail"] = np.minimum(
            worst["min_ess_tail"], np.where(keep, values["ess_tail"], np.inf).min(axis=1)
        )
    return {"per_site": per_site, "per_segment": worst}
