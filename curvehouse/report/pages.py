"""The body of each report page, from the tables. Sections whose tables are missing or empty say
so (BYOMM-only warehouses have no built-in fit rows; the planning layer may not be built)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd

from curvehouse.report import figures
from curvehouse.report.confidence import model_confidence
from curvehouse.report.html import chart, esc, missing, section, table
from curvehouse.report.summary import QUARTER_WEEKS, Board, agreement_matrix, money, pct, sorted_alerts
from curvehouse.report.tables import Tables

__all__ = [
    "BOARD_SECTIONS",
    "one_pager",
    "curves_page",
    "contributions_page",
    "planning_page",
    "gates_page",
    "diagnostics_page",
    "backtests_section",
    "outputs_page",
]

BOARD_LINES = 3  # the one-pager lists the worst few saturated channels; the curves page has them all
INTERVAL_NOT_PUBLISHED = "not published: BYOMM curves come without posterior draws"
PLANNING_WHY = (
    "The planning layer (response surface, frontier, scenarios, saturation audit, alerts) has not "
    "published its tables in this warehouse; run `dbt build` with the planning models to fill this in."
)


def _segments(tables: Tables) -> list[str]:
    curves = tables.current("mmm_curves")
    return sorted(curves["segment_id"].unique()) if not curves.empty else []


def _ratio(value: float) -> str:
    return f"{value:.2f}"


def _span(low: float, high: float, fmt: Callable[[float], str] = money) -> str:
    """'low-high' (one value where they print the same), or that the interval is not published."""
    if pd.isna(low) or pd.isna(high):
        return "not published"
    return fmt(low) if fmt(low) == fmt(high) else f"{fmt(low)}-{fmt(high)}"


BOARD_SECTIONS = (
    "Headline",
    "Brand vs performance",
    "Top 3 channels by incremental revenue",
    "Bottom 2 channels by ROI, and the proposed reallocation",
    "Saturation alerts",
    "Model confidence",
    "Next quarter's recommendation per channel",
)


def _board_section(number: int, body: str, figure: str = "") -> str:
    """Section ``number`` (1-7) of the one-pager, titled from BOARD_SECTIONS."""
    title = BOARD_SECTIONS[number - 1]
    return f'<section class=board data-section="{number}"><h2>{number}. {esc(title)}</h2>{body}{figure}</section>'


def _headline_section(b: Board) -> str:
    if pd.notna(b.low):
        interval = (
            f"80% interval: {money(b.low)}-{money(b.high)} incremental revenue, ROI "
            f"{b.low / b.spend:.2f}-{b.high / b.spend:.2f} ({b.draws} posterior draws per segment, "
            "mmm_posterior_draws, summed per draw over channels and segments)."
        )
    else:
        interval = (
            f"80% interval: {INTERVAL_NOT_PUBLISHED}, so the interval of the total cannot be computed; "
            "each source's own stated interval per channel is on the curves page."
        )
    organic = ""
    if b.organic is not None and not b.organic.empty:
        organic = (
            f"<p class=muted>Organic channels (no spend, outside every ROI figure) add "
            f"{money(b.organic['contribution'].sum())}.</p>"
        )
    return _board_section(
        1,
        f"<p class=headline data-headline>{esc(b.headline())}</p><p>{esc(interval)}</p>"
        f"<p class=muted>Over {esc(b.window)}; all segments with current curves.</p>{organic}",
    )


def _groups_section(b: Board) -> str:
    published = b.groups["low"].notna().all()
    parts = [
        f"{row.channel_group} {money(row.contribution)} ({_span(row.low, row.high)}), "
        f"{pct(row.share)} of the total ({_span(row.share_low, row.share_high, pct)})"
        if published
        else f"{row.channel_group} {money(row.contribution)}, {pct(row.share)} of the total"
        for row in b.groups.itertuples()
    ]
    text = (
        f"Incremental revenue, 80% intervals in brackets: {'; '.join(parts)}."
        if published
        else f"Incremental revenue: {'; '.join(parts)}. 80% intervals: {INTERVAL_NOT_PUBLISHED}."
    )
    figure = chart(
        figures.group_split(b.groups, "incremental revenue by channel group"),
        "brand-performance",
        "Brand vs performance: " + "; ".join(parts) + ".",
        "Bars: mean; whiskers: 80% interval from the posterior draws, where published.",
    )
    return _board_section(2, f"<p>{esc(text)}</p>", figure)


def _top_section(b: Board) -> str:
    top = pd.DataFrame(
        {
            "channel": b.top["display_name"],
            "incremental revenue": b.top["contribution"].map(money),
            "80% interval": [_span(r.low, r.high) for r in b.top.itertuples()],
            "ROI": b.top["roi"].map(_ratio),
            "ROI 80% interval": [_span(r.roi_low, r.roi_high, _ratio) for r in b.top.itertuples()],
        }
    )
    colours = dict.fromkeys(b.top["channel"], figures.BLUE) | dict.fromkeys(b.bottom["channel"], figures.RED)
    names = ", ".join(b.top["display_name"])
    figure = chart(
        figures.channel_contributions(b.channels, "incremental revenue by channel (all segments)", colours),
        "channel-contributions",
        f"Incremental revenue per channel over the window with 80% intervals and ROI; top 3 ({names}) in blue, "
        f"bottom 2 by ROI ({', '.join(b.bottom['display_name'])}) in vermillion.",
        "Bars: mean; whiskers: 80% interval where published; blue: top 3; vermillion: bottom 2 by ROI.",
    )
    return _board_section(3, table(top), figure)


def _bottom_section(b: Board) -> str:
    bottom = pd.DataFrame(
        {
            "channel": b.bottom["display_name"],
            "spend": b.bottom["spend"].map(money),
            "ROI": b.bottom["roi"].map(_ratio),
            "ROI 80% interval": [_span(r.roi_low, r.roi_high, _ratio) for r in b.bottom.itertuples()],
        }
    )
    if b.reallocation is None:
        return _board_section(4, table(bottom) + missing("Proposed reallocation", PLANNING_WHY))
    moves = (
        b.reallocation.set_index("channel")["recommended_move"] if not b.reallocation.empty else pd.Series(dtype=float)
    )
    bottom["move per week"] = [money(moves.get(c, 0.0), signed=True) for c in b.bottom["channel"]]
    bottom["next quarter"] = [money(QUARTER_WEEKS * moves.get(c, 0.0), signed=True) for c in b.bottom["channel"]]
    names = dict(zip(b.channels["channel"], b.channels["display_name"], strict=True))
    gains = moves[moves > 0].sort_values(ascending=False)
    receivers = ", ".join(f"{names.get(c, c)} {money(v, signed=True)}" for c, v in gains.items())
    note = (
        f"<p>The saturation audit moves {money(gains.sum())}/week between channels at the same total "
        f"(net zero), to {esc(receivers)} per week.</p>"
        if len(gains)
        else "<p class=muted>The saturation audit proposes no move.</p>"
    )
    return _board_section(4, table(bottom) + note)


def _alerts_section(b: Board) -> str:
    if b.saturation is None:
        return _board_section(5, missing("Saturation positions", PLANNING_WHY))
    lines = [
        f"{group.display_name.iloc[0]} is past its ROI floor in {', '.join(group.segment_id)}: the next dollar "
        f"returns {_span(group.marginal_roi_mean.min(), group.marginal_roi_mean.max(), _ratio)} against a floor of "
        f"{group.roi_floor.iloc[0]:.2f} (chance it still clears the floor: "
        f"{group.prob_marginal_roi_above_floor.max():.0%} at most)."
        for _, group in b.saturation.groupby("channel", sort=False)
    ]
    shown = "".join(f"<li>{esc(line)}</li>" for line in lines[:BOARD_LINES])
    if len(lines) > BOARD_LINES:
        shown += f"<li class=muted>{len(lines) - BOARD_LINES} more channels: see the curves page.</li>"
    return _board_section(
        5,
        f"<ul>{shown or '<li class=ok>No channel is past its ROI floor.</li>'}</ul>"
        "<p class=muted>Past = the next dollar returns less than the channel's ROI floor (saturation_position, "
        "the one meaning every table uses).</p>",
    )


def _confidence_section(b: Board) -> str:
    lines = [
        b.confidence.meaning or f"Forecast accuracy: {b.confidence.figures}.",
        b.experiments,
        f"Least certain assumption: {b.most_uncertain}.",
        f"The experiment that would settle it: {b.settle}.",
    ]
    return _board_section(6, "".join(f"<p>{esc(line)}</p>" for line in lines))


def _next_quarter_section(b: Board) -> str:
    if b.next_quarter is None:
        return _board_section(7, missing("Next quarter", PLANNING_WHY))
    plan = b.next_quarter
    if plan.empty:
        return _board_section(7, "<p class=muted>No channels.</p>")
    up = ", ".join(f"{r.display_name} {money(r.change, signed=True)}" for r in plan[plan["change"] > 0].itertuples())
    down = ", ".join(f"{r.display_name} {money(r.change, signed=True)}" for r in plan[plan["change"] < 0].itertuples())
    text = (
        f"<p>Next quarter ({QUARTER_WEEKS} weeks, all segments): {money(plan['next_quarter_spend'].sum())} in "
        f"total, the same as holding current spend. Raise {esc(up or 'nothing')}; cut {esc(down or 'nothing')}.</p>"
    )
    figure = chart(
        figures.spend_changes(plan, "next quarter vs current spend, per channel"),
        "next-quarter",
        "Next quarter's spend per channel: "
        + "; ".join(
            f"{r.display_name} {money(r.next_quarter_spend)} ({money(r.change, signed=True)})"
            for r in plan.itertuples()
        )
        + ".",
        f"From the saturation audit's net-zero moves (mmm_saturation_audit), summed over segments, times "
        f"{QUARTER_WEEKS} weeks.",
    )
    return _board_section(7, text, figure)


def one_pager(b: Board, tables: Tables) -> str:
    """The board one-pager: seven numbered sections, each a few lines and at most one chart; a section
    whose tables are missing says so."""
    if b.channels.empty:
        why = (
            "No current curves in mmm_curves: run `dbt build` with the built-in fit or BYOMM files in the "
            "landing folder."
            if tables.built("agent_mmm_context")
            else "agent_mmm_context is not in this warehouse: the agent views judge channels against the "
            "planning layer's ROI floor; run `dbt build` with the planning models to fill this in."
        )
        channels = "".join(_board_section(n, missing("Channel contributions", why)) for n in range(1, 5))
    else:
        channels = _headline_section(b) + _groups_section(b) + _top_section(b) + _bottom_section(b)
    return (
        f"<div class=board-grid>{channels}"
        + _alerts_section(b)
        + _confidence_section(b)
        + _next_quarter_section(b)
        + "</div><p class=screen-only><a href=one-pager.pdf>This page as PDF</a> (two printed pages at most).</p>"
    )


def curves_page(tables: Tables) -> str:
    curves = tables.current("mmm_curves")
    if curves.empty:
        return missing("Saturation curves", "mmm_curves holds no current curves.")
    points = tables.current("mmm_saturation_curves")
    positions = tables.current("agent_saturation_positions")
    body = (
        "<p class=muted>Response per week at a sustained weekly spend, in outcome currency. Bands: 80% and 90% "
        "intervals (built-in fit) or the stated interval (BYOMM). Grey: the weekly spend range the curve was "
        "fitted on (not evidence beyond it). Dashed orange: current weekly spend.</p>"
    )
    for segment in _segments(tables):
        seg_curves = curves[curves["segment_id"] == segment].sort_values("channel_name")
        run = seg_curves["run_id"].iloc[0]
        seg_points = points[points["run_id"] == run] if not points.empty else points
        seg_pos = positions[positions["segment_id"] == segment] if not positions.empty else positions
        source, model = seg_curves["source"].iloc[0], seg_curves["model_id"].iloc[0]
        title = (
            f"{segment}: built-in fit, run {run}"
            if source == "builtin"
            else f"{segment}: {source} model {model}"
            if model != source
            else f"{segment}: {source} model, version {run}"
        )
        body += section(
            title,
            chart(
                figures.saturation_grid(seg_curves, seg_points, seg_pos, title),
                f"saturation-{segment}",
                f"{title}: response per week against weekly spend for each channel, with intervals, the observed "
                "spend range and current spend",
            ),
            f"seg-{segment}",
        )
        if not seg_pos.empty:
            cols = [
                "channel",
                "current_weekly_spend",
                "saturation_half_point",
                "inflection_spend",
                "saturation_position",
                "prob_marginal_roi_above_floor",
                "roi_floor",
                "marginal_roi_mean",
                "marginal_roi_p10",
                "marginal_roi_p90",
                "headroom_weekly_spend",
                "staleness_days",
            ]
            body += table(
                seg_pos[cols],
                {
                    "current_weekly_spend": ",.0f",
                    "saturation_half_point": ",.0f",
                    "inflection_spend": ",.0f",
                    "headroom_weekly_spend": ",.0f",
                    "prob_marginal_roi_above_floor": ".0%",
                },
            )
    return body


def contributions_page(b: Board, tables: Tables) -> str:
    body = ""
    if not b.channels.empty:
        body += chart(
            figures.channel_contributions(b.channels, "incremental revenue by channel (all segments)"),
            "channel-contributions",
            "Incremental revenue per channel over the window, all segments, with 80% intervals and ROI",
        )
    body += _organic_section(b) + _treatments_section(tables)
    decomposition = tables.current("mmm_decomposition_weekly")
    for segment in _segments(tables):
        rows = decomposition[decomposition["segment_id"] == segment] if not decomposition.empty else decomposition
        if rows.empty:
            body += section(
                segment,
                "<p class=muted>The current curves of this segment come from a BYOMM export, "
                "which carries no weekly decomposition: contribution over time and actual vs "
                "fitted exist for built-in fits only. Totals per channel are above.</p>",
            )
            continue
        body += section(
            segment,
            chart(
                figures.contribution_over_time(rows, f"{segment}: contribution over time"),
                f"contribution-{segment}",
                f"{segment}: weekly incremental revenue of each channel, stacked, over the window",
            )
            + chart(
                figures.actual_vs_fitted(rows, f"{segment}: actual vs fitted"),
                f"fit-{segment}",
                f"{segment}: actual revenue per week against the model's fit with its 90% band",
            ),
            f"seg-{segment}",
        )
    return body or missing("Contributions", "No current curves.")


def _organic_section(b: Board) -> str:
    """Organic channels' incremental revenue with 80% intervals (no spend: outside ROI and budget
    planning); empty without any."""
    if b.organic is None or b.organic.empty:
        return ""
    shown = b.organic[["display_name", "unit", "contribution", "low", "high"]].rename(
        columns={"display_name": "channel", "contribution": "incremental revenue", "low": "80% low", "high": "80% high"}
    )
    money_columns = {"incremental revenue": ",.0f", "80% low": ",.0f", "80% high": ",.0f"}
    return section("Organic channels (no spend: outside ROI and budget planning)", table(shown, money_columns))


def _treatments_section(tables: Tables) -> str:
    """One line per segment x non-media treatment of the current runs: its signed effect per unit and its
    contribution over the window against its reference value, with 90% intervals (empty without any)."""
    parameters = tables.current("mmm_channel_parameters")
    if parameters.empty or "channel_kind" not in parameters.columns:
        return ""
    rows = parameters[parameters["channel_kind"] == "non_media"]
    if rows.empty:
        return ""
    wide = rows.pivot_table(
        index=["segment_id", "channel", "treatment_reference"], columns="parameter", values=["mean", "p05", "p95"]
    )
    wide.columns = [f"{parameter}_{stat}" for stat, parameter in wide.columns]
    wide = wide.reset_index().rename(columns={"channel": "treatment"})
    order = [f"treatment_{q}_{stat}" for q in ("effect", "contribution") for stat in ("mean", "p05", "p95")]
    return section(
        "Non-media treatments",
        "<p class=muted>Signed effect per unit of each treatment ($/week per unit) and its contribution over the "
        "window against its reference value (the window's minimum), with 90% intervals.</p>"
        + table(wide[["segment_id", "treatment", "treatment_reference", *order]], {c: ",.2f" for c in order}),
    )


def planning_page(tables: Tables) -> str:
    body = ""
    positions = tables.current("agent_saturation_positions")
    if tables.built("mmm_efficient_frontier") and tables.has("mmm_efficient_frontier"):
        front = tables.current("mmm_efficient_frontier")
        for segment, rows in front.groupby("segment_id"):
            current = (
                positions.loc[positions["segment_id"] == segment, "current_weekly_spend"].sum()
                if not positions.empty
                else None
            )
            body += section(
                f"Efficient frontier: {segment}",
                chart(
                    figures.frontier(rows, current, f"{segment}: efficient frontier"),
                    f"frontier-{segment}",
                    f"{segment}: expected outcome per week of the best allocations at each total weekly budget, "
                    "with the 80% band and the current budget",
                ),
            )
    else:
        body += section("Efficient frontier", missing("Efficient frontier (mmm_efficient_frontier)", PLANNING_WHY))
    if tables.has("mmm_scenarios"):
        scen = tables.current("mmm_scenarios")
        for segment, rows in scen.groupby("segment_id"):
            wide = rows.pivot_table(index="channel", columns="scenario", values="weekly_spend", aggfunc="sum")
            per_scenario = rows.drop_duplicates("scenario")[
                [
                    c
                    for c in (
                        "scenario",
                        "scenario_description",
                        "incremental_outcome_mean",
                        "delta_vs_current_mean",
                        "delta_vs_current_p10",
                        "delta_vs_current_p90",
                        "weeks_to_materialise",
                        "risk",
                        "is_recommended",
                    )
                    if c in rows.columns
                ]
            ]
            body += section(
                f"Scenario comparison: {segment}",
                chart(
                    figures.scenarios(rows, f"{segment}: scenarios (same total budget)"),
                    f"scenarios-{segment}",
                    f"{segment}: incremental outcome per week of each scenario with its 80% interval",
                )
                + table(per_scenario, {c: ",.0f" for c in per_scenario.columns if "outcome" in c or "delta" in c})
                + "<p class=muted>Weekly spend per channel by scenario ($/week):</p>"
                + table(wide.reset_index(), {c: ",.0f" for c in wide.columns}),
            )
    else:
        body += section("Scenario comparison", missing("Scenarios (mmm_scenarios)", PLANNING_WHY))
    if tables.has("mmm_saturation_audit"):
        audit = tables.current("mmm_saturation_audit")
        cols = [
            c
            for c in (
                "segment_id",
                "channel",
                "current_weekly_spend",
                "position",
                "marginal_roi_mean",
                "roi_floor",
                "recommended_move",
                "expected_roi_of_move_mean",
                "confidence",
                "experiment",
            )
            if c in audit.columns
        ]
        body += section(
            "Saturation audit", table(audit[cols], {"current_weekly_spend": ",.0f", "recommended_move": "+,.0f"})
        )
    else:
        body += section("Saturation audit", missing("Saturation audit (mmm_saturation_audit)", PLANNING_WHY))
    if tables.has("mmm_attribution_agreement"):
        body += section(
            "MMM vs attribution agreement",
            "<p class=muted>Latest month per segment and channel: disagreement = |attributed - MMM| / "
            "|MMM|; flag above 30%, escalate above 50%.</p>"
            + table(agreement_matrix(tables.current("mmm_attribution_agreement")), {}),
        )
    else:
        body += section(
            "MMM vs attribution agreement", missing("Agreement matrix (mmm_attribution_agreement)", PLANNING_WHY)
        )
    return body


def gates_page(tables: Tables) -> str:
    body = ""
    alerts = tables.get("mmm_alerts")
    if alerts is not None and not alerts.empty:
        body += section(
            "Open alerts",
            table(
                sorted_alerts(alerts)[
                    ["severity", "alert_kind", "segment_id", "channel", "route_to", "due_by", "message"]
                ]
            ),
        )
    gates = tables.get("mmm_gate_results")
    if gates is not None and not gates.empty:
        shown = gates[["segment_id", "gate", "severity", "success", "observed_value", "unexpected_count", "message"]]
        failed = int((~gates["success"].astype(bool)).sum())
        body += section(
            "Gate results",
            f"<p class={'fail' if failed else 'ok'}>{failed} of {len(gates)} expectations failed.</p>" + table(shown),
        )
    else:
        body += section("Gate results", "<p class=muted>No gate results in the warehouse.</p>")
    readiness = tables.get("mmm_data_readiness")
    if readiness is not None and not readiness.empty:
        body += section(
            "Data-readiness scorecard",
            chart(
                figures.readiness_heatmap(readiness),
                "readiness",
                "Data readiness per segment: history, spend, impressions, outcome and controls scored 1 to 5",
            )
            + table(readiness[["segment_id", "granularity", "n_weeks_history", "readiness_score", "what_is_missing"]]),
        )
    deferrals = tables.get("mmm_channel_deferrals")
    if deferrals is not None and not deferrals.empty:
        body += section(
            "Deferred channels",
            table(deferrals[["segment_id", "channel", "weeks_live", "eligible_from_date", "reason"]]),
        )
    for name, title in (
        ("mmm_byomm_rejections", "Rejected BYOMM files"),
        ("int_byomm_staleness_alerts", "Stale BYOMM curves"),
    ):
        frame = tables.get(name)
        if frame is not None and not frame.empty:
            cols = [
                c
                for c in ("file", "format", "reason", "field", "model_id", "segment_id", "staleness_days", "message")
                if c in frame.columns
            ]
            body += section(title, table(frame[cols]))
    return body


def _publish_thresholds(run: pd.Series) -> tuple[float, float]:
    try:
        publish = json.loads(run["methodology"])["publish"]
        return float(publish["rhat_max"]), float(publish["ess_min"])
    except (ValueError, KeyError, TypeError):
        return 1.01, 400.0


def diagnostics_page(tables: Tables) -> str:
    runs = tables.get("mmm_model_runs")
    body = ""
    if runs is None or runs.empty:
        body += missing(
            "Built-in fit diagnostics",
            "No built-in runs: the current curves come from BYOMM exports, "
            "which state no sampler diagnostics. Their load warnings follow.",
        )
        curves = tables.current("mmm_curves")
        if not curves.empty:
            byomm = curves.drop_duplicates("run_id")[
                ["segment_id", "source", "model_id", "refreshed_at", "staleness_days", "load_warnings"]
            ]
            body += section("BYOMM sources", table(byomm))
    else:
        cols = [
            "segment_id",
            "run_id",
            "status",
            "status_reason",
            "refreshed_at",
            "n_weeks",
            "chains",
            "draws",
            "max_rhat",
            "min_ess_bulk",
            "divergences",
            "review_outcome",
            "r2_in_sample",
            "r2_holdout",
            "mape_in_sample",
            "mape_holdout",
            "fit_seconds",
            "is_current",
        ]
        body += section(
            "Model runs",
            table(
                runs.sort_values("refreshed_at", ascending=False)[cols],
                {
                    "max_rhat": ".3f",
                    "min_ess_bulk": ",.0f",
                    "fit_seconds": ",.1f",
                    "mape_in_sample": ".3f",
                    "mape_holdout": ".3f",
                },
            ),
        )
    body += backtests_section(tables)
    parameters = tables.current("mmm_channel_parameters")
    draws = tables.current("mmm_posterior_draws")
    review = tables.current("mmm_model_review")
    for run in tables.current("mmm_model_runs").itertuples():
        segment = run.segment_id
        rhat_max, ess_min = _publish_thresholds(pd.Series(run._asdict()))
        params = parameters[parameters["run_id"] == run.run_id].copy() if not parameters.empty else parameters
        seg_body = _review_table(review, run.run_id)
        if not params.empty:
            params["label"] = (
                params["parameter"] + "[" + params["channel"].fillna(params["control_name"]).fillna("") + "]"
            )
            params["label"] = params["label"].str.replace("[]", "", regex=False)
            seg_body += chart(
                figures.rhat_ess(
                    params.dropna(subset=["rhat"]), rhat_max, ess_min, f"{segment}: R-hat and bulk ESS per parameter"
                ),
                f"rhat-{segment}",
                f"{segment}: R-hat and bulk ESS per parameter against the publish thresholds",
            )
            seg_body += table(
                params[
                    [
                        "label",
                        "unit",
                        "mean",
                        "sd",
                        "p05",
                        "p95",
                        "rhat",
                        "ess_bulk",
                        "ess_tail",
                        "prior_mean",
                        "prior_sd",
                    ]
                ],
                {"rhat": ".3f", "ess_bulk": ",.0f", "ess_tail": ",.0f"},
            )
        seg_draws = draws[draws["run_id"] == run.run_id] if not draws.empty else draws
        if not seg_draws.empty:
            post = seg_draws[
                (seg_draws["draw_kind"] == "posterior")
                & seg_draws["parameter"].isin(["roi", "sigma", "intercept", "trend"])
            ].copy()
            post["label"] = post["parameter"] + "[" + post["channel"].fillna("") + "]"
            post["label"] = post["label"].str.replace("[]", "", regex=False)
            seg_body += chart(
                figures.trace_and_rank(post, f"{segment}: trace and rank plots"),
                f"trace-{segment}",
                f"{segment}: posterior draws by chain and their rank histograms for ROI, sigma, intercept and trend",
            )
            roi = seg_draws[seg_draws["parameter"] == "roi"]
            seg_body += chart(
                figures.prior_vs_posterior(roi, f"{segment}: ROI prior vs posterior"),
                f"prior-posterior-{segment}",
                f"{segment}: ROI prior draws against posterior draws per channel",
            )
        body += section(
            f"Diagnostics: {segment} (run {run.run_id})", seg_body or "<p class=muted>No draws.</p>", f"seg-{segment}"
        )
    return body + gates_page(tables)  # the gate results and scorecard belong on this page too


def _review_table(review: pd.DataFrame, run_id: str) -> str:
    """The run's review checks (mmm_model_review), failures and reviews first; empty where the run
    predates the review or the table is not built."""
    checks = review[review["run_id"] == run_id].copy() if not review.empty else review
    if checks.empty:
        return ""
    checks["rank"] = checks["outcome"].map({"fail": 0, "review": 1, "pass": 2})
    checks = checks.sort_values(["rank", "check_group", "check_name", "channel"], na_position="first")
    columns = ["outcome", "check_group", "check_name", "channel", "value", "threshold", "blocks_publish", "message"]
    counts = checks["outcome"].value_counts()
    lead = (
        f"<p>Review: {int(counts.get('fail', 0))} fail, {int(counts.get('review', 0))} review, "
        f"{int(counts.get('pass', 0))} pass (mmm_model_review; thresholds var mmm.review and mmm.publish).</p>"
    )
    return lead + table(checks[columns], {"value": ".4g", "threshold": ".4g"})


def backtests_section(tables: Tables) -> str:
    """Out-of-sample accuracy per segment: the backtests' MAPE and interval coverage, and each
    fold's forecast against the actual (built-in runs only; BYOMM sources publish no backtests)."""
    runs = tables.current("mmm_model_runs")
    if runs.empty:
        return section("Backtests", "<p class=muted>No built-in runs: BYOMM sources publish no backtests.</p>")
    confidence = model_confidence(tables.current("mmm_backtests"), runs)
    cols = ["segment_id", "backtest_folds", "backtest_mape", "backtest_coverage_80", "backtest_coverage_90"]
    body = (
        f"<p>{esc(confidence.figures)}. {esc(confidence.meaning)}</p>"
        "<p class=muted>Each fold refits the model on the weeks before its cutoff and forecasts the weeks "
        "after from their actual spend and controls; MAPE is the mean absolute percentage error of the "
        "forecast mean, coverage the share of weeks whose actual fell inside the predictive interval.</p>"
        + table(
            runs[[c for c in cols if c in runs.columns]].sort_values("segment_id"),
            {
                "backtest_folds": ".0f",
                "backtest_mape": ".1%",
                "backtest_coverage_80": ".0%",
                "backtest_coverage_90": ".0%",
            },
        )
    )
    backtests = tables.current("mmm_backtests")
    for segment, rows in backtests.groupby("segment_id") if not backtests.empty else []:
        body += chart(
            figures.backtest_forecasts(rows, f"{segment}: backtest forecasts vs actual"),
            f"backtest-{segment}",
            f"{segment}: each backtest fold's forecast with its 80% and 90% bands against the actual revenue",
            "Orange: forecast mean with its 80% and 90% predictive bands; black: actual; dotted: fold cutoffs.",
        )
    return section("Backtests: out-of-sample accuracy", body, "backtests")


def outputs_page(files: list[str], pdf_message: str) -> str:
    items = "".join(f'<li><a href="{esc(f)}">{esc(f)}</a></li>' for f in files)
    return f"<p>Files written beside this site for agents and reviewers:</p><ul>{items}</ul><p>{esc(pdf_message)}.</p>"
