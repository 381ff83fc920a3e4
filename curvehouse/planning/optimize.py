"""Constrained allocation: the best split of a weekly budget under per-channel bounds, and robust
alternatives within a tolerance of it. SLSQP with analytic gradients of the expected curve response."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from curvehouse.planning.curves import CurveSet

__all__ = ["Allocation", "project", "feasible_budget", "to_cents", "best_allocation", "alternatives"]


@dataclass(frozen=True)
class Allocation:
    """One allocation: weekly spend per channel and its expected media outcome; ``label`` says what it is."""

    spend_c: np.ndarray
    expected: float
    label: str = "optimum"


def feasible_budget(budget: float, lower_c: np.ndarray, upper_c: np.ndarray) -> tuple[float, str | None]:
    """The budget the bounds allow (the request clipped to [sum lower, sum upper]) and why it was clipped."""
    low, high = float(lower_c.sum()), float(upper_c.sum())
    if budget > high + 0.005:
        return high, (
            f"requested {budget:,.2f} per week exceeds the {high:,.2f} the channels' upper bounds allow "
            "(observed weekly spend range): allocated at the bounds, not extrapolated"
        )
    if budget < low - 0.005:
        return low, (
            f"requested {budget:,.2f} per week is below the {low:,.2f} the channels' lower bounds need: "
            "allocated at the lower bounds"
        )
    return budget, None


def project(x_c: np.ndarray, budget: float, lower_c: np.ndarray, upper_c: np.ndarray) -> np.ndarray:
    """Closest point to x (Euclidean) with lower <= s <= upper and sum s = budget: clip(x + t) with t by bisection."""
    budget = float(np.clip(budget, lower_c.sum(), upper_c.sum()))
    lo, hi = float((lower_c - x_c).min()), float((upper_c - x_c).max())
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if np.clip(x_c + mid, lower_c, upper_c).sum() < budget:
            lo = mid
        else:
            hi = mid
    return np.clip(x_c + 0.5 * (lo + hi), lower_c, upper_c)


def to_cents(spend_c: np.ndarray, budget: float, lower_c: np.ndarray, upper_c: np.ndarray) -> np.ndarray:
    """Round an allocation to whole cents summing exactly to the budget (itself rounded to cents) and
    staying in bounds: floor to cents, then hand the leftover cents to the largest remainders with room."""
    low = np.ceil(np.round(lower_c * 100, 6)).astype(np.int64)
    high = np.floor(np.round(upper_c * 100, 6)).astype(np.int64)
    target = int(np.clip(round(budget * 100), low.sum(), high.sum()))
    raw = np.clip(spend_c * 100, low, high)
    cents = np.clip(np.floor(raw).astype(np.int64), low, high)
    left = target - int(cents.sum())
    order = np.argsort(-(raw - cents)) if left > 0 else np.argsort(raw - cents)
    step = 1 if left > 0 else -1
    while left != 0:
        moved = False
        for c in order:
            if left == 0:
                break
            if low[c] <= cents[c] + step <= high[c]:
                cents[c] += step
                left -= step
                moved = True
        if not moved:
            break
    return cents / 100.0


def _solve(
    curves: CurveSet,
    start_c: np.ndarray,
    budget: float,
    lower_c: np.ndarray,
    upper_c: np.ndarray,
    objective: tuple[int, float] | None = None,
    floor: float | None = None,
) -> np.ndarray | None:
    """SLSQP in budget shares. Maximise the expected media outcome, or (objective=(c, sign)) move channel c
    as far as possible in ``sign`` while the expected outcome stays >= floor. Returns the spend or None."""
    free = upper_c - lower_c > 1e-9
    if not free.any() or budget <= 0:
        return None
    scale = budget
    fixed = np.where(free, 0.0, lower_c)
    norm = max(abs(curves.expected_incremental(start_c)), 1.0)

    def spend(z: np.ndarray) -> np.ndarray:
        full = fixed.copy()
        full[free] = z * scale
        return full

    def outcome(z: np.ndarray) -> tuple[float, np.ndarray]:
        s = spend(z)
        return curves.expected_incremental(s) / norm, curves.expected_gradient(s)[free] * scale / norm

    constraints = [
        {
            "type": "eq",
            "fun": lambda z: np.array([z.sum() * scale + fixed.sum() - budget]) / scale,
            "jac": lambda z: np.ones((1, z.size)),
        }
    ]
    if objective is None:

        def fun(z):
            value, grad = outcome(z)
            return -value, -grad
    else:
        channel, sign = objective
        position = int(np.flatnonzero(free).tolist().index(channel))
        unit = np.zeros(int(free.sum()))
        unit[position] = 1.0

        def fun(z):
            return -sign * z[position], -sign * unit

        constraints.append(
            {
                "type": "ineq",
                "fun": lambda z: np.array([outcome(z)[0] - floor / norm]),
                "jac": lambda z: outcome(z)[1][None, :],
            }
        )
    bounds = list(zip(lower_c[free] / scale, upper_c[free] / scale, strict=True))
    z0 = np.clip(start_c[free] / scale, [b[0] for b in bounds], [b[1] for b in bounds])
    result = minimize(
        fun,
        z0,
        jac=True,
        method="SLSQP",
        bounds=bounds,
        constraints=constraints,
        options={"maxiter": 200, "ftol": 1e-10},
    )
    s = project(spend(result.x), budget, lower_c, upper_c)
    return s if np.all(np.isfinite(s)) else None


def best_allocation(
    curves: CurveSet, budget: float, lower_c: np.ndarray, upper_c: np.ndarray, starts: list[np.ndarray]
) -> Allocation:
    """The best allocation of a (feasible) budget: SLSQP from each start, the best result kept.

    The starts themselves are candidates too, so the optimum is never worse than any of them (pass the
    current mix and an equal split, both projected into the bounds, and the previous level's optimum).
    """
    candidates = [project(s, budget, lower_c, upper_c) for s in starts]
    candidates += [s for s in (_solve(curves, c, budget, lower_c, upper_c) for c in list(candidates)) if s is not None]
    values = [curves.expected_incremental(s) for s in candidates]
    best = int(np.argmax(values))
    return Allocation(candidates[best], values[best])


def alternatives(
    curves: CurveSet,
    best: Allocation,
    budget: float,
    lower_c: np.ndarray,
    upper_c: np.ndarray,
    tolerance: float,
    top_k: int,
) -> list[Allocation]:
    """Up to top_k distinct allocations within ``tolerance`` of the best expected media outcome: for each
    free channel, the least and the most it can get while staying within the tolerance. Best first."""
    floor = best.expected - tolerance * abs(best.expected)
    found: list[Allocation] = []
    for c in np.flatnonzero(upper_c - lower_c > 1e-9):
        for sign, word in ((-1.0, "least"), (1.0, "most")):
            s = _solve(curves, best.spend_c, budget, lower_c, upper_c, objective=(int(c), sign), floor=floor)
            if s is None:
                continue
            value = curves.expected_incremental(s)
            distinct = all(np.abs(s - other.spend_c).sum() > 0.005 * budget for other in [best, *found])
            if value >= floor - 1e-9 * abs(floor) and distinct:
                found.append(Allocation(s, value, f"{word} {curves.channels[c]}"))
    found.sort(key=lambda a: -a.expected)
    return found[:top_k]
