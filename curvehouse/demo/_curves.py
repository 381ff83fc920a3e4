"""The two media transforms of the built-in model, in plain numpy, for the demo's ground truth.

Deliberately independent of curvehouse.hill and curvehouse.transforms: this is the truth the
model's recovery is checked against, so a bug in the package's curve must not also shape the data.
"""

from __future__ import annotations

import numpy as np


def adstock_weights(theta: float, max_lag: int) -> np.ndarray:
    """Normalised geometric weights ``theta**l / sum(theta**l)`` for lags ``l = 0..max_lag-1``."""
    weights = theta ** np.arange(max_lag, dtype=float)
    return weights / weights.sum()


def geometric_adstock(x: np.ndarray, theta: float, max_lag: int) -> np.ndarray:
    """Carry weekly spend forward; the weights sum to 1 so a sustained spend ``s`` settles at ``s``.

    Spend before the first week is taken as zero.
    """
    x = np.asarray(x, dtype=float)
    return np.convolve(x, adstock_weights(theta, max_lag))[: x.size]


def hill(x: np.ndarray, half_saturation: float, slope: float) -> np.ndarray:
    """Saturation share ``x**S / (x**S + K**S)`` in [0, 1); ``K`` is where half the maximum is reached.

    An independent copy of curvehouse.hill.hill on purpose (see the module docstring).
    """
    x_s = np.asarray(x, dtype=float) ** slope
    return x_s / (x_s + half_saturation**slope)
