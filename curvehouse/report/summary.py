"""The numbers people read first, computed once from the tables and shared by HTML, PDF and markdown.

Pure functions of frames: provenance per segment (data window, priors, methodology, fit quality)
and the board one-pager's figures. Everything is in outcome currency over each model's data
window unless a name says weekly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from curvehouse.report.confidence import Confidence, model_confidence
from curvehouse.report.intervals import contribution_draws, interval_by, share_interval_by
from curvehouse.report.tables import Tables

__all__ = [
    "Provenance",
    "Board",
    "provenance",
    "board",
    "sorted_alerts",
    "agreement_matrix",
    "money",
    "pct",
    "NOT_BUILT",
    "QUARTER_WEEKS",
]

NOT_BUILT = "not built yet"
QUARTER_WEEKS = 13  # next quarter's recommendation: weekly moves over this many weeks
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


def money(value: float | None, signed: bool = False) -> str:
    """$1.2M / $350k / $900 style, or n/a."""
    if value is None or not np.isfinite(value):
        return "n/a"
    sign = "+" if signed and value > 0 else ("-" if value < 0 else "")
    v = abs(float(value))
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= limit:
            return f"{sign}${v / limit:,.{1 if v < 100 * limit else 0}f}{suffix}"
    return f"{sign}${v:,.0f}"


def pct(value: float | None, digits: int = 0) -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{100 * float(value):.{digits}f}%"


@dataclass(frozen=True)
class Provenance:
    """What a segment's numbers rest on, in words."""

    segment_id: str
    source: str
    model_id: str
    run_id: str
    data_window: str
    priors: str
    methodology_version: str
    fit_quality: str
    board_priors: str  # the priors and the fit quality as the board one-pager cites them: in words
    board_fit: str

    def line(self) -> str:
        return (
            f"segment {self.segment_id}: {self.source} model {self.model_id} (run {self.run_id}); "
            f"data window {self.data_window}; priors {self.priors}; methodology {self.methodology_version}; "
            f"fit quality {self.fit_quality}"
        )

    def brief(self) -> str:
        """The line for the board one-pager: the same citations, fit quality in words."""
        return (
            f"segment {self.segment_id}: {self.source} model {self.model_id} (run {self.run_id}); "
            f"data window {self.data_window}; priors {self.board_priors}; methodology {self.methodology_version}; "
            f"fit quality {self.board_fit}"
        )


def _priors_text(methodology: str | None) -> str:
    try:
        priors = json.loads(methodology or "")["priors"]
    except (ValueError, KeyError, TypeError):
        return "as configured (methodology not readable)"
    return (
        "ROI per channel from the channel registry (default mean {roi_mean}, sd {roi_sd}); half point "
        "median {half_point_median} x mean active spend (log-sd {half_point_log_sd}); slope median "
        "{slope_median} (log-sd {slope_log_sd}); adstock decay Beta({theta_alpha}, {theta_beta}), brand channels "
        "Beta({brand_theta_alpha}, {brand_theta_beta})"
    ).format_map(
        {
            k: priors.get(k, "?")
            for k in (
                "roi_mean",
                "roi_sd",
                "half_point_median",
                "half_point_log_sd",
                "slope_median",
                "slope_log_sd",
                "theta_alpha",
                "theta_beta",
                "brand_theta_alpha",
                "brand_theta_beta",
            )
        }
    )


def _fit_text(run: pd.Series) -> str:
    def num(name: str, fmt: str) -> str:
        value = run.get(name)
        return format(value, fmt) if value is not None and pd.notna(value) else "n/a"

    return (
        f"R2 {num('r2_in_sample', '.2f')} in sample / {num('r2_holdout', '.2f')} holdout, MAPE "
        f"{pct(run.get('mape_in_sample'), 1)} / {pct(run.get('mape_holdout'), 1)}, backtest MAPE "
        f"{pct(run.get('backtest_mape'), 1)} with {pct(run.get('backtest_coverage_80'))} of weeks in the 80% "
        f"interval ({num('backtest_folds', '.0f')} folds), max R-hat "
        f"{num('max_rhat', '.3f')}, min bulk ESS {num('min_ess_bulk', '.0f')}, "
        f"{num('divergences', '.0f')} divergences"
    )


def _fit_words(run: pd.Series) -> str:
    """Out-of-sample accuracy in words (the run's backtest columns); technical diagnostics elsewhere."""
    if pd.isna(run.get("backtest_mape")):
        return "not backtested (diagnostics page has the in-sample fit and sampler checks)"
    return (
        f"forecasts of weeks it had not seen were off by {pct(run.get('backtest_mape'), 1)} on average, "
        f"{pct(run.get('backtest_coverage_80'))} of them inside the 80% interval (80% expected)"
    )


def provenance(tables: Tables) -> dict[str, Provenance]:
    """One Provenance per segment with current curves (built-in runs carry priors and diagnostics)."""
    curves = tables.current("mmm_curves")
    runs = tables.current("mmm_model_runs")
    runs = runs.set_index("run_id") if not runs.empty else runs
    out: dict[str, Provenance] = {}
    for segment, rows in curves.groupby("segment_id", sort=True) if not curves.empty else []:
        first = rows.iloc[0]
        start, end = first["date_range_start"], first["date_range_end"]
        window = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}" if pd.notna(start) and pd.notna(end) else "not stated"
        if first["source"] == "builtin" and not runs.empty and first["run_id"] in runs.index:
            run = runs.loc[first["run_id"]]
            window += f" ({int(run['n_weeks'])} weeks)"
            out[segment] = Provenance(
                segment,
                "builtin",
                "builtin",
                first["run_id"],
                window,
                _priors_text(run.get("methodology")),
                str(run["methodology_version"]),
                _fit_text(run),
                "ROI per channel from the channel registry (every prior: Diagnostics page)",
                _fit_words(run),
            )
        else:
            priors = f"not stated by the {first['source']} export"
            fit = (
                f"not stated by the {first['source']} export (refreshed {first['refreshed_at']:%Y-%m-%d}, "
                f"{int(first['staleness_days'])} days old)"
            )
            out[segment] = Provenance(
                segment,
                str(first["source"]),
                str(first["model_id"]),
                str(first["run_id"]),
                window,
                priors,
                f"external ({first['source']})",
                fit,
                priors,
                fit,
            )
    return out


@dataclass(frozen=True)
class Board:
    """The board one-pager's figures. Intervals are 80%, from the published posterior draws
    (curvehouse.report.intervals); NaN where no draws are published (BYOMM curves)."""

    spend: float
    contribution: float
    low: float  # 80% interval of the total incremental revenue
    high: float
    draws: int  # posterior draws per segment the intervals come from (0: none published)
    window: str
    groups: pd.DataFrame  # per channel group: contribution, low, high, share, share_low, share_high
    channels: pd.DataFrame  # per channel (all segments): spend, contribution, low, high, roi, roi_low, roi_high
    top: pd.DataFrame
    bottom: pd.DataFrame
    reallocation: pd.DataFrame | None  # per channel proposed move (planning), None when not built
    alerts: list[str]
    saturation: pd.DataFrame | None  # agent_saturation_positions rows past the ROI floor; None when not built
    confidence: Confidence  # backtest MAPE and 80% interval coverage, and what they mean
    experiments: str  # the lift tests against the model, in words
    most_uncertain: str
    settle: str  # the experiment that would settle the most uncertain assumption
    next_quarter: pd.DataFrame | None  # per channel next quarter's recommended spend (planning)
    # per organic channel (no spend, so in no ROI figure): contribution and its 80% interval (low, high)
    # from the draws, unit
    organic: pd.DataFrame | None = None

    @property
    def roi(self) -> float:
        return self.contribution / self.spend if self.spend else float("nan")

    def headline(self) -> str:
        return f"{money(self.spend)} spend \u2192 {money(self.contribution)} incremental revenue, ROI {self.roi:.2f}"


def _channels(context: pd.DataFrame, wide: pd.DataFrame) -> pd.DataFrame:
    grouped = context.groupby(["channel"], as_index=False).agg(
        display_name=("display_name", "first"),
        channel_group=("channel_group", "first"),
        spend=("spend", "sum"),
        contribution=("contribution_mean", "sum"),
        segments=("segment_id", "nunique"),
    )
    grouped["display_name"] = grouped["display_name"].fillna(grouped["channel"])
    grouped = grouped.merge(interval_by(wide, context, "channel"), left_on="channel", right_index=True)
    spend = grouped["spend"].where(grouped["spend"] > 0)
    grouped["roi"] = grouped["contribution"] / spend
    grouped["roi_low"], grouped["roi_high"] = grouped["low"] / spend, grouped["high"] / spend
    return grouped.sort_values("contribution", ascending=False).reset_index(drop=True)


def _groups(context: pd.DataFrame, wide: pd.DataFrame, total: float) -> pd.DataFrame:
    grouped = context.groupby("channel_group", as_index=False).agg(contribution=("contribution_mean", "sum"))
    grouped["share"] = grouped["contribution"] / total if total else float("nan")
    return (
        grouped.merge(interval_by(wide, context, "channel_group"), left_on="channel_group", right_index=True)
        .merge(share_interval_by(wide, context, "channel_group"), left_on="channel_group", right_index=True)
        .sort_values("contribution", ascending=False)
        .reset_index(drop=True)
    )


def _alerts(tables: Tables, positions: pd.DataFrame) -> list[str]:
    """Saturation alerts: channels past their ROI floor (the saturation audit's position, the one every
    table uses); plus stale curves."""
    alerts: list[str] = []
    audit = tables.current("mmm_saturation_audit")
    if not audit.empty:
        for row in audit[audit["position"] == "past"].sort_values("marginal_roi_mean").itertuples():
            alerts.append(
                f"{row.channel} ({row.segment_id}) is past its ROI floor {row.roi_floor:.2f}: marginal ROI "
                f"{row.marginal_roi_mean:.2f} at {money(row.current_weekly_spend)}/week "
                f"({row.prob_marginal_roi_above_floor:.0%} probability it is at least the floor); proposed "
                f"move {money(row.recommended_move, signed=True)}/week"
            )
        if tables.has("mmm_alerts"):
            open_alerts = tables.get("mmm_alerts")
            stale = open_alerts[open_alerts["alert_kind"] == "stale_curves"]
            alerts += [f"{row.message} (to {row.route_to} by {row.due_by:%Y-%m-%d})" for row in stale.itertuples()]
        return alerts
    for row in positions.itertuples() if not positions.empty else []:
        if bool(row.is_stale):
            alerts.append(
                f"{row.display_name or row.channel} ({row.segment_id}): curves are {row.staleness_days} days "
                f"old ({row.curve_source})"
            )
    return alerts


def sorted_alerts(alerts: pd.DataFrame) -> pd.DataFrame:
    """Most severe first, then the nearest deadline."""
    rank = alerts["severity"].map(SEVERITY_ORDER).fillna(len(SEVERITY_ORDER))
    return alerts.assign(_rank=rank).sort_values(["_rank", "due_by"]).drop(columns="_rank")


def agreement_matrix(agreement: pd.DataFrame) -> pd.DataFrame:
    """Channels x segments: the latest month's disagreement and its level, e.g. '74% escalate'."""
    latest = agreement.sort_values("month").groupby(["segment_id", "channel"]).tail(1)
    cell = (
        latest["relative_disagreement"].map(lambda v: f"{v:.0%}" if pd.notna(v) else "n/a")
        + " "
        + latest["agreement_level"].fillna("")
    )
    return latest.assign(cell=cell).pivot(index="channel", columns="segment_id", values="cell").reset_index()


def _reallocation(tables: Tables) -> pd.DataFrame | None:
    if not tables.built("mmm_saturation_audit"):
        return None
    audit = tables.current("mmm_saturation_audit")
    if audit.empty:
        return audit
    return audit.groupby("channel", as_index=False)["recommended_move"].sum()


def _next_quarter(tables: Tables, channels: pd.DataFrame, weeks: int = QUARTER_WEEKS) -> pd.DataFrame | None:
    """Recommended spend per channel over the next quarter (13 weeks, all segments): current weekly spend
    plus the saturation audit's net-zero move."""
    if not tables.built("mmm_saturation_audit"):
        return None
    audit = tables.current("mmm_saturation_audit")
    if audit.empty:
        return audit
    per_channel = audit.groupby("channel", as_index=False).agg(
        current_weekly_spend=("current_weekly_spend", "sum"), recommended_move=("recommended_move", "sum")
    )
    per_channel["next_quarter_spend"] = weeks * (per_channel["current_weekly_spend"] + per_channel["recommended_move"])
    per_channel["change"] = weeks * per_channel["recommended_move"]
    names = channels.set_index("channel")["display_name"] if len(channels) else pd.Series(dtype=str)
    per_channel["display_name"] = per_channel["channel"].map(names).fillna(per_channel["channel"])
    return per_channel.sort_values("change", ascending=False).reset_index(drop=True)


def _past_floor(tables: Tables, positions: pd.DataFrame) -> pd.DataFrame | None:
    """Segment x channel rows whose saturation_position is past (lowest marginal ROI first), with a display
    name; None when agent_saturation_positions is not built (it needs the planning layer's ROI floor)."""
    if not tables.built("agent_saturation_positions"):
        return None
    if positions.empty:
        return positions
    past = positions[positions["saturation_position"] == "past"].sort_values("marginal_roi_mean")
    return past.assign(display_name=past["display_name"].fillna(past["channel"]))


def _experiments(experiments: pd.DataFrame) -> str:
    """The current runs' lift tests against the model's own lift, in words (mmm_experiments)."""
    fitted = experiments[experiments["experiment_status"] == "fitted"] if not experiments.empty else experiments
    if fitted.empty:
        return "No lift test has been run against the current fits (mmm_experiments)."
    agree = int((fitted["agreement"] == "agrees").sum())
    tests = ", ".join(f"{r.channel} in {r.segment_id}" for r in fitted.itertuples())
    return (
        f"{agree} of {len(fitted)} lift tests ({tests}) agree with the model: the measured lift and the "
        "model's lift overlap within their 90% intervals."
    )


def _most_uncertain(context: pd.DataFrame, audit: pd.DataFrame | None) -> tuple[str, str]:
    """The assumption with the widest interval and the experiment that would settle it: the saturation
    audit's least certain curve (audit None: planning not built), else the widest ROI interval stated."""
    rows = pd.DataFrame() if audit is None else audit
    widths = rows.dropna(subset=["response_interval_width"]) if "response_interval_width" in rows else rows.iloc[:0]
    if not widths.empty:
        row = widths.loc[widths["response_interval_width"].idxmax()]
        name = dict(zip(context["channel"], context["display_name"], strict=True)).get(row["channel"])
        what = (
            f"what {name or row['channel']} returns in {row['segment_id']}: its weekly contribution's 80% interval "
            f"spans {row['response_interval_width']:.0%} of the estimate"
        )
        settle = row["experiment"] if isinstance(row.get("experiment"), str) else "none proposed by the audit"
        return what, settle
    widths = context.dropna(subset=["roi_relative_width"]) if not context.empty else context
    settle = (
        f"{NOT_BUILT}: the saturation audit (planning layer) proposes experiments"
        if audit is None
        else "none proposed: no curve states an interval"
    )
    if context.empty:
        return f"{NOT_BUILT}: the channels' intervals are read from agent_mmm_context", settle
    if widths.empty:
        return "no interval stated by the sources", settle
    worst = widths.loc[widths["roi_relative_width"].idxmax()]
    what = (
        f"the ROI of {worst['display_name'] or worst['channel']} in {worst['segment_id']}: "
        f"{worst['roi_low']:.2f}-{worst['roi_high']:.2f} around {worst['roi_mean']:.2f}"
    )
    return what, settle


def board(tables: Tables) -> Board:
    """Board figures from the agent views (any curve source), the posterior draws and, where built,
    the planning tables."""
    context = tables.current("agent_mmm_context")
    wide = contribution_draws(tables.current("mmm_posterior_draws"))
    context, organic = _split_organic(context, wide)
    positions = tables.current("agent_saturation_positions")
    spend = float(context["spend"].sum()) if not context.empty else 0.0
    contribution = float(context["contribution_mean"].sum()) if not context.empty else 0.0
    if context.empty:
        channels = pd.DataFrame(columns=["channel", "display_name", "channel_group", "spend", "contribution", "roi"])
        groups = pd.DataFrame(columns=["channel_group", "contribution", "share"])
        low = high = float("nan")
    else:
        channels, groups = _channels(context, wide), _groups(context, wide, contribution)
        low, high = interval_by(wide, context.assign(total="total"), "total").iloc[0]
    windows = sorted(
        {
            f"{r.data_window_start:%Y-%m-%d} to {r.data_window_end:%Y-%m-%d}"
            for r in context.itertuples()
            if pd.notna(r.data_window_start)
        }
    )
    audit = tables.current("mmm_saturation_audit") if tables.built("mmm_saturation_audit") else None
    most_uncertain, settle = _most_uncertain(context, audit)
    ranked = channels.dropna(subset=["roi"]).sort_values("roi")
    return Board(
        spend=spend,
        contribution=contribution,
        low=float(low),
        high=float(high),
        draws=len(wide),
        window="; ".join(windows) or "not stated",
        groups=groups,
        channels=channels,
        top=channels.head(3),
        bottom=ranked.head(2),
        reallocation=_reallocation(tables),
        alerts=_alerts(tables, positions),
        saturation=_past_floor(tables, positions),
        confidence=model_confidence(tables.current("mmm_backtests"), tables.current("mmm_model_runs")),
        experiments=_experiments(tables.current("mmm_experiments")),
        most_uncertain=most_uncertain,
        settle=settle,
        next_quarter=_next_quarter(tables, channels),
        organic=organic,
    )


def _split_organic(context: pd.DataFrame, wide: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paid rows of agent_mmm_context (every spend and ROI figure; non-media treatments are neither, and
    have their own section on the contributions page) and its organic channels' contributions summed over
    segments (display name, unit, contribution and its 80% interval from the draws)."""
    if context.empty or "channel_kind" not in context.columns:
        return context, pd.DataFrame()
    is_organic = context["channel_kind"] == "organic"
    is_paid = ~context["channel_kind"].isin(("organic", "non_media"))
    organic = (
        context[is_organic]
        .groupby("channel", as_index=False)
        .agg(
            display_name=("display_name", "first"),
            unit=("saturation_unit", "first"),
            contribution=("contribution_mean", "sum"),
        )
        .merge(interval_by(wide, context[is_organic], "channel"), left_on="channel", right_index=True)
    )
    return context[is_paid], organic
