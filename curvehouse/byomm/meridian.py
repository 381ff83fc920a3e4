"""Read a Google Meridian export folder (Analyzer outputs of Meridian 2.x as CSV) into ModelCurves.

The folder holds, as exported:

- ``response_curves.csv`` (``Analyzer.response_curves()``): channel, spend, spend_multiplier,
  mean, ci_lo, ci_hi. Each point scales every historical week's spend by spend_multiplier; spend
  and incremental outcome are **totals over the n_times modelled weeks** (at multiplier 1 the
  spend equals summary_metrics' spend, which is checked). Dividing both by n_times gives average
  weekly spend and weekly response. Meridian's geometric adstock is normalised, so a sustained
  weekly spend s adstocks to s, and a Hill curve fitted by least squares to those weekly points
  is the curve in our convention (the fit absorbs the small difference between scaling a varying
  spend pattern and holding spend flat; ``extras['fit_max_relative_error']`` says how small).
  The ci_lo / ci_hi curves are fitted the same way; with confidence_level 0.9 they give the
  ``_p05`` / ``_p95`` parameters (the range the three fitted curves span: pointwise interval
  curves bound the curve, they are not exact parameter quantiles).
- ``summary_metrics.csv`` (``Analyzer.summary_metrics()``): per channel x metric (mean, median,
  ci_lo, ci_hi) x distribution (prior, posterior): spend, impressions, incremental_outcome,
  pct_of_contribution, ... Contribution mean and interval come from the posterior rows; total
  outcome is incremental_outcome / pct_of_contribution.
- ``hill_curves.csv`` (``Analyzer.hill_curves()``, optional): its histogram rows give the observed
  weekly media units, turned into the observed weekly spend range at the channel's spend per unit
  (national models only: for geo models the histogram is per geo).
- ``adstock_decay.csv`` (``Analyzer.adstock_decay()``, optional): the posterior mean decay gives
  ``extras['adstock_half_life_weeks']``.
- ``export_info.json``: n_times (required), confidence_level (default 0.9, Meridian's),
  channels, n_geos; optionally model_id (default: the folder name), refreshed_at (default: the
  newest file's modification time), date_range {start, end} (default: the n_times weeks ending
  on the refreshed date), segment_id. Every default taken is recorded in ``warnings``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from curvehouse.byomm import fields
from curvehouse.byomm.hill import HillFit, fit_hill
from curvehouse.byomm.records import ByommRejection, ChannelCurve, ModelCurves

__all__ = ["MARKER_FILES", "REQUIRED_FILES", "FIT_WARNING_ERROR", "is_meridian_folder", "read_meridian"]

RESPONSE_CURVES = "response_curves.csv"
SUMMARY_METRICS = "summary_metrics.csv"
HILL_CURVES = "hill_curves.csv"
ADSTOCK_DECAY = "adstock_decay.csv"
EXPORT_INFO = "export_info.json"
MARKER_FILES = (RESPONSE_CURVES, HILL_CURVES, SUMMARY_METRICS)
REQUIRED_FILES = (RESPONSE_CURVES, SUMMARY_METRICS, EXPORT_INFO)

FIT_WARNING_ERROR = 0.05  # warn when the fitted mean curve misses a Meridian point by more than this
_SPEND_MATCH_TOLERANCE = 0.005
_INTERVAL_LEVEL = 0.9  # the level of _p05 / _p95
_POSTERIOR = "posterior"


@dataclass(frozen=True)
class _ExportInfo:
    n_times: int
    confidence_level: float
    channels: tuple[str, ...] | None
    n_geos: int | None
    model_id: str | None
    refreshed_at: datetime | None
    date_range: tuple[date, date] | None
    segment_id: str | None


def is_meridian_folder(path: Path) -> bool:
    """True when a folder holds any of Meridian's exported curve or summary files."""
    return any((path / name).is_file() for name in MARKER_FILES)


def read_meridian(path: Path) -> ModelCurves:
    """Read a Meridian export folder; raise ByommRejection naming the file, reason and field."""
    missing = [name for name in REQUIRED_FILES if not (path / name).is_file()]
    if missing:
        raise ByommRejection(str(path), f"Meridian export is missing {', '.join(missing)}", missing[0])
    info = _read_export_info(path / EXPORT_INFO)
    response = _read_response_curves(path / RESPONSE_CURVES)
    summary = _read_summary(path / SUMMARY_METRICS)
    channels = tuple(response["channel"].drop_duplicates())
    _check_channels(channels, info, summary, path)
    spend_per_unit = _spend_per_media_unit(summary)
    observed = _observed_weekly_media(path / HILL_CURVES) if info.n_geos in (None, 1) else {}
    half_lives = _adstock_half_lives(path / ADSTOCK_DECAY)

    warnings: list[str] = []
    curves = []
    for channel in channels:
        curve, warning = _channel_curve(
            channel,
            response[response["channel"] == channel],
            summary[summary["channel"] == channel],
            info,
            observed_media=observed.get(channel),
            spend_per_unit=spend_per_unit.get(channel),
            half_life=half_lives.get(channel),
            file=str(path / RESPONSE_CURVES),
        )
        curves.append(curve)
        warnings += [warning] if warning else []

    refreshed_at, date_range, assumed = _refresh_and_dates(info, path)
    warnings += assumed
    if not math.isclose(info.confidence_level, _INTERVAL_LEVEL):
        warnings.append(
            f"confidence_level is {info.confidence_level:g}, not 0.9: _p05/_p95 parameters left empty, "
            "contribution_lower/_upper carry the exported interval"
        )
    model_id = info.model_id or fields.name(path.name, "model_id (the folder name)", str(path))
    return ModelCurves(
        model_id=model_id,
        source="meridian",
        refreshed_at=refreshed_at,
        date_range_start=date_range[0],
        date_range_end=date_range[1],
        total_revenue=_total_outcome(summary),
        channels=tuple(curves),
        source_path=str(path),
        segment_id=info.segment_id,
        warnings=tuple(warnings),
    )


def _refresh_and_dates(info: _ExportInfo, path: Path) -> tuple[datetime, tuple[date, date], list[str]]:
    """refreshed_at and date range from export_info, else assumed (newest file time; n_times weeks ending then)."""
    warnings = []
    refreshed_at = info.refreshed_at
    if refreshed_at is None:
        newest = max(p.stat().st_mtime for p in path.iterdir() if p.is_file())
        refreshed_at = datetime.fromtimestamp(newest, tz=UTC).replace(tzinfo=None, microsecond=0)
        warnings.append(
            f"{EXPORT_INFO} has no refreshed_at: used the newest file's modification time, "
            f"{refreshed_at:%Y-%m-%d %H:%M} UTC"
        )
    date_range = info.date_range
    if date_range is None:
        end = refreshed_at.date()
        date_range = (end - timedelta(days=7 * info.n_times - 1), end)
        warnings.append(
            f"{EXPORT_INFO} has no date_range (Meridian's exports carry no dates): assumed the n_times = "
            f"{info.n_times} weeks ending on the refreshed date, {date_range[0]}..{date_range[1]}"
        )
    return refreshed_at, date_range, warnings


def _channel_curve(
    channel: str,
    points: pd.DataFrame,
    summary: pd.DataFrame,
    info: _ExportInfo,
    observed_media: tuple[float, float] | None,
    spend_per_unit: float | None,
    half_life: float | None,
    file: str,
) -> tuple[ChannelCurve, str | None]:
    """Fit one channel's weekly Hill curves (mean, ci_lo, ci_hi) and attach its posterior summary."""
    points = points.sort_values("spend")
    weekly = points[["spend", "mean", "ci_lo", "ci_hi"]].to_numpy(dtype=float) / info.n_times
    try:
        mean_fit = fit_hill(weekly[:, 0], weekly[:, 1])
    except ValueError as exc:
        raise ByommRejection(file, f"channel {channel}: {exc}", "mean") from None
    posterior = summary[summary["distribution"] == _POSTERIOR].set_index("metric")
    total_spend = float(posterior.loc["mean", "spend"])
    at_one = points.loc[np.isclose(points["spend_multiplier"], 1.0), "spend"]
    if len(at_one) and abs(float(at_one.iloc[0]) - total_spend) > _SPEND_MATCH_TOLERANCE * max(total_spend, 1.0):
        raise ByommRejection(
            file,
            f"channel {channel}: spend at multiplier 1 is {float(at_one.iloc[0]):,.0f} but {SUMMARY_METRICS} says "
            f"{total_spend:,.0f}; the curve and the summary must cover the same weeks",
            "spend",
        )
    bounds = _interval_bounds(mean_fit, weekly, info.confidence_level)
    observed = (
        (observed_media[0] * spend_per_unit, observed_media[1] * spend_per_unit)
        if observed_media and spend_per_unit
        else (None, None)
    )
    extras = {"fit_max_relative_error": mean_fit.max_relative_error}
    if half_life is not None:
        extras["adstock_half_life_weeks"] = half_life
    curve = ChannelCurve(
        channel_name=channel,
        display_name=channel,
        saturation_half_point=mean_fit.saturation_half_point,
        saturation_max=mean_fit.saturation_max,
        hill_slope=mean_fit.hill_slope,
        contribution_mean=float(posterior.loc["mean", "incremental_outcome"]),
        contribution_lower=float(posterior.loc["ci_lo", "incremental_outcome"]),
        contribution_upper=float(posterior.loc["ci_hi", "incremental_outcome"]),
        spend=total_spend,
        **bounds,
        observed_spend_min=observed[0],
        observed_spend_max=observed[1],
        points=tuple((float(s), float(m), float(lo), float(hi)) for s, m, lo, hi in weekly),
        extras=extras,
    )
    warning = None
    if mean_fit.max_relative_error > FIT_WARNING_ERROR:
        warning = (
            f"channel {channel}: the fitted Hill curve misses Meridian's response curve by up to "
            f"{mean_fit.max_relative_error:.1%}"
        )
    return curve, warning


def _interval_bounds(mean_fit: HillFit, weekly: np.ndarray, confidence_level: float) -> dict[str, float | None]:
    """_p05/_p95 of each parameter: the range spanned by the fits to the mean, ci_lo and ci_hi curves."""
    names = ("saturation_half_point", "saturation_max", "hill_slope")
    if not math.isclose(confidence_level, _INTERVAL_LEVEL):
        return {f"{n}_{p}": None for n in names for p in ("p05", "p95")}
    fits = [mean_fit]
    for column in (2, 3):
        try:
            fits.append(fit_hill(weekly[:, 0], weekly[:, column]))
        except ValueError:
            return {f"{n}_{p}": None for n in names for p in ("p05", "p95")}
    bounds: dict[str, float | None] = {}
    for n in names:
        values = [getattr(f, n) for f in fits]
        bounds[f"{n}_p05"], bounds[f"{n}_p95"] = min(values), max(values)
    return bounds


def _read_export_info(path: Path) -> _ExportInfo:
    file = str(path)
    try:
        info = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ByommRejection(file, f"malformed JSON: {exc}") from None
    if not isinstance(info, dict):
        raise ByommRejection(file, "not a JSON object")
    n_times = info.get("n_times")
    if isinstance(n_times, bool) or not isinstance(n_times, int) or n_times <= 0:
        raise ByommRejection(
            file, f"n_times must be a positive whole number of weeks, got {fields.show(n_times)}", "n_times"
        )
    level = fields.number(info.get("confidence_level", _INTERVAL_LEVEL), "confidence_level", file)
    if not 0 < level < 1:
        raise ByommRejection(file, f"confidence_level {level:g} is not between 0 and 1", "confidence_level")
    channels = info.get("channels")
    if channels is not None and (not isinstance(channels, list) or not all(isinstance(c, str) for c in channels)):
        raise ByommRejection(file, "channels must be a list of channel names", "channels")
    n_geos = info.get("n_geos")
    if n_geos is not None and (isinstance(n_geos, bool) or not isinstance(n_geos, int) or n_geos <= 0):
        raise ByommRejection(file, f"n_geos must be a positive whole number, got {fields.show(n_geos)}", "n_geos")
    return _ExportInfo(
        n_times=n_times,
        confidence_level=level,
        channels=None if channels is None else tuple(channels),
        n_geos=n_geos,
        model_id=None if info.get("model_id") is None else fields.name(info["model_id"], "model_id", file),
        refreshed_at=None
        if info.get("refreshed_at") is None
        else fields.timestamp(info["refreshed_at"], "refreshed_at", file),
        date_range=_date_range(info.get("date_range"), file),
        segment_id=None if info.get("segment_id") is None else fields.name(info["segment_id"], "segment_id", file),
    )


def _date_range(value: object, file: str) -> tuple[date, date] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        raise ByommRejection(file, "date_range must be an object with start and end", "date_range")
    start = fields.calendar_date(value["start"], "date_range.start", file)
    end = fields.calendar_date(value["end"], "date_range.end", file)
    if start > end:
        raise ByommRejection(file, f"date_range start {start} is after end {end}", "date_range.start")
    return start, end


def _read_csv(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    """Read a CSV; check the named columns exist and that 'number' columns hold finite numbers."""
    file = str(path)
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ByommRejection(file, f"malformed CSV: {exc}".strip()) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ByommRejection(file, f"missing column(s): {', '.join(missing)}", missing[0])
    for column in (c for c, kind in columns.items() if kind == "number"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = ~np.isfinite(values) & frame[column].notna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise ByommRejection(
                file, f"line {row + 2}: {fields.show(frame[column].iloc[row])} is not a finite number", column
            )
        frame[column] = values
    return frame


def _read_response_curves(path: Path) -> pd.DataFrame:
    columns = {
        "channel": "text",
        "spend": "number",
        "spend_multiplier": "number",
        "mean": "number",
        "ci_lo": "number",
        "ci_hi": "number",
    }
    frame = _read_csv(path, columns)
    for column in ("channel", *[c for c, kind in columns.items() if kind == "number"]):
        if frame[column].isna().any():
            line = int(frame[column].isna().to_numpy().nonzero()[0][0]) + 2
            raise ByommRejection(str(path), f"line {line}: empty value", column)
    negative = (frame[["spend", "mean", "ci_lo", "ci_hi"]] < 0).any(axis=1)
    if negative.any():
        raise ByommRejection(
            str(path), f"line {int(negative.to_numpy().nonzero()[0][0]) + 2}: negative spend or response", "spend"
        )
    frame["channel"] = frame["channel"].astype(str)
    for channel in frame["channel"].unique():
        fields.name(channel, "channel", str(path))
    counts = frame.groupby("channel", sort=False).size()
    if counts.nunique() > 1:
        raise ByommRejection(
            str(path),
            f"channels have different numbers of curve points ({', '.join(f'{c}: {n}' for c, n in counts.items())}); "
            "a truncated file?",
            "channel",
        )
    return frame


def _read_summary(path: Path) -> pd.DataFrame:
    columns = {
        "channel": "text",
        "metric": "text",
        "distribution": "text",
        "spend": "number",
        "incremental_outcome": "number",
        "pct_of_contribution": "number",
        "impressions": "number",
    }
    return _read_csv(path, columns).astype({"channel": str, "metric": str, "distribution": str})


def _check_channels(channels: tuple[str, ...], info: _ExportInfo, summary: pd.DataFrame, path: Path) -> None:
    if info.channels is not None:
        absent = [c for c in info.channels if c not in channels]
        if absent:
            raise ByommRejection(
                str(path / RESPONSE_CURVES),
                f"no response curve for channel(s) {', '.join(absent)} listed in {EXPORT_INFO}",
                "channel",
            )
    posterior = summary[summary["distribution"] == _POSTERIOR]
    for channel in channels:
        rows = posterior[posterior["channel"] == channel].set_index("metric")
        for metric in ("mean", "ci_lo", "ci_hi"):
            if (
                metric not in rows.index
                or pd.isna(rows.loc[metric, "incremental_outcome"])
                or pd.isna(rows.loc[metric, "spend"])
            ):
                raise ByommRejection(
                    str(path / SUMMARY_METRICS),
                    f"channel {channel}: no posterior {metric} row with spend and incremental_outcome",
                    "incremental_outcome",
                )


def _total_outcome(summary: pd.DataFrame) -> float | None:
    """Total outcome over the modelled weeks: incremental_outcome / share of contribution (posterior mean)."""
    rows = summary[
        (summary["distribution"] == _POSTERIOR) & (summary["metric"] == "mean") & (summary["pct_of_contribution"] > 0)
    ]
    if rows.empty:
        return None
    return float((rows["incremental_outcome"] / (rows["pct_of_contribution"] / 100)).iloc[0])


def _spend_per_media_unit(summary: pd.DataFrame) -> dict[str, float]:
    rows = summary[
        (summary["distribution"] == _POSTERIOR) & (summary["metric"] == "mean") & (summary["impressions"] > 0)
    ]
    return dict(zip(rows["channel"], rows["spend"] / rows["impressions"], strict=True))


def _observed_weekly_media(path: Path) -> dict[str, tuple[float, float]]:
    """Per media channel, the (min, max) weekly media units in the hill curves' histogram; {} without the file."""
    if not path.is_file():
        return {}
    columns = {
        "channel": "text",
        "channel_type": "text",
        "start_interval_histogram": "number",
        "end_interval_histogram": "number",
    }
    frame = _read_csv(path, columns)
    bins = frame[
        (frame["channel_type"] == "media")
        & frame["start_interval_histogram"].notna()
        & frame["end_interval_histogram"].notna()
    ]
    grouped = bins.groupby("channel").agg(
        low=("start_interval_histogram", "min"), high=("end_interval_histogram", "max")
    )
    return {str(c): (float(r.low), float(r.high)) for c, r in grouped.iterrows()}


def _adstock_half_lives(path: Path) -> dict[str, float]:
    """Per channel, the lag in weeks where the posterior mean adstock weight falls to half; {} without the file."""
    if not path.is_file():
        return {}
    frame = _read_csv(path, {"channel": "text", "time_units": "number", "distribution": "text", "mean": "number"})
    half_lives = {}
    for channel, rows in frame[frame["distribution"] == _POSTERIOR].groupby("channel"):
        rows = rows.sort_values("time_units")
        lags, weights = rows["time_units"].to_numpy(), rows["mean"].to_numpy()
        below = np.nonzero(weights <= 0.5)[0]
        if len(below) and below[0] > 0:
            i = below[0]
            share = (weights[i - 1] - 0.5) / (weights[i - 1] - weights[i])
            half_lives[str(channel)] = float(lags[i - 1] + share * (lags[i] - lags[i - 1]))
    return half_lives
