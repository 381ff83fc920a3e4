"""One NUTS chain driven a transition at a time: the one place that uses numpyro's kernel internals.

Why not numpyro's ``MCMC``: ``MCMC.run`` wraps a fresh closure over the data in ``pmap`` on every
call, so XLA compiles the whole sampler again for each segment and keeps every executable, and a
run cannot resume another's chains on different data. ``NutsChain`` lets the caller write one
program (curvehouse.model.sampling) that takes the data, the priors and the iteration counts as
arguments, so it compiles once per methodology and padded shape and serves every segment of that
shape and the holdout refit, which resumes the fit's chains with their adapted step size and mass
matrix. tests/unit/test_nuts_chain.py checks it against stock ``MCMC(NUTS(...))``.

numpyro internals relied on (numpyro 0.22, pinned in pyproject.toml):

- ``NUTS.init(rng_key, num_warmup, model_kwargs=...)`` traces the model, builds the kernel's
  potential, postprocess and sample functions as a side effect (``sample``, ``refresh`` and
  ``postprocess_fn`` need it first) and returns one chain's ``HMCState``.
- ``HMCState`` is a namedtuple pytree that passes through jit, vmap, pmap and numpy; its fields
  ``z`` (unconstrained position by site), ``energy``, ``num_steps`` (leapfrog steps of the
  transition), ``rng_key`` and ``diverging`` are read or replaced here. Replacing ``z`` leaves
  the init's own search for a valid start (``find_valid_initial_params``) unused, so XLA drops it.
- ``HMC.sample(state, model_args, model_kwargs)`` is one transition. It adapts the step size and
  mass matrix while ``state.i < num_warmup`` (the count given to ``init``) and keeps counting ``i``,
  so a final state resumed later is past its warmup and keeps its adaptation.
- ``HMC.refresh(state, model_args, model_kwargs)``: potential energy and gradient at ``state.z``
  for these data (a resumed state's were computed on the data it last saw).
- ``HMC.postprocess_fn(model_args, model_kwargs)``: unconstrained position to constrained sites,
  deterministic sites included.
- ``numpyro.infer.util.unconstrain_fn``: constrained start values to an unconstrained position.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax
from numpyro.infer import NUTS
from numpyro.infer.hmc import HMCState
from numpyro.infer.util import unconstrain_fn

__all__ = ["SAMPLER_STATS", "ChainState", "NutsChain"]

SAMPLER_STATS = ("energy", "num_steps")  # per kept draw, beside the divergence flag

ChainState = HMCState  # one chain's sampler state; opaque outside this module


class NutsChain:
    """One NUTS chain of `model` (called with keyword arguments only), inside the caller's jit,
    vmap or pmap: `start` gives its first state, `run` its draws. Build one per trace: numpyro's
    kernel keeps the functions its `init` built for the model arguments it was traced with."""

    def __init__(self, model: Callable, num_warmup: int, **nuts_options: Any) -> None:
        """nuts_options: keyword arguments of numpyro.infer.NUTS (target_accept_prob, dense_mass, ...)."""
        self.model = model
        self.num_warmup = num_warmup
        self.options = dict(nuts_options)
        self._kernel = NUTS(model, **nuts_options)

    def state_shapes(self, model_kwargs: dict[str, Any]) -> ChainState:
        """Shapes and dtypes (jax.ShapeDtypeStruct) of one chain's state for model arguments of
        these shapes and dtypes; nothing is compiled or run."""

        def init(key: jax.Array, kwargs: dict[str, Any]) -> ChainState:
            return self._kernel.init(key, self.num_warmup, model_args=(), model_kwargs=kwargs)

        return jax.eval_shape(init, jax.ShapeDtypeStruct((2,), jnp.uint32), model_kwargs)

    def start(
        self,
        key: jax.Array,
        model_kwargs: dict[str, Any],
        init_values: dict[str, jax.Array],
        resume_from: ChainState | None = None,
        resume: jax.Array | bool = False,
    ) -> ChainState:
        """The chain's first state, with potential and gradient for these model arguments.

        Fresh: at `init_values` (constrained values by site; sites beyond the model's latent ones
        are ignored), with the whole adaptation ahead. Where `resume` is true: `resume_from`, a final
        state of an earlier run (past its warmup, so step size and mass matrix stay as adapted),
        with `key` as its new key. `resume` may be traced: both states are built and one selected,
        so one compiled program starts fresh chains and resumes them.
        """
        fresh = self._kernel.init(key, self.num_warmup, model_args=(), model_kwargs=model_kwargs)
        z = unconstrain_fn(self.model, (), model_kwargs, {name: init_values[name] for name in fresh.z})
        fresh = fresh._replace(z=z, energy=jnp.zeros_like(fresh.energy))  # sample recomputes the energy
        state = fresh
        if resume_from is not None:
            state = jax.tree.map(lambda a, b: jnp.where(resume, a, b), resume_from._replace(rng_key=key), fresh)
        return self._kernel.refresh(state, (), model_kwargs)

    def run(
        self,
        state: ChainState,
        model_kwargs: dict[str, Any],
        skip: jax.Array | int,
        keep: jax.Array | int,
        capacity: int,
    ) -> tuple[dict[str, jax.Array], jax.Array, dict[str, jax.Array], ChainState]:
        """`skip + keep` transitions from `state`: the last `keep` draws (constrained, deterministic
        sites included) padded to `capacity`, their divergence flags (False past `keep`), their
        sampler statistics (SAMPLER_STATS: Hamiltonian energy and leapfrog steps, for E-BFMI and the
        tree depth), and the final state. skip and keep may be traced (keep <= capacity). From a fresh state the first
        num_warmup transitions adapt, so skip = num_warmup makes them the warmup."""

        def kept(s: ChainState) -> tuple:
            return s.z, s.diverging, {name: getattr(s, name) for name in SAMPLER_STATS}

        buffer = jax.tree.map(lambda v: jnp.zeros((capacity,) + jnp.shape(v), jnp.result_type(v)), kept(state))

        def step(i, carry):
            s, recorded = carry
            s = self._kernel.sample(s, (), model_kwargs)
            j = jnp.clip(i - skip, 0, capacity - 1)  # skipped transitions write slot 0, overwritten later
            return s, jax.tree.map(lambda b, v: lax.dynamic_update_index_in_dim(b, v, j, 0), recorded, kept(s))

        last, (z, diverging, stats) = lax.fori_loop(0, skip + keep, step, (state, buffer))
        diverging = diverging & (jnp.arange(capacity) < keep)
        return jax.vmap(self._kernel.postprocess_fn((), model_kwargs))(z), diverging, stats, last
