"""A segment's current curves as arrays of draws, and their response and marginal response.

Convention (DESIGN.md): response per week at a sustained weekly spend s, in outcome currency,
``calibration * saturation_max * s**slope / (s**slope + half_point**slope)``, evaluated by
curvehouse.hill. Shapes: ``_dc`` is (n_draws, n_channels), ``_nc`` (n_allocations, n_channels),
``_ndc`` (n_allocations, n_draws, n_channels).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from curvehouse.hill import hill_derivative, hill_response

__all__ = ["CurveSet", "interval80", "marginal_ndc", "response_ndc"]


def response_ndc(spend_nc: np.ndarray, half_dc: np.ndarray, smax_dc: np.ndarray, slope_dc: np.ndarray) -> np.ndarray:
    """Weekly response of every channel at every allocation under every draw: (n, d, c); 0 at spend <= 0."""
    spend = np.asarray(spend_nc, dtype=float)[:, None, :]
    return hill_response(spend, half_dc[None], smax_dc[None], slope_dc[None])


def marginal_ndc(spend_nc: np.ndarray, half_dc: np.ndarray, smax_dc: np.ndarray, slope_dc: np.ndarray) -> np.ndarray:
    """d response / d spend of every channel at every allocation under every draw: (n, d, c).

    Below 1e-6 K the value at 1e-6 K (curvehouse.hill.hill_derivative), which is finite for S < 1.
    """
    spend = np.asarray(spend_nc, dtype=float)[:, None, :]
    return smax_dc[None] * hill_derivative(spend, half_dc[None], slope_dc[None])


def interval80(values: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, 10th and 90th percentile along the draws axis (the 80% interval)."""
    values = np.asarray(values, dtype=float)
    p10, p90 = np.percentile(values, [10.0, 90.0], axis=axis)
    return values.mean(axis=axis), p10, p90


@dataclass(frozen=True)
class CurveSet:
    """One segment's current curves with everything planning needs, as arrays over channels.

    ``half_dc``, ``smax_dc`` (uncalibrated), ``slope_dc``: draws x channels. ``lower_c`` / ``upper_c``:
    weekly spend bounds (observed range, narrowed by user bounds). ``base``: non-media weekly
    outcome; ``calibration``: multiplier on the modelled outcome (base + media).
    """

    segment_id: str
    run_id: str
    channels: tuple[str, ...]
    groups: tuple[str, ...]
    half_dc: np.ndarray
    smax_dc: np.ndarray
    slope_dc: np.ndarray
    current_c: np.ndarray
    lower_c: np.ndarray
    upper_c: np.ndarray
    base: float = 0.0
    calibration: float = 1.0
    interval_source: str = "mean_only"
    half_life_c: np.ndarray | None = None
    materialise_c: np.ndarray | None = None
    observed_min_c: np.ndarray | None = None
    observed_max_c: np.ndarray | None = None

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    @property
    def n_draws(self) -> int:
        return self.half_dc.shape[0]

    @property
    def current_total(self) -> float:
        return float(self.current_c.sum())

    def contributions(self, spend_nc: np.ndarray) -> np.ndarray:
        """Calibrated weekly contribution per allocation, draw and channel: (n, d, c)."""
        return self.calibration * response_ndc(np.atleast_2d(spend_nc), self.half_dc, self.smax_dc, self.slope_dc)

    def marginal(self, spend_nc: np.ndarray) -> np.ndarray:
        """Calibrated marginal response per allocation, draw and channel: (n, d, c)."""
        return self.calibration * marginal_ndc(np.atleast_2d(spend_nc), self.half_dc, self.smax_dc, self.slope_dc)

    def incremental(self, spend_nc: np.ndarray) -> np.ndarray:
        """Calibrated media weekly outcome per allocation and draw: (n, d)."""
        return self.contributions(spend_nc).sum(axis=-1)

    def expected_incremental(self, spend_c: np.ndarray) -> float:
        """Posterior-mean media weekly outcome of one allocation."""
        return float(self.incremental(spend_c[None])[0].mean())

    def expected_gradient(self, spend_c: np.ndarray) -> np.ndarray:
        """Gradient of expected_incremental in spend: (c,)."""
        return self.marginal(spend_c[None])[0].mean(axis=0)

    def outcome(self, spend_nc: np.ndarray) -> np.ndarray:
        """Calibrated total weekly outcome (base + media) per allocation and draw: (n, d)."""
        return self.calibration * self.base + self.incremental(spend_nc)

    def within_bounds(self, spend_nc: np.ndarray, tolerance: float = 0.005) -> np.ndarray:
        """Per allocation and channel: inside [lower, upper] (to a tolerance in currency): (n, c)."""
        spend = np.atleast_2d(spend_nc)
        return (spend >= self.lower_c - tolerance) & (spend <= self.upper_c + tolerance)

    def within_observed(self, spend_nc: np.ndarray, tolerance: float = 0.005) -> np.ndarray:
        """Per allocation and channel: inside the observed weekly spend range (bounds when unknown): (n, c)."""
        spend = np.atleast_2d(spend_nc)
        low = self.lower_c if self.observed_min_c is None else np.nan_to_num(self.observed_min_c, nan=0.0)
        high = self.upper_c if self.observed_max_c is None else np.nan_to_num(self.observed_max_c, nan=np.inf)
        return (spend >= low - tolerance) & (spend <= high + tolerance)

    def with_half_points(self, factor_c: np.ndarray) -> CurveSet:
        """The same curves with each channel's half-saturation point multiplied by factor_c."""
        return replace(self, half_dc=self.half_dc * np.asarray(factor_c, dtype=float)[None, :])

    def index(self, channel: str) -> int:
        return self.channels.index(channel)
