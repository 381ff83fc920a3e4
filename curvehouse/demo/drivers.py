"""A small raw folder with every driver kind and the truth behind it, for end-to-end tests.

Two segments, ``weeks`` complete ISO weeks of weekly spend and outcome rows (Mondays), and:

* three paid channels: ``search`` and ``tv`` driven by spend, ``social`` exposure-driven (its
  adstock and saturation act on impressions; the cost per impression drifts week to week, so
  impressions are not a fixed multiple of spend);
* one organic channel, ``email``, with daily sends (weekday rows, summed to the week);
* one non-media treatment, ``price``, a price index reported on Mondays and Thursdays (the week's
  value is the mean of the two).

Per segment and week ``t``::

    revenue_t = intercept + trend·t + season_t + Σ_m beta_m · Hill(Adstock(x_m)_t; K_m, S_m)
                + price_effect · (price_t - 1) + Normal(0, noise_sd)

where ``x_m`` is weekly spend (search, tv), weekly impressions (social) or weekly sends (email).
The truth (ROI per paid channel, contribution shares, the treatment effect, each curve's beta
and half saturation in its own unit: spend, impressions or sends) is computed over every week on
the weekly values the files sum or average to (the whole fit window under the default
var window_weeks), so it is what a correct pipeline should recover.
The default demo (curvehouse.demo.generate) is untouched; this fixture has its own seed and names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from curvehouse.demo._curves import geometric_adstock, hill

__all__ = ["DriverFixture", "driver_model_input", "generate_driver_fixture", "write_driver_fixture"]

TRUTH_FILE = "_ground_truth.json"
SEGMENTS = (("north", 1.0), ("south", 0.6))
LAST_WEEK = date(2026, 11, 9)  # the last complete week before the e2e tests' as-of date 2026-11-22
MAX_LAG = 6
PRICE_DAYS = (0, 3)  # Monday, Thursday
EMAIL_DAYS = 5  # weekday sends
NOISE_SHARE = 0.02  # noise sd relative to the intercept


@dataclass(frozen=True)
class _Driver:
    """One driver's truth: its kind, the weekly values it acts on and its transform."""

    name: str
    display_name: str
    group: str
    kind: str
    unit: str | None
    weekly_mean: float  # weekly spend (paid) or volume (organic) around which the series moves
    theta: float
    half_saturation: float  # as a multiple of the series' mean
    slope: float
    beta_share: float  # beta as a share of the intercept


_MEDIA = (
    _Driver("search", "Paid Search", "performance", "paid", None, 20_000.0, 0.2, 0.9, 1.2, 0.35),
    _Driver("tv", "Television", "brand", "paid", None, 50_000.0, 0.6, 1.1, 1.8, 0.45),
    _Driver("social", "Paid Social", "performance", "paid", "impressions", 15_000.0, 0.35, 1.0, 1.4, 0.3),
    _Driver("email", "Email", "performance", "organic", "sends", 200_000.0, 0.3, 1.0, 1.0, 0.2),
)
_PRICE_EFFECT_SHARE = -1.5  # revenue per unit of the price index above 1, as a share of the intercept
_INTERCEPT = 400_000.0
_CPM = 8.0  # social's mean cost per thousand impressions


@dataclass(frozen=True, eq=False)
class DriverFixture:
    """The raw tables (as written) and the truth behind them."""

    tables: dict[str, pd.DataFrame]
    truth: dict


def _series(rng: np.random.Generator, n: int, mean: float, on_share: float = 0.85) -> np.ndarray:
    """A positive weekly series around ``mean`` with yearly seasonality and some dark weeks."""
    t = np.arange(n)
    season = 1.0 + 0.3 * np.sin(2 * np.pi * t / 52.0 + rng.uniform(0, 2 * np.pi))
    level = mean * season * rng.lognormal(0.0, 0.35, n)
    return np.round(level * (rng.uniform(size=n) < on_share), 2)


def _segment(rng: np.random.Generator, scale: float, n: int) -> tuple[dict, dict]:
    """One segment's weekly driver values, outcome and truth."""
    intercept = _INTERCEPT * scale
    values: dict[str, np.ndarray] = {}
    effects: dict[str, np.ndarray] = {}
    curves: dict[str, dict[str, float]] = {}
    spend: dict[str, np.ndarray] = {}
    for driver in _MEDIA:
        x = _series(rng, n, driver.weekly_mean * scale, on_share=1.0 if driver.kind == "organic" else 0.85)
        if driver.kind == "paid":
            spend[driver.name] = x
        if driver.name == "social":
            x = np.round(x / (_CPM * rng.lognormal(0.0, 0.4, n)) * 1000.0)
        if driver.kind == "organic":
            x = np.round(x)
        values[driver.unit or driver.name] = x
        carried = geometric_adstock(x, driver.theta, MAX_LAG)
        half = driver.half_saturation * x[x > 0].mean()
        curves[driver.name] = {"beta": driver.beta_share * intercept, "half_saturation": float(half)}
        effects[driver.name] = curves[driver.name]["beta"] * hill(carried, half, driver.slope)
    price = np.round(1.0 + 0.05 * np.sin(2 * np.pi * np.arange(n) / 26.0) + rng.normal(0.0, 0.02, n), 4)
    values["price"] = price
    price_effect = _PRICE_EFFECT_SHARE * intercept
    effects["price"] = price_effect * (price - 1.0)
    t = np.arange(n)
    baseline = intercept * (1.0 + 0.001 * t + 0.08 * np.sin(2 * np.pi * t / 52.0))
    outcome = baseline + sum(effects.values()) + rng.normal(0.0, NOISE_SHARE * intercept, n)
    outcome = np.round(outcome, 2)
    total = outcome.sum()
    truth = {
        "intercept": intercept,
        "channels": {
            d.name: {
                "kind": d.kind,
                "unit": "spend" if d.kind == "paid" and d.name != "social" else d.unit,
                "theta": d.theta,
                "slope": d.slope,
                **curves[d.name],  # beta (outcome per week at full saturation), half_saturation in `unit`
                "contribution": float(effects[d.name].sum()),
                "contribution_share": float(effects[d.name].sum() / total),
                **({"roi": float(effects[d.name].sum() / spend[d.name].sum())} if d.kind == "paid" else {}),
            }
            for d in _MEDIA
        },
        "treatments": {
            "price": {
                "unit": "index",
                "effect_per_unit": price_effect,
                "contribution": float(effects["price"].sum()),
            }
        },
        "social_cost_per_impression": float(spend["social"].sum() / values["impressions"].sum()),
    }
    return {"values": values, "spend": spend, "outcome": outcome}, truth


def generate_driver_fixture(weeks: int = 104, seed: int = 18) -> DriverFixture:
    """The raw tables of the driver fixture (weekly spend and outcomes, daily activity) and its truth."""
    rng = np.random.default_rng(seed)
    starts = pd.date_range(end=pd.Timestamp(LAST_WEEK), periods=weeks, freq="W-MON")
    spend_rows, outcome_rows, activity_rows = [], [], []
    truth: dict = {"weeks": weeks, "first_week": starts[0].date().isoformat(), "segments": {}}
    for segment, scale in SEGMENTS:
        data, segment_truth = _segment(rng, scale, weeks)
        truth["segments"][segment] = segment_truth
        for i, week in enumerate(starts):
            for channel, series in data["spend"].items():
                impressions = data["values"]["impressions"][i] if channel == "social" else None
                spend_rows.append((week, segment, channel, series[i], impressions))
            outcome_rows.append((week, segment, data["outcome"][i]))
            sends = data["values"]["sends"][i]
            daily = np.floor(np.full(EMAIL_DAYS, sends / EMAIL_DAYS))
            daily[0] += sends - daily.sum()
            activity_rows += [(week + timedelta(days=d), segment, "email", daily[d]) for d in range(EMAIL_DAYS)]
            price = data["values"]["price"][i]
            activity_rows += [
                (week + timedelta(days=d), segment, "price", round(price + step, 4))
                for d, step in zip(PRICE_DAYS, (0.01, -0.01), strict=True)
            ]
    spend = pd.DataFrame(spend_rows, columns=["date", "segment_id", "channel", "spend", "impressions"])
    registry = pd.DataFrame(
        {
            "channel": [d.name for d in _MEDIA] + ["price"],
            "display_name": [d.display_name for d in _MEDIA] + ["Price index"],
            "channel_group": [d.group for d in _MEDIA] + ["brand"],
            "live_since": [starts[0]] * (len(_MEDIA) + 1),
            "is_primary": [True, True, False, False, False],
            "roi_prior_mean": [_mean_truth(truth, c, "roi") for c in ("search", "tv", "social")] + [None, None],
            "roi_prior_sd": [round(0.5 * _mean_truth(truth, c, "roi"), 3) for c in ("search", "tv", "social")]
            + [None, None],
            "adstock_max_lag": [MAX_LAG] * (len(_MEDIA) + 1),
            "channel_kind": ["paid", "paid", "paid", "organic", "non_media"],
            "unit": [None, None, None, "sends", "index"],
            "exposure_driven": [False, False, True, False, False],
            "contribution_share_prior_mean": [
                None,
                None,
                None,
                _mean_truth(truth, "email", "contribution_share"),
                None,
            ],
            "contribution_share_prior_sd": [None, None, None, 0.05, None],
        }
    )
    tables = {
        "channel_registry": registry,
        "channel_spend": spend,
        "platform_spend": spend[["date", "segment_id", "channel"]].assign(platform_spend=spend["spend"]),
        "outcomes": pd.DataFrame(outcome_rows, columns=["date", "segment_id", "revenue"]),
        "channel_activity": pd.DataFrame(activity_rows, columns=["date", "segment_id", "channel", "value"]),
    }
    return DriverFixture(tables, truth)


def _mean_truth(truth: dict, channel: str, field: str) -> float:
    """A channel's true value averaged over segments, rounded (a prior centred near the truth)."""
    return round(float(np.mean([s["channels"][channel][field] for s in truth["segments"].values()])), 3)


def write_driver_fixture(out_dir: str | Path, weeks: int = 104, seed: int = 18) -> dict:
    """Write the fixture's raw tables as CSVs and its truth as ``_ground_truth.json``; return the truth."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fixture = generate_driver_fixture(weeks, seed)
    for name, frame in fixture.tables.items():
        frame.to_csv(out / f"{name}.csv", index=False, date_format="%Y-%m-%d", lineterminator="\n")
    (out / TRUTH_FILE).write_text(json.dumps(fixture.truth, indent=1) + "\n")
    return fixture.truth


def driver_model_input(fixture: DriverFixture, fourier_order: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The fixture's long model input and registry, aggregated as the SQL spine does (no gaps, no holidays).

    Outcome, spend of the paid channels, Fourier controls, and the driver rows: ``organic`` (weekly
    sum of the sends), ``treatment`` (weekly mean of the price index) and ``impressions`` (weekly
    impressions of the exposure-driven channel), so benches and unit tests fit on the same frame
    int_model_input_weekly holds.
    """
    from curvehouse.bench import LONG_COLUMNS, long_model_input  # the demo spine's builder; bench imports the demo

    tables = fixture.tables
    weekly = tables["channel_spend"].assign(week_start=pd.to_datetime(tables["channel_spend"]["date"]))
    outcome = tables["outcomes"].assign(
        week_start=pd.to_datetime(tables["outcomes"]["date"]), value=lambda f: f["revenue"]
    )
    spend = weekly.assign(variable_name=weekly["channel"], value=weekly["spend"])
    activity = tables["channel_activity"].assign(date=pd.to_datetime(tables["channel_activity"]["date"]))
    activity["week_start"] = activity["date"] - pd.to_timedelta(activity["date"].dt.weekday, unit="D")
    kinds = dict(zip(tables["channel_registry"]["channel"], tables["channel_registry"]["channel_kind"], strict=True))
    grouped = activity.groupby(["segment_id", "week_start", "channel"], sort=True)["value"]
    drivers = pd.concat([grouped.sum().rename("sum"), grouped.mean().rename("mean")], axis=1).reset_index()
    organic = drivers["channel"].map(kinds).eq("organic")
    drivers = drivers.assign(
        variable_kind=np.where(organic, "organic", "treatment"),
        variable_name=drivers["channel"],
        value=np.where(organic, drivers["sum"], drivers["mean"]),
    )
    exposure = set(tables["channel_registry"].loc[tables["channel_registry"]["exposure_driven"], "channel"])
    impressions = weekly[weekly["channel"].isin(exposure)]
    impressions = impressions.assign(
        variable_kind="impressions",
        variable_name=impressions["channel"],
        value=impressions["impressions"].astype(float),
    )
    frame = pd.concat(
        [
            long_model_input(outcome, spend, spend.iloc[:0], fourier_order),
            drivers[LONG_COLUMNS],
            impressions[LONG_COLUMNS],
        ],
        ignore_index=True,
    )
    return frame.sort_values(LONG_COLUMNS[:4], kind="stable").reset_index(drop=True), tables["channel_registry"]
