"""Lift tests (experiments) as data in the fit: padded arrays, the likelihood term, the prediction.

An experiment moved a channel's weekly spend from a baseline to a test level and measured the
weekly lift. With normalised adstock weights (curvehouse.transforms.adstock) a sustained weekly
spend s has steady-state adstocked value s, so the model's steady-state lift is
beta * (Hill(test) - Hill(baseline)), in the model's units (spend / x_scale, outcome / y_scale).
Arrays are padded to (S, E) with E a small bucket, so JAX compiles few shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpyro
import numpyro.distributions as dist
import pandas as pd

from curvehouse.hill import hill
from curvehouse.inputs.schema import RAW_TABLES
from curvehouse.model.data import ModelData

__all__ = [
    "ARRAY_NAMES",
    "EXPERIMENT_COLUMNS",
    "STATUS_FITTED",
    "STATUS_NOT_FITTED",
    "ExperimentSet",
    "build_experiments",
    "experiment_site",
    "experiments_text",
    "lift_log_likelihood",
    "predicted_lift",
    "segment_experiments",
    "without_experiments",
]

EXPERIMENT_COLUMNS = RAW_TABLES["experiments"].column_names  # the raw contract's, in order
# Model keyword arrays, all (S, E) but experiment_channel (S, E, C), a one-hot of the channel.
ARRAY_NAMES = (
    "experiment_channel",
    "experiment_baseline",
    "experiment_test",
    "experiment_lift",
    "experiment_sd",
    "experiment_mask",
)
STATUS_FITTED = "fitted"
STATUS_NOT_FITTED = "not_fitted"
_MIN_BUCKET = 4


@dataclass(frozen=True)
class ExperimentSet:
    """The experiments of one fitted group: model arrays (empty when none is fitted) and one row per
    experiment with its segment index ``i``, slot ``e`` (-1 when not fitted), ``status`` and ``reason``."""

    arrays: dict[str, np.ndarray]
    rows: pd.DataFrame


def segment_experiments(experiments: pd.DataFrame | None, segment: str) -> pd.DataFrame:
    """One segment's experiments in a stable order (by experiment_id), with the contract's columns."""
    if experiments is None or experiments.empty:
        return pd.DataFrame(columns=list(EXPERIMENT_COLUMNS))
    rows = experiments[experiments["segment_id"] == segment].reindex(columns=list(EXPERIMENT_COLUMNS))
    return rows.sort_values("experiment_id").reset_index(drop=True)


def experiments_text(rows: pd.DataFrame) -> str:
    """The experiments as text for the run id: every contract column, dates as ISO days."""
    rows = rows.reindex(columns=list(EXPERIMENT_COLUMNS)).sort_values("experiment_id")
    rows = rows.assign(**{c: pd.to_datetime(rows[c]).dt.strftime("%Y-%m-%d") for c in ("start_date", "end_date")})
    return rows.to_csv(index=False, float_format="%.6f")


def build_experiments(experiments: pd.DataFrame | None, data: ModelData) -> ExperimentSet:
    """Experiments of the data's segments as padded arrays; those on a channel the segment does not
    fit (deferred, no spend in the window, dropped by the checks) are kept in rows as not fitted."""
    frames = [segment_experiments(experiments, s).assign(i=i) for i, s in enumerate(data.segments)]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*EXPERIMENT_COLUMNS, "i"])
    # Lift tests measure spend changes: organic channels (no spend) are not fitted to them.
    channel_index = {c: j for j, c in enumerate(data.channels) if not data.is_organic[j]}
    status, reason, slot = [], [], []
    used = np.zeros(len(data.segments), dtype=int)
    for r in rows.itertuples():
        j = channel_index.get(r.channel)
        if j is None or data.channel_mask[r.i, j] == 0:
            status.append(STATUS_NOT_FITTED)
            why = "is not in the model input (deferred, or not eligible)" if j is None else "has no fitted curve"
            if j is None and r.channel in data.channels:
                why = "is organic (no spend for a lift test to change)"
            reason.append(f"channel {r.channel} {why} in segment {data.segments[r.i]}")
            slot.append(-1)
        else:
            status.append(STATUS_FITTED)
            reason.append("")
            slot.append(int(used[r.i]))
            used[r.i] += 1
    rows = rows.assign(status=status, reason=reason, e=slot)
    if not used.any():
        return ExperimentSet({}, rows)
    n_e = max(_MIN_BUCKET, 1 << int(used.max() - 1).bit_length())
    shape = (len(data.segments), n_e)
    arrays = {name: np.zeros(shape) for name in ARRAY_NAMES[1:]}
    arrays["experiment_sd"] = np.ones(shape)
    onehot = np.zeros((*shape, len(data.channels)))
    for r in rows[rows["e"] >= 0].itertuples():
        j, x, y = channel_index[r.channel], data.x_scale[r.i, channel_index[r.channel]], data.y_scale[r.i]
        onehot[r.i, r.e, j] = 1.0
        arrays["experiment_baseline"][r.i, r.e] = float(r.baseline_weekly_spend) / x
        arrays["experiment_test"][r.i, r.e] = float(r.test_weekly_spend) / x
        arrays["experiment_lift"][r.i, r.e] = float(r.lift_weekly) / y
        arrays["experiment_sd"][r.i, r.e] = float(r.lift_weekly_sd) / y
        arrays["experiment_mask"][r.i, r.e] = 1.0
    arrays["experiment_channel"] = onehot
    return ExperimentSet({n: np.asarray(arrays[n], dtype=np.float32) for n in ARRAY_NAMES}, rows)


def without_experiments(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The same arrays with every experiment masked out: the model without the lift terms, at the
    same shapes (so the fit's compiled program runs it)."""
    return {**arrays, "experiment_mask": np.zeros_like(arrays["experiment_mask"])}


def predicted_lift(beta: Any, half_point: Any, slope: Any, arrays: dict[str, Any]) -> Any:
    """The model's steady-state weekly lift per experiment, (..., S, E) in units of mean weekly outcome.

    beta, half_point, slope: (..., S, C) (half_point in units of x_scale); numpy or JAX.
    """
    onehot = arrays["experiment_channel"]
    half, s = half_point[..., None, :], slope[..., None, :]
    gain = hill(arrays["experiment_test"][..., None], half, s) - hill(arrays["experiment_baseline"][..., None], half, s)
    return (onehot * beta[..., None, :] * gain).sum(-1)


def lift_log_likelihood(predicted: np.ndarray, arrays: dict[str, np.ndarray]) -> np.ndarray:
    """Log density of the measured lifts given predicted ones (..., S, E), summed per segment: (..., S)."""
    z = (arrays["experiment_lift"] - predicted) / arrays["experiment_sd"]
    pointwise = -0.5 * z**2 - np.log(arrays["experiment_sd"]) - 0.5 * np.log(2 * np.pi)
    return (pointwise * arrays["experiment_mask"]).sum(-1)


def experiment_site(beta: Any, half_point: Any, slope: Any, arrays: dict[str, Any]) -> None:
    """The likelihood term: each unmasked experiment's measured lift ~ Normal(predicted, its sd)."""
    mean = predicted_lift(beta, half_point, slope, arrays)
    likelihood = dist.Normal(mean, arrays["experiment_sd"]).mask(arrays["experiment_mask"] > 0)
    numpyro.sample("experiment_lift", likelihood, obs=arrays["experiment_lift"])
