"""Lift experiments computed from a generator's truth, and which channel an experiment helps most.

An experiment moves one channel's weekly spend from a baseline to a test level for a few weeks and
measures the incremental KPI per week. With the normalised adstock a sustained weekly spend ``s``
settles at ``s``, so the steady-state lift is ``beta · (Hill(test) - Hill(baseline))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from curvehouse.demo._curves import hill
from curvehouse.inputs.schema import RAW_TABLES

__all__ = [
    "EXPERIMENT_COLUMNS",
    "ExperimentPlan",
    "experiment_row",
    "identification_scores",
    "least_identified",
    "steady_state_lift",
]

EXPERIMENT_COLUMNS = RAW_TABLES["experiments"].column_names  # the raw contract's, in order
SE_SHARE = (0.15, 0.30)  # a measured lift's standard error as a share of the true lift


def steady_state_lift(
    beta: float | np.ndarray,
    half_saturation: float | np.ndarray,
    slope: float | np.ndarray,
    baseline: float | np.ndarray,
    test: float | np.ndarray,
) -> float | np.ndarray:
    """Incremental KPI per week once a channel's spend has stayed at ``test`` instead of ``baseline``."""
    return beta * (hill(test, half_saturation, slope) - hill(baseline, half_saturation, slope))


def identification_scores(spend: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Per channel (columns of ``spend``, weeks x channels): the standard deviation of its weekly spend
    left after regressing it on ``others`` (weeks x k, e.g. intercept, trend, seasonality) and the other
    channels' spend, relative to its mean spend. Small: little variation of its own for the fit to
    learn its effect from, so its ROI leans on the prior (a channel with no spend scores 0)."""
    spend = np.asarray(spend, dtype=float)
    scores = np.zeros(spend.shape[1])
    for c in range(spend.shape[1]):
        y = spend[:, c]
        if y.mean() <= 0:
            continue
        x = np.column_stack([others, np.delete(spend, c, axis=1)])
        residual = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
        scores[c] = residual.std() / y.mean()
    return scores


def least_identified(spend: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Channel indices from least to best identified (see identification_scores)."""
    return np.argsort(identification_scores(spend, others), kind="stable")


@dataclass(frozen=True)
class ExperimentPlan:
    """One test: which channel where, when, and the spend moved (weekly, from baseline to test)."""

    experiment_id: str
    segment_id: str
    channel: str
    start_date: date
    weeks: int
    baseline_weekly_spend: float
    test_weekly_spend: float
    method: str

    @property
    def end_date(self) -> date:
        return self.start_date + timedelta(weeks=self.weeks, days=-1)


def experiment_row(plan: ExperimentPlan, true_lift: float, rng: np.random.Generator) -> dict:
    """The row a team would record: the measured lift drawn from Normal(true lift, se), se a share
    (SE_SHARE) of the true lift's size."""
    sd = round(abs(true_lift) * rng.uniform(*SE_SHARE), 2)
    return {
        "experiment_id": plan.experiment_id,
        "segment_id": plan.segment_id,
        "channel": plan.channel,
        "start_date": pd.Timestamp(plan.start_date),
        "end_date": pd.Timestamp(plan.end_date),
        "baseline_weekly_spend": plan.baseline_weekly_spend,
        "test_weekly_spend": plan.test_weekly_spend,
        "lift_weekly": round(float(rng.normal(true_lift, sd)), 2),
        "lift_weekly_sd": sd,
        "method": plan.method,
    }
