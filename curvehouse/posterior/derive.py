"""Business-unit quantities per draw: saturation max, half point in spend, contributions, curves."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from curvehouse import constants as k
from curvehouse.hill import hill, hill_derivative, hill_inflection
from curvehouse.model.data import ModelData
from curvehouse.model.numpyro_model import components, model_arrays
from curvehouse.transforms.adstock import half_life_weeks

__all__ = [
    "CHANNEL_QUANTITIES",
    "TREATMENT_QUANTITIES",
    "channel_draws",
    "component_draws",
    "curve_draws",
    "fitted_draws",
    "treatment_draws",
]

# Published per-channel quantities (name -> unit), all per segment x channel.
CHANNEL_QUANTITIES = {
    "roi": "outcome currency per unit of spend over the window",
    "contribution": "outcome currency over the window",
    "saturation_max": "outcome currency per week at unlimited sustained spend",
    "half_point": "weekly spend (currency) reaching half of saturation_max",
    "slope": "Hill slope (unitless)",
    "theta": "adstock decay per week (unitless)",
    "adstock_half_life": "weeks",
}

# Published per-treatment quantities (name -> unit), per segment x non-media treatment.
TREATMENT_QUANTITIES = {
    "treatment_effect": "outcome currency per week per unit of the treatment",
    "treatment_contribution": "outcome currency over the window, against the treatment's reference value",
}


@jax.jit
def _components_per_draw(params: dict[str, jnp.ndarray], arrays: dict[str, jnp.ndarray]) -> dict[str, jnp.ndarray]:
    """components() for every draw; module-level so segments of one padded shape share one compile."""
    return jax.vmap(lambda p: components(p, arrays))(params)


def fitted_draws(samples: dict[str, np.ndarray], data: ModelData) -> np.ndarray:
    """The model's mean (N, S, T) in outcome currency for every draw (chains flattened), as the
    sampler recorded it (on the weeks that posterior was fitted on)."""
    return _flat(samples)[k.MU] * data.y_scale[None, :, None]


def _flat(samples: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: v.reshape((-1,) + v.shape[2:]) for name, v in samples.items()}


def channel_draws(samples: dict[str, np.ndarray], data: ModelData) -> dict[str, np.ndarray]:
    """Per-draw channel quantities in business units, keeping the leading (chains, draws) axes.

    samples: site -> (chains, draws, ...), of a posterior fitted on all the data's weeks.
    Returns name -> (chains, draws, S, C).
    """
    lead = samples[k.ROI].shape[:2]
    flat = _flat(samples)
    roi, contribution = _roi_and_contribution(flat, data)
    out = {
        "roi": roi,
        "contribution": contribution,
        "saturation_max": flat[k.BETA] * data.y_scale[:, None],
        "half_point": flat[k.HALF_POINT] * data.x_scale,
        "slope": flat[k.SLOPE],
        "theta": flat[k.THETA],
        "adstock_half_life": half_life_weeks(flat[k.THETA]),
    }
    mask = data.channel_mask > 0
    return {name: np.where(mask, v, np.nan).reshape(lead + v.shape[1:]) for name, v in out.items()}


def _roi_and_contribution(flat: dict[str, np.ndarray], data: ModelData) -> tuple[np.ndarray, np.ndarray]:
    """ROI (NaN for organic channels: no spend) and contribution in outcome currency, (N, S, C).
    On the generic path (curvehouse.model.effects) the model kept each contribution per draw."""
    if k.CONTRIBUTION not in flat:
        return flat[k.ROI], flat[k.ROI] * data.total_spend
    roi = np.where(data.is_organic, np.nan, flat[k.ROI])
    return roi, flat[k.CONTRIBUTION] * data.y_scale[:, None]


def treatment_draws(samples: dict[str, np.ndarray], data: ModelData) -> dict[str, np.ndarray]:
    """Per-draw treatment quantities in business units, keeping the leading (chains, draws) axes:
    name -> (chains, draws, S, J); NaN where a treatment does not vary in the segment. Empty without
    treatments."""
    if not data.treatments or k.TREATMENT not in samples:
        return {}
    coef = samples[k.TREATMENT]
    scale = data.y_scale[:, None]
    out = {
        "treatment_effect": coef * scale / data.treatment_scale,
        "treatment_contribution": coef * scale * (data.treatment * data.time_mask[..., None]).sum(axis=1),
    }
    return {name: np.where(data.treatment_mask > 0, v, np.nan) for name, v in out.items()}


def component_draws(
    samples: dict[str, np.ndarray], data: ModelData, max_draws: int, fit_mask: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Weekly components in outcome currency for up to max_draws draws (evenly thinned).

    fit_mask: the weeks the posterior was fitted on (ROI and level are defined over them).

    Returns baseline, trend (N, S, T), controls (N, S, T, K), media (N, S, T, C), and with
    treatment data treatments (N, S, T, J).
    """
    flat = _flat(samples)
    n = flat[k.ROI].shape[0]
    keep = np.linspace(0, n - 1, min(n, max_draws)).astype(int)
    parts = _components_per_draw({name: v[keep] for name, v in flat.items()}, model_arrays(data, fit_mask))
    scale = data.y_scale
    out = {
        "baseline": np.asarray(parts["baseline"]) * scale[None, :, None],
        "trend": np.asarray(parts["trend"]) * scale[None, :, None],
        "controls": np.asarray(parts["controls"]) * scale[None, :, None, None],
        "media": np.asarray(parts["media"]) * scale[None, :, None, None],
    }
    if "treatments" in parts:
        out["treatments"] = np.asarray(parts["treatments"]) * scale[None, :, None, None]
    return out


def curve_draws(channel: dict[str, np.ndarray], grid: np.ndarray, current: np.ndarray) -> dict[str, np.ndarray]:
    """Response and marginal ROI per draw on a weekly-spend grid, and at current spend.

    channel: name -> (N, S, C) flat draws; grid: (S, C, G); current: (S, C).
    Response is saturation_max * Hill(s; half_point, slope) per week at sustained weekly spend s.
    """
    params = {n: np.asarray(channel[n], dtype=np.float32) for n in ("saturation_max", "half_point", "slope")}
    grid, current = np.asarray(grid, dtype=np.float32), np.asarray(current, dtype=np.float32)
    return {name: np.asarray(v) for name, v in _curves_per_draw(params, grid, current).items()}


@jax.jit
def _curves_per_draw(params: dict[str, jnp.ndarray], grid: jnp.ndarray, current: jnp.ndarray) -> dict[str, jnp.ndarray]:
    """curve_draws' maths as one compiled program per shape (op by op it compiled ~20 small kernels)."""
    smax0, half0, slope0 = params["saturation_max"], params["half_point"], params["slope"]
    smax, half, slope = smax0[..., None], half0[..., None], slope0[..., None]
    g, now = grid[None], current[None]
    return {
        "response": smax * hill(g, half, slope),
        "marginal_roi": smax * hill_derivative(g, half, slope),
        "marginal_roi_now": smax0 * hill_derivative(now, half0, slope0),
        "response_now": smax0 * hill(now, half0, slope0),
        "inflection": hill_inflection(half0, slope0),
    }
