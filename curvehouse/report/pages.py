"""The body of each report page, from the tables. Sections whose tables are missing or empty say
so (BYOMM-only warehouses have no built-in fit rows; the planning layer may not be built)."""

from __future__ import annotations

import json

import pandas as pd

from curvehouse.report import figures
from curvehouse.report.confidence import model_confidence
from curvehouse.report.html import chart, esc, missing, section, table
from curvehouse.report.summary import Board, agreement_matrix, money, pct, sorted_alerts
from curvehouse.report.tables import Tables

__all__ = [
    "one_pager",
    "curves_page",
    "contributions_page",
    "planning_page",
    "gates_page",
    "diagnostics_page",
    "backtests_section",
    "outputs_page",
]

BOARD_ALERTS = 6  # the one-pager lists the worst few; the curves page has them all
PLANNING_WHY = (
    "The planning layer (response surface, frontier, scenarios, saturation audit, alerts) has not "
    "published its tables in this warehouse; run `dbt build` with the planning models to fill this in."
)


def _segments(tables: Tables) -> list[str]:
    curves = tables.current("mmm_curves")
    return sorted(curves["segment_id"].unique()) if not curves.empty else []


def one_pager(b: Board, tables: Tables) -> str:
    """Headline, brand vs performance, top 3 / bottom 2, alerts, confidence, next quarter."""
    if b.channels.empty:
        return missing(
            "Current curves",
            "No current curves in mmm_curves: run `dbt build` with the built-in fit or "
            "BYOMM files in the landing folder.",
        )
    split = " \u00b7 ".join(f"{esc(group)} {pct(share)}" for group, share in sorted(b.group_share.items()))
    top = b.top[["display_name", "contribution", "roi"]].rename(
        columns={"display_name": "channel", "contribution": "incremental revenue"}
    )
    bottom = b.bottom[["channel", "display_name", "spend", "roi"]]
    if b.reallocation is not None and not b.reallocation.empty:
        bottom = bottom.merge(b.reallocation, on="channel", how="left").rename(
            columns={"recommended_move": "proposed weekly move ($)"}
        )
        realloc_note = ""
    else:
        realloc_note = (
            missing("Proposed reallocation", PLANNING_WHY)
            if b.reallocation is None
            else "<p class=muted>The saturation audit proposes no move for these channels.</p>"
        )
    bottom = bottom.drop(columns=["channel"]).rename(columns={"display_name": "channel"})
    alerts = (
        "".join(f"<li>{esc(a)}</li>" for a in b.alerts[:BOARD_ALERTS])
        or "<li class=ok>No saturation or staleness alerts.</li>"
    )
    if len(b.alerts) > BOARD_ALERTS:
        alerts += f"<li class=muted>{len(b.alerts) - BOARD_ALERTS} more: see the saturation curves page.</li>"
    open_alerts = tables.get("mmm_alerts")
    if open_alerts is not None and not open_alerts.empty:
        critical = int((open_alerts["severity"] == "critical").sum())
        alerts += (
            f"<li class=muted>{len(open_alerts)} open alerts in all ({critical} critical): see "
            "<a href=gates.html>Gates &amp; readiness</a>.</li>"
        )
    if b.next_quarter is None:
        next_q = missing("Next quarter's recommendation", PLANNING_WHY)
    else:
        shown = b.next_quarter.rename(
            columns={
                "current_weekly_spend": "current ($/week)",
                "recommended_move": "move ($/week)",
                "next_quarter_spend": "next quarter ($, 13 weeks)",
                "change": "change vs current ($, 13 weeks)",
            }
        )
        next_q = (
            table(shown, {c: ("+,.0f" if "move" in c or "change" in c else ",.0f") for c in shown.columns})
            + "<p class=muted>From the saturation audit's net-zero moves (mmm_saturation_audit), "
            "summed over segments.</p>"
        )
    interval = (
        f" (channels' 90% bounds summed: {money(b.contribution_low)}-{money(b.contribution_high)})"
        if pd.notna(b.contribution_low) and pd.notna(b.contribution_high)
        else ""
    )
    bars = figures.channel_contributions(b.channels, "incremental revenue by channel (all segments)")
    return (
        f"<p class=headline data-headline>{esc(b.headline())}</p>"
        f"<p class=muted>Over {esc(b.window)}{esc(interval)}; all segments with current curves.</p>"
        f"<div class=cards><div class=card><h2>Brand vs performance</h2><p>Share of incremental revenue: {split}</p>"
        f"</div><div class=card><h2>Model confidence</h2><p>{esc(b.confidence.figures)}<br>"
        f"{esc(b.confidence.meaning)}<br>"
        f"Most uncertain assumption: {esc(b.most_uncertain)}</p></div></div>"
        + section("Top 3 channels by incremental revenue", table(top, {"incremental revenue": ",.0f", "roi": ".2f"}))
        + section(
            "Bottom 2 channels by ROI",
            table(bottom, {"spend": ",.0f", "roi": ".2f", "proposed weekly move ($)": "+,.0f"}) + realloc_note,
        )
        + _organic_section(b)
        + section("Saturation alerts", f"<ul>{alerts}</ul>")
        + section("Next quarter's recommendation per channel", next_q)
        + chart(bars, "channel-contributions", "Bars: posterior mean; whiskers: the stated interval.")
        + "<p><a href=one-pager.pdf>Download the one-pager as PDF</a></p>"
    )


def _organic_section(b: Board) -> str:
    """Organic channels' incremental revenue (no spend: not in the ROI figures or planning); empty without any."""
    if b.organic is None or b.organic.empty:
        return ""
    shown = b.organic.drop(columns=["channel"]).rename(
        columns={
            "display_name": "channel",
            "contribution": "incremental revenue",
            "contribution_low": "90% low",
            "contribution_high": "90% high",
        }
    )
    return section(
        "Organic channels (no spend: outside ROI and budget planning)",
        table(shown, {"incremental revenue": ",.0f", "90% low": ",.0f", "90% high": ",.0f"}),
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
            chart(figures.saturation_grid(seg_curves, seg_points, seg_pos, title), f"saturation-{segment}"),
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
        )
    body += _treatments_section(tables)
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
            chart(figures.contribution_over_time(rows, f"{segment}: contribution over time"), f"contribution-{segment}")
            + chart(figures.actual_vs_fitted(rows, f"{segment}: actual vs fitted"), f"fit-{segment}"),
            f"seg-{segment}",
        )
    return body or missing("Contributions", "No current curves.")


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
                chart(figures.frontier(rows, current, f"{segment}: efficient frontier"), f"frontier-{segment}"),
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
                chart(figures.scenarios(rows, f"{segment}: scenarios (same total budget)"), f"scenarios-{segment}")
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
            chart(figures.readiness_heatmap(readiness), "readiness")
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
            seg_body += chart(figures.trace_and_rank(post, f"{segment}: trace and rank plots"), f"trace-{segment}")
            roi = seg_draws[seg_draws["parameter"] == "roi"]
            seg_body += chart(
                figures.prior_vs_posterior(roi, f"{segment}: ROI prior vs posterior"), f"prior-posterior-{segment}"
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
            "Orange: forecast mean with its 80% and 90% predictive bands; black: actual; dotted: fold cutoffs.",
        )
    return section("Backtests: out-of-sample accuracy", body, "backtests")


def outputs_page(files: list[str]) -> str:
    items = "".join(f'<li><a href="{esc(f)}">{esc(f)}</a></li>' for f in files)
    return f"<p>Files written beside this site for agents and reviewers:</p><ul>{items}</ul>"
