"""Seeded demo data: the raw tables a user would land, generated from a known weekly model.

Per segment and complete ISO week ``t`` (``t = 0`` is the first week)::

    revenue_t = intercept + trend_per_week·t + Σ_k fourier_k·basis_k(week_start_t)
                + Σ_c control_c·mean_of_week(control_c) + Σ_m media_m,t + Normal(0, noise_sd)
    media_m,t = beta_m · Hill(Adstock(weekly spend_m)_t; half_saturation_m, slope_m)

with the normalised geometric adstock of the built-in model (spend before the first day is zero)
and the yearly Fourier basis ``sin/cos(2π·k·d / 365.25)``, ``d`` = days from 1970-01-01 to the
week's Monday. Weekly amounts are spread over days by day-of-week weights and rounded to cents;
the truth is computed from the rounded daily spend and its weekly revenue is the sum of the
rounded daily revenue, so the files and the truth agree exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from curvehouse.demo._curves import geometric_adstock, hill
from curvehouse.demo.experiments import (
    EXPERIMENT_COLUMNS,
    ExperimentPlan,
    experiment_row,
    least_identified,
    steady_state_lift,
)
from curvehouse.inputs.schema import RAW_TABLE_NAMES

__all__ = ["DEFAULT_CHANNELS", "ChannelSpec", "DemoData", "generate_demo", "write_demo"]

KPI = "revenue"
TRUTH_FILE = "_ground_truth.json"
DEFAULT_SEGMENTS = 3
DEFAULT_WEEKS = 160
DEFAULT_SEED = 7
DEFAULT_END_DATE = date(2026, 11, 18)
DEFAULT_MAX_LAG = 8
MIN_WEEKS = 13
DAYS_PER_WEEK = 7
WEEKS_PER_QUARTER = 13
DAYS_PER_QUARTER = 91
DAYS_PER_YEAR = 365.25
EPOCH = "1970-01-01"

SEGMENT_NAMES = ("north_america", "emea", "apac")
SEGMENT_SCALES = (1.0, 0.7, 0.48)  # size relative to the reference segment
EXTRA_SEGMENT_SCALE = (0.4, 0.9)
MIX_JITTER_SD = 0.15  # segments differ in media mix, not only in size

# Day-of-week weights (Monday first); a zero weight means no row is reported that day.
REVENUE_DAY_WEIGHTS = (1.2, 1.25, 1.25, 1.2, 1.05, 0.55, 0.5)
DAY_NOISE_SD = 0.08
IMPRESSION_NOISE_SD = 0.1
PLATFORM_GAP = 0.019  # daily platform-vs-warehouse discrepancy, inside the 2% promise

FOURIER_TERMS = ("sin_1", "cos_1", "sin_2", "cos_2")
SEASON_SD = (0.05, 0.05, 0.025, 0.025)  # spread of the FOURIER_TERMS as shares of the baseline
SEARCH_SEASON_GAIN = 2.0  # search spend follows demand seasonality
MEDIA_SHARE = (0.22, 0.32)
NOISE_SHARE = 0.03
TREND_PER_WEEK = (0.0005, 0.0015)  # share of the baseline level
CONTROL_EFFECTS = {"promo": 0.12, "competitor_index": -0.006, "product_launch": 0.06}
COMPETITOR_MEAN, COMPETITOR_PHI, COMPETITOR_SHOCK_SD = 100.0, 0.97, 1.2
LAUNCH_AT = 0.6  # share of the history before the product launch
LAUNCH_STAGGER_DAYS = 28

ROI_JITTER_SD = 0.12
THETA_JITTER_SD = 0.04
THETA_RANGE = (0.02, 0.9)
SLOPE_JITTER_SD = 0.1
SLOPE_RANGE = (0.8, 3.0)
HALF_SATURATION_JITTER = (0.8, 1.25)  # K relative to the channel's mean adstocked spend once live
PRIOR_MISS = (0.08, 0.3)  # |log| distance of the registry's ROI prior from the true ROI
PRIOR_SD_RATIO = 0.5
ATTRIBUTION_NOISE_SD = 0.08
EVENT_PROBABILITY = 0.12
# The two demo experiments: a holdout of the least identified channel in the first segment (the test
# that measures its whole contribution at current spend, so it pins its ROI, which its spend alone cannot),
# a raise on the next least identified one in the second; each runs EXPERIMENT_WEEKS, starting this many
# weeks before the end.
EXPERIMENT_WEEKS = 4
EXPERIMENT_STARTS = (12, 6)
EXPERIMENT_MOVES = (0.0, 1.5)  # test spend as a multiple of the baseline
EXPERIMENT_METHODS = (
    "geo holdout: spend paused in a random half of the segment's regions, lift scaled to the segment",
    "matched markets: spend raised 50% in test markets against matched controls, lift scaled to the segment",
)
BASELINE_WEEKS = 13  # the baseline spend is the mean of the weeks before the test
EXPERIMENT_STREAM = 2**31  # spawn key of the experiments' noise, apart from the segments' streams


@dataclass(frozen=True)
class ChannelSpec:
    """One demo channel: how it spends (reference segment) and how it truly drives revenue."""

    name: str
    display_name: str
    group: str  # brand | performance
    pattern: str  # key of SPEND_PATTERNS
    weekly_spend: float  # mean weekly spend over the live complete weeks
    roi: float  # true ROI before per-segment jitter
    theta: float  # adstock decay
    slope: float  # Hill slope
    is_primary: bool = False
    max_lag: int | None = None  # registry adstock_max_lag; None = the default
    cpm: float | None = None  # cost per 1000 impressions; None = impressions not reported
    attribution_bias: float = 1.0  # how much the attribution system over- (>1) or under-credits
    day_weights: tuple[float, ...] = (1.0,) * DAYS_PER_WEEK


_WEEKDAYS_ONLY = (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0)

DEFAULT_CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec(
        "paid_search",
        "Paid Search",
        "performance",
        "steady_seasonal",
        weekly_spend=85_000,
        roi=2.6,
        theta=0.1,
        slope=1.0,
        is_primary=True,
        cpm=60.0,
        attribution_bias=1.8,
        day_weights=(1.2, 1.25, 1.2, 1.15, 1.0, 0.55, 0.6),
    ),
    ChannelSpec(
        "paid_social",
        "Paid Social",
        "performance",
        "campaigns",
        weekly_spend=45_000,
        roi=1.4,
        theta=0.3,
        slope=1.3,
        cpm=9.0,
        attribution_bias=1.3,
        day_weights=(1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.9),
    ),
    ChannelSpec(
        "linkedin",
        "LinkedIn",
        "performance",
        "campaigns",
        weekly_spend=55_000,
        roi=2.0,
        theta=0.35,
        slope=1.5,
        is_primary=True,
        cpm=35.0,
        attribution_bias=1.45,
        day_weights=(1.3, 1.3, 1.3, 1.2, 1.0, 0.35, 0.35),
    ),
    ChannelSpec(
        "display",
        "Display",
        "performance",
        "steady",
        weekly_spend=28_000,
        roi=0.8,
        theta=0.25,
        slope=1.1,
        cpm=4.0,
        attribution_bias=1.6,
    ),
    ChannelSpec(
        "tv",
        "TV",
        "brand",
        "flighted",
        weekly_spend=75_000,
        roi=1.8,
        theta=0.7,
        slope=2.4,
        is_primary=True,
        max_lag=12,
        attribution_bias=0.3,
        day_weights=(0.9, 0.9, 0.9, 1.0, 1.1, 1.2, 1.2),
    ),
    ChannelSpec(
        "podcast",
        "Podcast",
        "brand",
        "steady",
        weekly_spend=18_000,
        roi=1.5,
        theta=0.45,
        slope=1.6,
        cpm=25.0,
        attribution_bias=0.4,
        day_weights=(1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.8),
    ),
    ChannelSpec(
        "ooh",
        "Out of Home",
        "brand",
        "quarterly",
        weekly_spend=22_000,
        roi=1.1,
        theta=0.55,
        slope=2.0,
        attribution_bias=0.2,
        day_weights=_WEEKDAYS_ONLY,
    ),
    ChannelSpec(
        "events",
        "Events",
        "brand",
        "sporadic",
        weekly_spend=22_000,
        roi=2.2,
        theta=0.3,
        slope=1.8,
        attribution_bias=0.7,
        day_weights=_WEEKDAYS_ONLY,
    ),
)


@dataclass(frozen=True, eq=False)
class DemoData:
    """The raw tables (columns exactly as in the raw contract) and the truth behind them."""

    channel_registry: pd.DataFrame
    channel_spend: pd.DataFrame
    platform_spend: pd.DataFrame
    outcomes: pd.DataFrame
    controls: pd.DataFrame
    attribution: pd.DataFrame
    reallocation_proposals: pd.DataFrame
    experiments: pd.DataFrame
    truth: dict

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The raw tables by name, in the contract's order (those the demo has: no channel_activity),
        and the lift experiments."""
        names = [name for name in RAW_TABLE_NAMES if hasattr(self, name)]
        return {**{name: getattr(self, name) for name in names}, "experiments": self.experiments}


# --- calendar -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Calendar:
    """``n_complete`` complete ISO weeks, then the current week (days after ``end`` have no rows)."""

    start: date
    n_complete: int
    end: date

    @classmethod
    def ending(cls, end: date, n_complete: int) -> _Calendar:
        current_week_start = end - timedelta(days=end.weekday())
        return cls(current_week_start - timedelta(weeks=n_complete), n_complete, end)

    @property
    def current_week_start(self) -> date:
        return self.start + timedelta(weeks=self.n_complete)

    @property
    def n_weeks(self) -> int:
        return self.n_complete + 1

    @property
    def week_starts(self) -> np.ndarray:
        return np.datetime64(self.start, "D") + DAYS_PER_WEEK * np.arange(self.n_weeks)

    @property
    def days(self) -> np.ndarray:
        """Every day as a (week, weekday) grid."""
        return self.week_starts[:, None] + np.arange(DAYS_PER_WEEK)

    @property
    def observed(self) -> np.ndarray:
        """Which days of the grid carry rows."""
        return self.days <= np.datetime64(self.end, "D")


# --- spend ----------------------------------------------------------------------------------


def _steady(rng: np.random.Generator, n: int, season: np.ndarray) -> np.ndarray:
    return rng.lognormal(0.0, 0.08, n)


def _steady_seasonal(rng: np.random.Generator, n: int, season: np.ndarray) -> np.ndarray:
    return (1.0 + SEARCH_SEASON_GAIN * season) * rng.lognormal(0.0, 0.05, n)


def _campaigns(rng: np.random.Generator, n: int, season: np.ndarray) -> np.ndarray:
    """Always-on spend with campaigns of 3–6 weeks every few weeks."""
    level = np.full(n, 0.6)
    week = int(rng.integers(0, 6))
    while week < n:
        length = int(rng.integers(3, 7))
        level[week : week + length] += 1.2
        week += length + int(rng.integers(3, 9))
    return level * rng.lognormal(0.0, 0.1, n)


def _flighted(rng: np.random.Generator, n: int, season: np.ndarray) -> np.ndarray:
    """Flights of 4–8 weeks separated by 2–6 weeks dark (zero spend); starts with a flight."""
    on = np.zeros(n)
    week = 0
    while week < n:
        length = int(rng.integers(4, 9))
        on[week : week + length] = 1.0
        week += length + int(rng.integers(2, 7))
    return on * rng.lognormal(0.0, 0.1, n)


def _quarterly(rng: np.random.Generator, n: int, season: np.ndarray) -> np.ndarray:
    """One flight of 4–6 weeks per quarter, dark otherwise."""
    on = np.zeros(n)
    for quarter in range(0, n, WEEKS_PER_QUARTER):
        span = min(WEEKS_PER_QUARTER, n - quarter)
        length = min(int(rng.integers(4, 7)), span)
        first = quarter + int(rng.integers(0, span - length + 1))
        on[first : first + length] = 1.0
    return on * rng.lognormal(0.0, 0.05, n)


def _sporadic(rng: np.random.Generator, n: int, season: np.ndarray) -> np.ndarray:
    """Event weeks (at least one) with large spikes; otherwise deposits or nothing."""
    event = rng.random(n) < EVENT_PROBABILITY
    event[rng.integers(0, n)] = True
    deposit = rng.random(n) < 0.3
    return np.where(event, rng.uniform(4.0, 8.0, n), np.where(deposit, 0.1, 0.0))


# (rng, live weeks, demand seasonality as a share of baseline) -> weekly spend multipliers
SpendPattern = Callable[[np.random.Generator, int, np.ndarray], np.ndarray]
SPEND_PATTERNS: dict[str, SpendPattern] = {
    "steady": _steady,
    "steady_seasonal": _steady_seasonal,
    "campaigns": _campaigns,
    "flighted": _flighted,
    "quarterly": _quarterly,
    "sporadic": _sporadic,
}


@dataclass(frozen=True, eq=False)
class _ChannelSpend:
    """Daily amounts of one channel on the calendar grid; ``rows`` marks the days reported."""

    spend: np.ndarray
    platform: np.ndarray
    impressions: np.ndarray  # NaN where the channel reports none
    rows: np.ndarray

    @property
    def weekly(self) -> np.ndarray:
        return self.spend.sum(axis=1)


def _one_weekday_run(rng: np.random.Generator, n_weeks: int) -> np.ndarray:
    """Per week, a run of 1–3 consecutive weekdays: the days an event (or its deposit) is paid."""
    length = rng.integers(1, 4, n_weeks)
    first = rng.integers(0, 6 - length)
    weekday = np.arange(DAYS_PER_WEEK)
    return (weekday >= first[:, None]) & (weekday < (first + length)[:, None])


def _channel_spend(
    rng: np.random.Generator,
    spec: ChannelSpec,
    scale: float,
    season: np.ndarray,
    live_from: int,
    calendar: _Calendar,
) -> _ChannelSpend:
    """Weekly plan from the channel's pattern, spread over days, with platform figures."""
    n = calendar.n_weeks
    pattern = SPEND_PATTERNS[spec.pattern](rng, n - live_from, season[live_from:])
    plan = np.zeros(n)
    mean_spend = spec.weekly_spend * scale * rng.lognormal(0.0, MIX_JITTER_SD)
    plan[live_from:] = mean_spend * pattern / pattern[: calendar.n_complete - live_from].mean()

    weights = np.tile(spec.day_weights, (n, 1)) * rng.lognormal(0.0, DAY_NOISE_SD, (n, DAYS_PER_WEEK))
    if spec.pattern == "sporadic":
        weights *= _one_weekday_run(rng, n)
    weights[plan == 0] = 0.0
    rows = weights > 0
    rows[live_from:, 0] |= plan[live_from:] == 0  # a live but dark week still reports a zero row
    rows &= calendar.observed
    totals = weights.sum(axis=1, keepdims=True)
    share = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    spend = np.round(plan[:, None] * share, 2) * rows

    impressions = np.full(spend.shape, np.nan)
    if spec.cpm is not None:
        noise = rng.lognormal(0.0, IMPRESSION_NOISE_SD, spend.shape)
        impressions = np.round(spend / spec.cpm * 1000.0 * noise)
    platform = np.round(spend * (1.0 + rng.uniform(-PLATFORM_GAP, PLATFORM_GAP, spend.shape)), 2)
    return _ChannelSpend(spend, platform, impressions, rows)


# --- the true model -------------------------------------------------------------------------


def _fourier_basis(week_starts: np.ndarray) -> np.ndarray:
    """Columns sin_1, cos_1, sin_2, cos_2 of the yearly seasonality at each week's Monday."""
    angle = 2.0 * np.pi * week_starts.astype(np.int64) / DAYS_PER_YEAR
    return np.column_stack([f(k * angle) for k in (1, 2) for f in (np.sin, np.cos)])


def _controls(rng: np.random.Generator, calendar: _Calendar) -> dict[str, np.ndarray]:
    """Daily promo calendar, competitor index and product-launch flag on the (week, day) grid."""
    n_days = calendar.n_weeks * DAYS_PER_WEEK
    promo = np.zeros(n_days)
    for quarter in range(0, n_days, DAYS_PER_QUARTER):
        for _ in range(int(rng.integers(2, 5))):
            first = quarter + int(rng.integers(0, DAYS_PER_QUARTER))
            promo[first : first + int(rng.integers(3, 11))] = 1.0
    shocks = rng.normal(0.0, COMPETITOR_SHOCK_SD, n_days)
    shocks[0] /= np.sqrt(1.0 - COMPETITOR_PHI**2)  # start in the stationary distribution
    competitor = np.round(COMPETITOR_MEAN + lfilter([1.0], [1.0, -COMPETITOR_PHI], shocks), 2)
    launch_day = round(LAUNCH_AT * calendar.n_complete * DAYS_PER_WEEK) + int(rng.integers(0, LAUNCH_STAGGER_DAYS))
    launch = (np.arange(n_days) >= launch_day).astype(float)
    daily = {"promo": promo, "competitor_index": competitor, "product_launch": launch}
    return {name: values.reshape(calendar.n_weeks, DAYS_PER_WEEK) for name, values in daily.items()}


@dataclass(frozen=True, eq=False)
class _ChannelTruth:
    """One channel's true curve and its weekly contribution over all weeks."""

    beta: float
    half_saturation: float
    slope: float
    theta: float
    max_lag: int
    contribution: np.ndarray


def _channel_truth(
    rng: np.random.Generator, spec: ChannelSpec, weekly_spend: np.ndarray, n_complete: int
) -> _ChannelTruth:
    """Draw the channel's curve: K near its mean weekly spend once live, ROI near the spec's."""
    theta = round(float(np.clip(spec.theta + rng.normal(0.0, THETA_JITTER_SD), *THETA_RANGE)), 6)
    slope = round(float(np.clip(spec.slope * rng.lognormal(0.0, SLOPE_JITTER_SD), *SLOPE_RANGE)), 6)
    max_lag = spec.max_lag or DEFAULT_MAX_LAG
    adstocked = geometric_adstock(weekly_spend, theta, max_lag)
    live_history = adstocked[:n_complete][weekly_spend[:n_complete].cumsum() > 0]
    half_saturation = round(float(live_history.mean()) * rng.uniform(*HALF_SATURATION_JITTER), 2)
    response = hill(adstocked, half_saturation, slope)
    roi = spec.roi * rng.lognormal(0.0, ROI_JITTER_SD)
    beta = round(float(roi * weekly_spend[:n_complete].sum() / response[:n_complete].sum()), 2)
    return _ChannelTruth(beta, half_saturation, slope, theta, max_lag, beta * response)


@dataclass(frozen=True, eq=False)
class _Baseline:
    """Everything but media: parameters in revenue per week and the weekly baseline itself."""

    intercept: float
    trend_per_week: float
    fourier: np.ndarray
    controls: dict[str, float]
    noise_sd: float
    weekly: np.ndarray


def _baseline(
    rng: np.random.Generator,
    calendar: _Calendar,
    basis: np.ndarray,
    season_share: np.ndarray,
    controls: dict[str, np.ndarray],
    media_mean: float,
) -> _Baseline:
    """Size the baseline so media is a plausible share of revenue; its mean over history is the level."""
    share = rng.uniform(*MEDIA_SHARE)
    level = media_mean * (1.0 - share) / share
    trend = round(level * rng.uniform(*TREND_PER_WEEK), 2)
    fourier = np.round(level * season_share, 2)
    gamma = {name: round(level * effect, 2) for name, effect in CONTROL_EFFECTS.items()}
    varying = (
        trend * np.arange(calendar.n_weeks)
        + basis @ fourier
        + sum(gamma[name] * controls[name].mean(axis=1) for name in gamma)
    )
    intercept = round(level - float(varying[: calendar.n_complete].mean()), 2)
    noise_sd = round(NOISE_SHARE * (level + media_mean), 2)
    return _Baseline(intercept, trend, fourier, gamma, noise_sd, intercept + varying)


def _attributed(
    rng: np.random.Generator, calendar: _Calendar, channels: Sequence[ChannelSpec], curves: dict[str, _ChannelTruth]
) -> dict[str, np.ndarray]:
    """Daily revenue the attribution system credits: true contribution × the channel's bias × monthly noise."""
    months = calendar.days.astype("datetime64[M]")
    month_index = np.unique(months.ravel(), return_inverse=True)[1].reshape(months.shape)
    return {
        c.name: curves[c.name].contribution[:, None]
        / DAYS_PER_WEEK
        * c.attribution_bias
        * rng.lognormal(0.0, ATTRIBUTION_NOISE_SD, month_index.max() + 1)[month_index]
        for c in channels
    }


@dataclass(frozen=True, eq=False)
class _Segment:
    """One segment's daily long frames and its ground truth."""

    channel_spend: pd.DataFrame
    platform_spend: pd.DataFrame
    outcomes: pd.DataFrame
    controls: pd.DataFrame
    attribution: pd.DataFrame  # daily attributed revenue; months are summed later
    truth: dict


def _segment_id(index: int) -> str:
    return SEGMENT_NAMES[index] if index < len(SEGMENT_NAMES) else f"segment_{index + 1:03d}"


def _segment(
    rng: np.random.Generator,
    index: int,
    calendar: _Calendar,
    channels: Sequence[ChannelSpec],
    live_from: dict[str, int],
) -> _Segment:
    """Spend, controls, the true revenue decomposition and the biased attribution of one segment."""
    segment_id = _segment_id(index)
    scale = SEGMENT_SCALES[index] if index < len(SEGMENT_SCALES) else rng.uniform(*EXTRA_SEGMENT_SCALE)
    n, n_complete = calendar.n_weeks, calendar.n_complete
    basis = _fourier_basis(calendar.week_starts)
    season_share = rng.normal(0.0, SEASON_SD)
    season = basis @ season_share

    spends = {c.name: _channel_spend(rng, c, scale, season, live_from[c.name], calendar) for c in channels}
    curves = {c.name: _channel_truth(rng, c, spends[c.name].weekly, n_complete) for c in channels}
    media = sum(curve.contribution for curve in curves.values())
    controls = _controls(rng, calendar)

    base = _baseline(rng, calendar, basis, season_share, controls, float(media[:n_complete].mean()))
    weekly_revenue = base.weekly + media + rng.normal(0.0, base.noise_sd, n)

    days, observed = calendar.days, calendar.observed
    day_weights = np.array(REVENUE_DAY_WEIGHTS) * rng.lognormal(0.0, DAY_NOISE_SD, (n, DAYS_PER_WEEK))
    revenue = np.round(weekly_revenue[:, None] * day_weights / day_weights.sum(axis=1, keepdims=True), 2) * observed
    attributed = _attributed(rng, calendar, channels, curves)

    truth = {
        "intercept": base.intercept,
        "trend_per_week": base.trend_per_week,
        "fourier": {
            "period_days": DAYS_PER_YEAR,
            "origin": EPOCH,
            "coefficients": dict(zip(FOURIER_TERMS, map(float, base.fourier), strict=True)),
        },
        "controls": base.controls,
        "noise_sd": base.noise_sd,
        **_channel_and_weekly_truth(calendar, spends, curves, revenue.sum(axis=1), base.weekly, live_from),
    }
    return _Segment(
        channel_spend=pd.concat(
            _long(days, s.rows, segment_id, channel=name, spend=s.spend, impressions=s.impressions)
            for name, s in spends.items()
        ).astype({"impressions": "Int64"}),
        platform_spend=pd.concat(
            _long(days, s.rows, segment_id, channel=name, platform_spend=s.platform) for name, s in spends.items()
        ),
        outcomes=_long(days, observed, segment_id, **{KPI: revenue}),
        controls=pd.concat(
            _long(days, observed, segment_id, control=name, value=values) for name, values in controls.items()
        ),
        attribution=pd.concat(
            _long(days, observed & (values > 0), segment_id, channel=name, value=values)
            for name, values in attributed.items()
        ),
        truth=truth,
    )


def _channel_and_weekly_truth(
    calendar: _Calendar,
    spends: dict[str, _ChannelSpend],
    curves: dict[str, _ChannelTruth],
    revenue: np.ndarray,
    baseline: np.ndarray,
    live_from: dict[str, int],
) -> dict:
    """Per-channel parameters and totals, and the weekly decomposition of the complete weeks."""
    n = calendar.n_complete
    channel_truth = {}
    for name, curve in curves.items():
        spend = round(float(spends[name].weekly[:n].sum()), 2)
        contribution = round(float(curve.contribution[:n].sum()), 2)
        channel_truth[name] = {
            "beta": curve.beta,
            "half_saturation": curve.half_saturation,
            "slope": curve.slope,
            "theta": curve.theta,
            "max_lag": curve.max_lag,
            "live_since": (calendar.start + timedelta(weeks=live_from[name])).isoformat(),
            "total_spend": spend,
            "contribution": contribution,
            "roi": round(contribution / spend, 4),
        }
    weekly = [
        {
            "week_start": str(calendar.week_starts[t]),
            "revenue": round(float(revenue[t]), 2),
            "baseline": round(float(baseline[t]), 2),
            "media": {name: round(float(curve.contribution[t]), 2) for name, curve in curves.items()},
        }
        for t in range(n)
    ]
    return {"channels": channel_truth, "weekly": weekly}


def _long(days: np.ndarray, rows: np.ndarray, segment_id: str, **columns: object) -> pd.DataFrame:
    """Long rows for the marked days of the grid; arrays become value columns, scalars are repeated."""
    mask = rows.ravel()
    frame = {"date": days.ravel()[mask].astype("datetime64[ns]"), "segment_id": segment_id}
    for name, value in columns.items():
        frame[name] = value.ravel()[mask] if isinstance(value, np.ndarray) else value
    return pd.DataFrame(frame)


# --- assembly -------------------------------------------------------------------------------

# Dated tables: their keys besides the date, and how daily rows become weekly ones.
_DATED_TABLES = {
    "channel_spend": (("segment_id", "channel"), "sum"),
    "platform_spend": (("segment_id", "channel"), "sum"),
    "outcomes": (("segment_id",), "sum"),
    "controls": (("segment_id", "control"), "mean"),
}


def _registry(
    rng: np.random.Generator, channels: Sequence[ChannelSpec], segments: list[_Segment], live_since: dict[str, date]
) -> pd.DataFrame:
    """The channel registry; ROI priors sit near (never on) the true ROI averaged over segments, as many
    above it as below (a registry from past experiments is off per channel, not biased overall)."""
    true_roi = np.array([np.mean([s.truth["channels"][c.name]["roi"] for s in segments]) for c in channels])
    signs = rng.permutation(np.resize([1.0, -1.0], len(channels)))
    miss = rng.uniform(*PRIOR_MISS, len(channels)) * signs
    prior_mean = np.round(true_roi * np.exp(miss), 2)
    return pd.DataFrame(
        {
            "channel": [c.name for c in channels],
            "display_name": [c.display_name for c in channels],
            "channel_group": [c.group for c in channels],
            "live_since": pd.to_datetime([live_since[c.name] for c in channels]),
            "is_primary": [c.is_primary for c in channels],
            "roi_prior_mean": prior_mean,
            "roi_prior_sd": np.round(PRIOR_SD_RATIO * prior_mean, 2),
            "adstock_max_lag": pd.array([c.max_lag for c in channels], dtype="Int64"),
        }
    )


def _monthly_attribution(daily: pd.DataFrame, last_day: date) -> pd.DataFrame:
    """Sum daily attributed revenue to calendar months (dated the first of the month)."""
    kept = daily[daily["date"] <= pd.Timestamp(last_day)]
    month = kept["date"].dt.to_period("M").dt.start_time.rename("month")
    totals = kept.groupby([month, "segment_id", "channel"], sort=True)["value"].sum().round(2)
    return totals.rename("attributed_revenue").reset_index()


def _to_weekly(frame: pd.DataFrame, keys: tuple[str, ...], before: date, how: str) -> pd.DataFrame:
    """Aggregate daily rows of the complete weeks to one row per ISO week, dated on the Monday."""
    complete = frame[frame["date"] < pd.Timestamp(before)]
    monday = complete["date"] - pd.to_timedelta(complete["date"].dt.weekday, unit="D")
    grouped = complete.assign(date=monday).groupby(["date", *keys], sort=True)
    out = grouped.sum(min_count=1) if how == "sum" else grouped.mean()
    return out.round(2 if how == "sum" else 6).reset_index()


def _check_arguments(
    n_segments: int, n_weeks: int, channels: Sequence[ChannelSpec], deferred_channel: str | None, deferred_weeks: int
) -> None:
    """Refuse arguments that cannot give a sensible history."""
    if n_segments < 1:
        raise ValueError(f"n_segments must be at least 1, got {n_segments}")
    if n_weeks < MIN_WEEKS:
        raise ValueError(f"n_weeks must be at least {MIN_WEEKS}, got {n_weeks}")
    names = [c.name for c in channels]
    if not names or len(set(names)) != len(names):
        raise ValueError(f"channels must be non-empty with unique names, got {names}")
    unknown = sorted({c.pattern for c in channels} - set(SPEND_PATTERNS))
    if unknown:
        raise ValueError(f"unknown spend pattern(s) {unknown}; known: {sorted(SPEND_PATTERNS)}")
    if deferred_channel is not None:
        if deferred_channel not in names:
            raise ValueError(f"deferred_channel {deferred_channel!r} is not one of {names}")
        if not 1 <= deferred_weeks < n_weeks:
            raise ValueError(f"deferred_weeks must be in [1, n_weeks), got {deferred_weeks}")


def generate_demo(
    n_segments: int = DEFAULT_SEGMENTS,
    n_weeks: int = DEFAULT_WEEKS,
    seed: int = DEFAULT_SEED,
    end_date: date = DEFAULT_END_DATE,
    channels: Sequence[ChannelSpec] = DEFAULT_CHANNELS,
    deferred_channel: str | None = "podcast",
    deferred_weeks: int = 8,
    daily: bool = True,
) -> DemoData:
    """Generate the raw tables and their ground truth.

    ``n_weeks`` complete ISO weeks end on the Sunday before ``end_date``'s week. Daily mode adds the
    days of that week up to ``end_date`` (an incomplete week the pipeline must drop); weekly mode
    has one row per complete week dated on its Monday. The deferred channel goes live on the Monday
    ``deferred_weeks`` weeks before the last complete week ends. ``truth["end_date"]`` is the last
    day with data. Each segment draws from its own stream of ``seed``, so adding segments leaves the
    earlier ones unchanged.
    """
    _check_arguments(n_segments, n_weeks, channels, deferred_channel, deferred_weeks)
    calendar = _Calendar.ending(end_date, n_weeks)
    live_from = {c.name: n_weeks - deferred_weeks if c.name == deferred_channel else 0 for c in channels}
    live_since = {name: calendar.start + timedelta(weeks=week) for name, week in live_from.items()}
    registry_seed, *segment_seeds = np.random.SeedSequence(seed).spawn(n_segments + 1)
    segments = [
        _segment(np.random.default_rng(seq), i, calendar, channels, live_from) for i, seq in enumerate(segment_seeds)
    ]
    last_day = end_date if daily else calendar.current_week_start - timedelta(days=1)

    dated = {}
    for name, (keys, how) in _DATED_TABLES.items():
        frame = pd.concat([getattr(s, name) for s in segments])
        if not daily:
            frame = _to_weekly(frame, keys, calendar.current_week_start, how)
        dated[name] = frame.sort_values(["date", *keys], kind="stable").reset_index(drop=True)
    truth = {
        "seed": seed,
        "start_date": calendar.start.isoformat(),
        "end_date": last_day.isoformat(),
        "last_complete_week_start": (calendar.current_week_start - timedelta(weeks=1)).isoformat(),
        "n_complete_weeks": n_weeks,
        "granularity": "daily" if daily else "weekly",
        "kpi": KPI,
        "adstock": "geometric_normalised",
        "deferred_channel": deferred_channel,
        "attribution_bias": {c.name: c.attribution_bias for c in channels},
        "segments": {_segment_id(i): s.truth for i, s in enumerate(segments)},
    }
    experiments, truth["experiments"] = _experiments(segments, calendar, channels, seed)
    return DemoData(
        channel_registry=_registry(np.random.default_rng(registry_seed), channels, segments, live_since),
        **dated,
        attribution=_monthly_attribution(pd.concat([s.attribution for s in segments]), last_day),
        reallocation_proposals=_proposals(n_segments, [c.name for c in channels], last_day),
        experiments=experiments,
        truth=truth,
    )


def _weekly_spend(segment: _Segment, calendar: _Calendar, names: list[str]) -> np.ndarray:
    """(complete weeks, channels) weekly spend of one segment."""
    spend = segment.channel_spend
    week = (spend["date"] - pd.Timestamp(calendar.start)).dt.days // DAYS_PER_WEEK
    kept = spend.assign(week=week)[week < calendar.n_complete]
    table = kept.pivot_table(index="week", columns="channel", values="spend", aggfunc="sum")
    return table.reindex(index=range(calendar.n_complete), columns=names).fillna(0.0).to_numpy()


def _experiments(
    segments: list[_Segment], calendar: _Calendar, channels: Sequence[ChannelSpec], seed: int
) -> tuple[pd.DataFrame, list[dict]]:
    """Two lift tests on the least identified channels (identification_scores against intercept, trend,
    the yearly seasonality and the other channels): the measured rows and their true lifts. The noise has
    its own stream, so the other tables do not change."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(EXPERIMENT_STREAM,)))
    names = [c.name for c in channels]
    n = calendar.n_complete
    others = np.column_stack([np.ones(n), np.arange(n), _fourier_basis(calendar.week_starts[:n])])
    rows, truths = [], []
    for rank, (start, move, method) in enumerate(
        zip(EXPERIMENT_STARTS, EXPERIMENT_MOVES, EXPERIMENT_METHODS, strict=True)
    ):
        index = min(rank, len(segments) - 1)
        spend = _weekly_spend(segments[index], calendar, names)
        channel = names[least_identified(spend, others)[rank % len(names)]]
        first = max(n - start, 0)
        baseline = round(float(spend[max(first - BASELINE_WEEKS, 0) : max(first, 1), names.index(channel)].mean()), 2)
        plan = ExperimentPlan(
            f"exp_{rank + 1:03d}",
            _segment_id(index),
            channel,
            calendar.start + timedelta(weeks=first),
            EXPERIMENT_WEEKS,
            baseline,
            round(baseline * move, 2),
            method,
        )
        curve = segments[index].truth["channels"][channel]
        lift = round(
            float(
                steady_state_lift(
                    curve["beta"], curve["half_saturation"], curve["slope"], baseline, plan.test_weekly_spend
                )
            ),
            2,
        )
        rows.append(experiment_row(plan, lift, rng))
        truths.append(
            {
                **{
                    key: str(value.date()) if isinstance(value, pd.Timestamp) else value
                    for key, value in rows[-1].items()
                },
                "true_lift_weekly": lift,
            }
        )
    return pd.DataFrame(rows, columns=list(EXPERIMENT_COLUMNS)), truths


def _proposals(n_segments: int, channels: list[str], last_day: date) -> pd.DataFrame:
    """Two planner proposals (no randomness): one above the default alert threshold, one below it."""
    wanted = [(0, "display", "paid_search", 15_000.0, "performance lead"), (1, "ooh", "tv", 4_000.0, "brand lead")]
    rows = [
        {
            "date": last_day,
            "segment_id": _segment_id(i),
            "channel_from": src,
            "channel_to": dst,
            "weekly_amount": amount,
            "proposed_by": who,
        }
        for i, src, dst, amount, who in wanted
        if i < n_segments and src in channels and dst in channels
    ]
    return pd.DataFrame(
        rows, columns=["date", "segment_id", "channel_from", "channel_to", "weekly_amount", "proposed_by"]
    )


# --- files ----------------------------------------------------------------------------------


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """ISO dates, true/false booleans, empty cells for nulls."""
    text = frame.copy()
    for name in text.columns:
        if pd.api.types.is_bool_dtype(text[name]):
            text[name] = text[name].map({True: "true", False: "false"})
    text.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")


def write_demo(data: DemoData, out_dir: Path) -> list[Path]:
    """Write ``<table>.csv`` for each raw table and the truth as ``_ground_truth.json``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in data.tables.items():
        path = out_dir / f"{name}.csv"
        _write_csv(frame, path)
        written.append(path)
    truth_path = out_dir / TRUTH_FILE
    truth_path.write_text(json.dumps(data.truth, indent=1) + "\n")
    return [*written, truth_path]
