"""Hand-made curve sets for the planning unit tests (known shapes, seeded draws)."""

from __future__ import annotations

import numpy as np

from curvehouse.planning.curves import CurveSet

CHANNELS = ("tv", "ooh", "search", "social", "display")
GROUPS = ("brand", "brand", "performance", "performance", "performance")


def curve_set(n_draws: int = 100, seed: int = 1, spread: float = 0.15, **overrides) -> CurveSet:
    """Five channels with different saturation: search near its ceiling, tv with room to grow."""
    rng = np.random.default_rng(seed)
    half = np.array([40_000.0, 20_000.0, 15_000.0, 30_000.0, 10_000.0])
    smax = np.array([120_000.0, 40_000.0, 60_000.0, 70_000.0, 15_000.0])
    slope = np.array([1.8, 1.2, 1.0, 1.5, 0.9])
    current = np.array([30_000.0, 15_000.0, 45_000.0, 20_000.0, 12_000.0])

    def draws(values: np.ndarray, sd: float) -> np.ndarray:
        if n_draws == 1:
            return values[None, :]
        return values[None, :] * np.exp(sd * rng.standard_normal((n_draws, len(values))))

    fields = dict(
        segment_id="demo",
        run_id="run1",
        channels=CHANNELS,
        groups=GROUPS,
        half_dc=draws(half, spread),
        smax_dc=draws(smax, spread),
        slope_dc=draws(slope, spread / 3),
        current_c=current,
        lower_c=current * 0.4,
        upper_c=current * 1.6,
        base=250_000.0,
        calibration=1.02,
        interval_source="posterior_draws" if n_draws > 1 else "mean_only",
        half_life_c=np.array([3.0, 2.0, 0.5, 0.8, 0.4]),
        materialise_c=np.array([8.0, 6.0, 2.0, 2.5, 1.5]),
        observed_min_c=current * 0.4,
        observed_max_c=current * 1.6,
    )
    fields.update(overrides)
    return CurveSet(**fields)
