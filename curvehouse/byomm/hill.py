"""A least-squares fit of the Hill curve (curvehouse.hill, the weekly-spend convention) to curve points.

Readers whose tool publishes response points rather than weekly-spend Hill parameters (Meridian)
recover the parameters here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from curvehouse.hill import hill_response

__all__ = ["HillFit", "fit_hill"]

_SLOPE_BOUNDS = (0.1, 10.0)
_START_SLOPES = (0.7, 1.0, 2.0)
_START_HALF_POINT_SHARES = (0.25, 1.0, 4.0)


@dataclass(frozen=True)
class HillFit:
    """Fitted Hill parameters and how far the curve misses the points it was fitted to.

    ``max_relative_error`` is max |fitted - point| / point over the points with a positive response.
    """

    saturation_half_point: float
    saturation_max: float
    hill_slope: float
    max_relative_error: float


def fit_hill(spend: np.ndarray, response: np.ndarray) -> HillFit:
    """Least-squares Hill fit on relative errors, over points with positive spend and response.

    Parameters are fitted on a log scale (all positive); the slope is bounded to ``_SLOPE_BOUNDS``.
    A few starting points are tried and the best fit kept, so the result does not hinge on one guess.
    ``spend`` and ``response`` are 1-d arrays of equal length (at least three usable points).
    """
    s = np.asarray(spend, dtype=float)
    y = np.asarray(response, dtype=float)
    keep = (s > 0) & (y > 0) & np.isfinite(s) & np.isfinite(y)
    s, y = s[keep], y[keep]
    if len(s) < 3:
        raise ValueError(f"a Hill fit needs at least 3 points with positive spend and response, got {len(s)}")

    def residuals(log_params: np.ndarray) -> np.ndarray:
        half_point, saturation_max, slope = np.exp(log_params)
        return hill_response(s, half_point, saturation_max, slope) / y - 1.0

    lower = np.log([s.min() / 1e3, y.max(), _SLOPE_BOUNDS[0]])
    upper = np.log([s.max() * 1e3, y.max() * 1e4, _SLOPE_BOUNDS[1]])
    starts = [
        np.log([np.median(s) * share, y.max() * 2.0, slope])
        for share in _START_HALF_POINT_SHARES
        for slope in _START_SLOPES
    ]
    best = min(
        (least_squares(residuals, np.clip(x0, lower + 1e-9, upper - 1e-9), bounds=(lower, upper)) for x0 in starts),
        key=lambda result: result.cost,
    )
    half_point, saturation_max, slope = (float(v) for v in np.exp(best.x))
    return HillFit(half_point, saturation_max, slope, float(np.max(np.abs(residuals(best.x)))))
