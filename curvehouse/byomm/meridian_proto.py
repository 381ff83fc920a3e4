"""Read and write Google Meridian's MMM proto schema (an ``mmm.v1.Mmm`` message in wire format, ``.binpb``).

Meridian 2.x writes the schema with ``meridian.schema.mmm_proto_generator.create_mmm_proto``; its
messages are tool-neutral, and parsing needs protobuf alone (``_meridian_proto``). The reader takes:

- ``marketing_analysis_list``: the analysis with response curves over the longest date interval
  (Meridian writes curves only for analyses aggregated over time). Its ``date_interval`` (end
  exclusive) is the model's date range, n_weeks = its days / 7.
- per media analysis (Meridian's synthetic "All Channels" left out): the ``response_curve`` points
  (input_value: spend, incremental_kpi: posterior mean incremental outcome). As in Meridian's CSV
  export (``meridian.py``), each point scales every week's spend by one multiplier and both values
  are totals over the interval; divided by n_weeks they are weekly points, and a Hill curve fitted
  to them by least squares is the curve in our convention. The schema keeps the mean curve only,
  so the ``_p05``/``_p95`` parameters stay empty. A channel without a curve (non-paid) is left out.
- the channel's REVENUE outcome (else its other outcome, in KPI units, with a warning): contribution
  and its 90% interval (an ``uncertainties`` entry of probability 0.9; another level is carried with
  a warning); total outcome = contribution / contribution share, as in ``meridian.py``.
  ``spend_info.spend`` is the channel's spend over the interval.
- ``mmm_kernel.marketing_data`` (optional): per channel the spend of each period in the interval,
  summed over geos and scaled to a week: the observed weekly spend range.
- ``mmm_kernel.model`` (optional): when it is Meridian's kernel, its model_id (else the file name).

The schema has no timestamp: refreshed_at is the file's modification time, said in warnings.

The writer does the reverse for our published curves (one model version and segment of the
mmm_curves mart, or a ModelCurves): one analysis over the date range; per channel the Hill curve at
Meridian's default spend multipliers (0 to 2 by 0.2) of the average weekly spend (of the half point
when spend is unknown), as totals over the range; the contribution with its 90% interval and its
share of total revenue; spend and its share; ROI and marginal ROI (at the average weekly spend).
Model id, segment and refresh time have no place in the schema: name the file after the model.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from google.protobuf.message import DecodeError

from curvehouse.byomm import fields
from curvehouse.byomm._meridian_proto import KPI_TYPES, MERIDIAN_MODEL_TYPE_URL, MeridianModelHeader, Mmm
from curvehouse.byomm.hill import fit_hill
from curvehouse.byomm.records import ByommRejection, ChannelCurve, ModelCurves
from curvehouse.hill import hill_derivative, hill_response

__all__ = [
    "FIT_WARNING_ERROR",
    "PROTO_SUFFIXES",
    "SPEND_MULTIPLIERS",
    "is_meridian_proto",
    "read_meridian_proto",
    "write_meridian_proto",
]

SOURCE = "meridian_proto"
PROTO_SUFFIXES = (".binpb", ".pb")  # a wire-format message has no magic bytes: the name must say proto
ALL_CHANNELS = "All Channels"  # Meridian's synthetic sum of the paid channels
SPEND_INPUT = "spend"  # a response curve's input_name: the curve is over spend
SPEND_MULTIPLIERS = tuple(round(0.2 * i, 1) for i in range(11))  # Analyzer.response_curves' default
FIT_WARNING_ERROR = 0.05  # warn when the fitted mean curve misses a response point by more than this
INTERVAL_LEVEL = 0.9  # the level of contribution_lower / _upper
DAYS_PER_WEEK = 7
_MMM_FIELD_TAGS = frozenset({0x0A, 0x12, 0x1A, 0x22})  # Mmm's fields 1-4, each a length-delimited message
_CURVE_COLUMNS = ("channel_name", "saturation_half_point", "saturation_max", "hill_slope")
_MODEL_COLUMNS = ("date_range_start", "date_range_end", "total_revenue")
_MODEL_KEYS = ("run_id", "load_id", "model_id", "segment_id")  # a mart row's model version and segment


def is_meridian_proto(head: bytes) -> bool:
    """True when a file's first bytes read as top-level fields of an Mmm message, as far as they go.

    Every field of Mmm is a length-delimited message, so the file is a run of (tag, length, payload)
    with one of those four tags. A payload may run past the bytes given (a large kernel, or a
    truncated file: the reader tells).
    """
    position = 0
    while position < len(head):
        if head[position] not in _MMM_FIELD_TAGS:
            return False
        length, position = _varint(head, position + 1)
        if length is None:
            return position >= len(head)  # cut off by the end of the bytes given, not malformed
        position += length
    return position > 0


def _varint(data: bytes, position: int) -> tuple[int | None, int]:
    """A base-128 varint at ``position`` and the position after it; None if it is cut off or too long."""
    value = 0
    for shift in range(0, 70, 7):
        if position >= len(data):
            return None, position
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
    return None, position


# --- reader ------------------------------------------------------------------------------------


def read_meridian_proto(path: Path) -> ModelCurves:
    """Read an MMM proto schema file; raise ByommRejection naming the file, reason and field."""
    path = Path(path)
    file = str(path)
    try:
        mmm = Mmm.FromString(path.read_bytes())
    except DecodeError:
        raise ByommRejection(
            file, "not a wire-format MMM proto schema message (mmm.v1.Mmm): truncated or corrupt?"
        ) from None
    index, (start, end) = _analysis(mmm, file)
    analysis = mmm.marketing_analysis_list.marketing_analyses[index]
    n_weeks = (end - start).days / DAYS_PER_WEEK
    observed = _observed_weekly_spend(mmm, start, end, file)

    warnings: list[str] = []
    curves: list[ChannelCurve] = []
    total_revenue: float | None = None
    kpi_units = False
    for i, media in enumerate(analysis.media_analyses):
        field = f"marketing_analyses[{index}].media_analyses[{i}]"
        channel = fields.name(media.channel_name, f"{field}.channel_name", file)
        if channel == ALL_CHANNELS:
            continue
        if not media.response_curve.response_points:
            warnings.append(f"channel {channel}: no response curve (a non-paid channel?), left out")
            continue
        outcome = _outcome(media, field, file)
        kpi_units |= outcome.kpi_type != KPI_TYPES["REVENUE"]
        curve, notes = _channel_curve(channel, media, outcome, n_weeks, observed.get(channel), field, file)
        curves.append(curve)
        warnings += notes
        share = outcome.contribution.share.value
        if total_revenue is None and share > 0 and curve.contribution_mean is not None:
            total_revenue = curve.contribution_mean / share
    if not curves:
        raise ByommRejection(file, "no channel with a response curve", f"marketing_analyses[{index}].media_analyses")
    if kpi_units:
        warnings.append("no REVENUE outcome: curves and contributions are in the model's KPI units, not currency")

    model_id, note = _model_id(mmm, path, file)
    refreshed_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(tzinfo=None, microsecond=0)
    warnings += [note] if note else []
    warnings.append(f"the schema has no timestamp: refreshed_at is the file's modification time, {refreshed_at}")
    return ModelCurves(
        model_id=model_id,
        source=SOURCE,
        refreshed_at=refreshed_at,
        date_range_start=start,
        date_range_end=end - timedelta(days=1),
        total_revenue=total_revenue,
        channels=tuple(curves),
        source_path=file,
        warnings=tuple(warnings),
    )


def _date(value: Any, field: str, file: str) -> date:
    """A google.type.Date as a date."""
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise ByommRejection(
            file, f"{value.year:04d}-{value.month:02d}-{value.day:02d} is not a calendar date", field
        ) from None


def _interval(value: Any, field: str, file: str) -> tuple[date, date]:
    """A DateInterval as (start, exclusive end)."""
    start = _date(value.start_date, f"{field}.start_date", file)
    end = _date(value.end_date, f"{field}.end_date", file)
    if end <= start:
        raise ByommRejection(file, f"end_date {end} is not after start_date {start} (the end is exclusive)", field)
    return start, end


def _analysis(mmm: Any, file: str) -> tuple[int, tuple[date, date]]:
    """Index and interval of the analysis with response curves over the longest interval (the first of equals)."""
    candidates = [
        (i, _interval(analysis.date_interval, f"marketing_analyses[{i}].date_interval", file))
        for i, analysis in enumerate(mmm.marketing_analysis_list.marketing_analyses)
        if any(media.response_curve.response_points for media in analysis.media_analyses)
    ]
    if not candidates:
        raise ByommRejection(
            file,
            "no marketing analysis with response curves (Meridian writes them for a MarketingAnalysisSpec "
            "with a media_summary_spec aggregated over time)",
            "marketing_analysis_list",
        )
    return max(candidates, key=lambda candidate: candidate[1][1] - candidate[1][0])


def _outcome(media: Any, field: str, file: str) -> Any:
    """The channel's REVENUE outcome, else its first outcome."""
    outcomes = list(media.media_outcomes)
    if not outcomes:
        raise ByommRejection(file, f"channel {media.channel_name}: no media outcome", f"{field}.media_outcomes")
    revenue = [outcome for outcome in outcomes if outcome.kpi_type == KPI_TYPES["REVENUE"]]
    return (revenue or outcomes)[0]


def _contribution(outcome: Any) -> tuple[float | None, float | None, float | None, float | None]:
    """(mean, lower, upper, level): the interval at 0.9 when given, else the first one."""
    if not outcome.HasField("contribution"):
        return None, None, None, None
    estimate = outcome.contribution.value
    intervals = sorted(estimate.uncertainties, key=lambda u: not math.isclose(u.probability, INTERVAL_LEVEL))
    if not intervals:
        return estimate.value, None, None, None
    return estimate.value, intervals[0].lowerbound, intervals[0].upperbound, intervals[0].probability


def _finite(values: tuple[float | None, ...], field: str, file: str) -> None:
    for value in values:
        if value is not None:
            fields.number(value, field, file)


def _channel_curve(
    channel: str,
    media: Any,
    outcome: Any,
    n_weeks: float,
    observed: tuple[float, float] | None,
    field: str,
    file: str,
) -> tuple[ChannelCurve, list[str]]:
    """One channel's weekly Hill curve fitted to its response points, with its contribution and spend."""
    curve_field = f"{field}.response_curve"
    if media.response_curve.input_name != SPEND_INPUT:
        raise ByommRejection(
            file,
            f"channel {channel}: the response curve is over {fields.show(media.response_curve.input_name)}, "
            f"not {SPEND_INPUT}",
            f"{curve_field}.input_name",
        )
    totals = np.array([(p.input_value, p.incremental_kpi) for p in media.response_curve.response_points])
    if not np.isfinite(totals).all() or (totals < 0).any():
        raise ByommRejection(
            file, f"channel {channel}: response points must be finite and >= 0", f"{curve_field}.response_points"
        )
    weekly = totals[np.argsort(totals[:, 0], kind="stable")] / n_weeks
    try:
        fit = fit_hill(weekly[:, 0], weekly[:, 1])
    except ValueError as exc:
        raise ByommRejection(file, f"channel {channel}: {exc}", f"{curve_field}.response_points") from None
    mean, lower, upper, level = _contribution(outcome)
    _finite((mean, lower, upper), f"{field}.media_outcomes.contribution", file)
    spend = (
        fields.money(media.spend_info.spend, f"{field}.spend_info.spend", file)
        if media.HasField("spend_info")
        else None
    )
    notes = []
    if level is not None and not math.isclose(level, INTERVAL_LEVEL):
        notes.append(f"channel {channel}: contribution interval is at {level:g}, not 0.9")
    if fit.max_relative_error > FIT_WARNING_ERROR:
        notes.append(
            f"channel {channel}: the fitted Hill curve misses the response curve by up to {fit.max_relative_error:.1%}"
        )
    curve = ChannelCurve(
        channel_name=channel,
        display_name=channel,
        saturation_half_point=fit.saturation_half_point,
        saturation_max=fit.saturation_max,
        hill_slope=fit.hill_slope,
        contribution_mean=mean,
        contribution_lower=lower,
        contribution_upper=upper,
        spend=spend,
        observed_spend_min=observed[0] if observed else None,
        observed_spend_max=observed[1] if observed else None,
        points=tuple((float(s), float(r), None, None) for s, r in weekly),
        extras={"fit_max_relative_error": fit.max_relative_error},
    )
    return curve, notes


def _observed_weekly_spend(mmm: Any, start: date, end: date, file: str) -> dict[str, tuple[float, float]]:
    """Per channel, (min, max) over the periods in [start, end) of spend summed over geos, per week."""
    per_period: dict[tuple[str, date], float] = {}
    for i, point in enumerate(mmm.mmm_kernel.marketing_data.marketing_data_points):
        period_start, period_end = _interval(
            point.date_interval, f"mmm_kernel.marketing_data.marketing_data_points[{i}].date_interval", file
        )
        if not start <= period_start < end:
            continue
        to_week = DAYS_PER_WEEK / (period_end - period_start).days
        spends = [(m.channel_name, m.media_spend) for m in point.media_variables]
        spends += [(rf.channel_name, rf.spend) for rf in point.reach_frequency_variables]
        for channel, spend in spends:
            per_period[(channel, period_start)] = per_period.get((channel, period_start), 0.0) + spend * to_week
    ranges: dict[str, tuple[float, float]] = {}
    for (channel, _), spend in per_period.items():
        low, high = ranges.get(channel, (spend, spend))
        ranges[channel] = (min(low, spend), max(high, spend))
    return ranges


def _model_id(mmm: Any, path: Path, file: str) -> tuple[str, str | None]:
    """Meridian's model_id from the kernel when it has one, else the file name (with a note)."""
    model = mmm.mmm_kernel.model
    if model.type_url == MERIDIAN_MODEL_TYPE_URL:
        try:
            model_id = MeridianModelHeader.FromString(model.value).model_id
        except DecodeError:
            raise ByommRejection(file, "Meridian's model kernel is not readable", "mmm_kernel.model") from None
        if model_id:
            return fields.name(model_id, "mmm_kernel.model.model_id", file), None
    stem = fields.name(path.stem, "model_id (the file name)", file)
    return stem, f"no model_id in the file: model_id is the file name, {stem}"


# --- writer ------------------------------------------------------------------------------------


def write_meridian_proto(curves: pd.DataFrame | ModelCurves, path: str | Path) -> None:
    """Write one model's curves as an Mmm message in wire format (what Meridian saves as ``.binpb``).

    ``curves`` is a ModelCurves or rows of the mmm_curves mart (channel_name, saturation_half_point,
    saturation_max, hill_slope, date_range_start / _end; optionally contribution_mean / _lower /
    _upper, spend, total_revenue) for one model version and segment.
    """
    frame = _model_frame(curves) if isinstance(curves, ModelCurves) else _one_model(curves)
    Path(path).write_bytes(Mmm(**_mmm_fields(frame)).SerializeToString())


def _model_frame(model: ModelCurves) -> pd.DataFrame:
    """A ModelCurves as mart-like rows, one per channel."""
    shared = {name: getattr(model, name) for name in _MODEL_COLUMNS}
    return pd.DataFrame([{**shared, **vars(channel)} for channel in model.channels])


def _one_model(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of one model version and segment, with the columns a curve needs; ValueError otherwise."""
    missing = [c for c in (*_CURVE_COLUMNS, *_MODEL_COLUMNS[:2]) if c not in frame.columns]
    if missing:
        raise ValueError(f"curves frame is missing column(s): {', '.join(missing)}")
    keys = [c for c in _MODEL_KEYS if c in frame.columns]
    groups = frame[keys].drop_duplicates() if keys else frame.iloc[:1]
    if len(frame) == 0 or len(groups) != 1:
        raise ValueError(
            f"curves frame holds {len(groups)} models ({', '.join(keys)}); write one model version and segment "
            "per file, e.g. the is_current rows of one segment"
        )
    if frame["channel_name"].duplicated().any():
        raise ValueError("curves frame has a channel twice")
    return frame


def _number(value: object) -> float | None:
    """A float, or None for a missing value (None, NaN, pandas NA)."""
    return None if value is None or pd.isna(value) else float(value)


def _single_date(frame: pd.DataFrame, column: str) -> date:
    values = pd.to_datetime(frame[column]).dropna().unique()
    if len(values) != 1:
        raise ValueError(f"{column} must hold one date for the model, got {len(values)}")
    return pd.Timestamp(values[0]).date()


def _date_fields(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


def _mmm_fields(frame: pd.DataFrame) -> dict[str, Any]:
    """Mmm's fields for the model's curves: one marketing analysis over its date range."""
    start = _single_date(frame, "date_range_start")
    end = _single_date(frame, "date_range_end") + timedelta(days=1)  # the schema's end is exclusive
    if end <= start:
        raise ValueError(f"date_range_end {end - timedelta(days=1)} is before date_range_start {start}")
    n_weeks = (end - start).days / DAYS_PER_WEEK
    rows = frame.to_dict("records")
    total_spend = sum(_number(row.get("spend")) or 0.0 for row in rows)
    total_revenue = _number(rows[0].get("total_revenue"))
    analysis = {
        "date_interval": {"start_date": _date_fields(start), "end_date": _date_fields(end)},
        "media_analyses": [_media_analysis(row, n_weeks, total_spend, total_revenue) for row in rows],
    }
    return {"marketing_analysis_list": {"marketing_analyses": [analysis]}}


def _estimate(value: float | None, lower: float | None = None, upper: float | None = None) -> dict | None:
    """An Estimate; the interval as a 0.9 uncertainty when both bounds are known."""
    if value is None:
        return None
    interval = lower is not None and upper is not None
    uncertainty = {"probability": INTERVAL_LEVEL, "lowerbound": lower, "upperbound": upper}
    return {"value": value, "uncertainties": [uncertainty] if interval else []}


def _media_analysis(
    row: dict[str, Any], n_weeks: float, total_spend: float, total_revenue: float | None
) -> dict[str, Any]:
    """A MediaAnalysis: response points (totals over the range), spend, and a REVENUE outcome."""
    half_point, top, slope = (float(row[c]) for c in _CURVE_COLUMNS[1:])
    spend = _number(row.get("spend"))
    mean, lower, upper = (_number(row.get(f"contribution_{p}")) for p in ("mean", "lower", "upper"))
    weekly = spend / n_weeks if spend else half_point
    grid = np.array(SPEND_MULTIPLIERS) * weekly
    response = hill_response(grid, half_point, top, slope)
    paid = bool(spend)
    outcome = {
        "kpi_type": KPI_TYPES["REVENUE"],
        "contribution": None
        if mean is None
        else {
            "value": _estimate(mean, lower, upper),
            "share": _estimate(mean / total_revenue) if total_revenue else None,
        },
        "roi": _estimate(*(None if v is None else v / spend for v in (mean, lower, upper))) if paid else None,
        "marginal_roi": _estimate(float(top * hill_derivative(weekly, half_point, slope))) if paid else None,
    }
    return {
        "channel_name": row["channel_name"],
        "spend_info": None
        if spend is None
        else {"spend": spend, "spend_share": spend / total_spend if total_spend else 0.0},
        "media_outcomes": [outcome],
        "response_curve": {
            "input_name": SPEND_INPUT,
            "response_points": [
                {"input_value": float(s * n_weeks), "incremental_kpi": float(r * n_weeks)}
                for s, r in zip(grid, response, strict=True)
            ],
        },
    }
