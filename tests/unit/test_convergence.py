"""Vectorised R-hat and ESS equal ArviZ's element-by-element estimators."""

from __future__ import annotations

import arviz as az
import numpy as np
import pytest

from curvehouse.posterior.convergence import convergence


def ar1(rng: np.random.Generator, shape: tuple[int, ...], phi: float) -> np.ndarray:
    """Autocorrelated chains (chains, draws, *rest) with per-chain offsets, so R-hat and ESS vary."""
    noise = rng.normal(size=shape)
    out = np.empty(shape)
    out[:, 0] = noise[:, 0]
    for t in range(1, shape[1]):
        out[:, t] = phi * out[:, t - 1] + noise[:, t]
    return out + rng.normal(scale=0.3, size=(shape[0], 1, *shape[2:]))


def arviz(draws: np.ndarray) -> dict[str, np.ndarray]:
    dataset = az.convert_to_dataset({"v": draws})
    return {
        "rhat": np.asarray(az.rhat(dataset)["v"]),
        "ess_bulk": np.asarray(az.ess(dataset, method="bulk")["v"]),
        "ess_tail": np.asarray(az.ess(dataset, method="tail")["v"]),
    }


@pytest.mark.parametrize(
    "chains, draws, phi", [(4, 200, 0.0), (2, 75, 0.9), (4, 101, 0.99), (1, 60, 0.5), (3, 9, 0.3), (2, 4, 0.0)]
)
def test_equal_to_arviz_on_autocorrelated_chains(chains, draws, phi):
    values = ar1(np.random.default_rng(chains * draws), (chains, draws, 3, 4), phi)
    ours, theirs = convergence(values), arviz(values)
    for name in ("rhat", "ess_bulk", "ess_tail"):
        np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-9, equal_nan=True, err_msg=name)


def test_ties_constants_and_a_stuck_chain_as_arviz_gives_them():
    rng = np.random.default_rng(2)
    values = np.stack(
        [
            rng.integers(0, 3, size=(4, 80)).astype(float),  # many ties
            np.full((4, 80), 1.0),  # a channel a segment lacks: constant
            np.concatenate([rng.normal(size=(3, 80)), np.full((1, 80), 5.0)]),  # one chain stuck far away
            np.where(rng.random((4, 80)) < 0.97, 0.0, 1.0),  # rare events: tail ESS from few changes
        ],
        axis=-1,
    )
    ours, theirs = convergence(values), arviz(values)
    for name in ("rhat", "ess_bulk", "ess_tail"):
        np.testing.assert_allclose(ours[name], theirs[name], rtol=1e-9, equal_nan=True, err_msg=name)
    assert ours["rhat"][2] > 1.5 and ours["ess_bulk"][1] == 320
