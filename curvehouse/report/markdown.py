"""Markdown files for agents and reviewers, each opening with the provenance it rests on (data
window, priors, methodology version, fit quality per segment)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse.hill import hill_derivative
from curvehouse.report.summary import NOT_BUILT, Board, Provenance, agreement_matrix
from curvehouse.report.tables import Tables

__all__ = ["decay_verdict", "marginal_roi", "markdown_files"]

GROWTH_BAND = 0.10  # a marginal ROI moving less than 10% between the first and last run is "stable"


def _md_table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    formats = formats or {}
    if frame.empty:
        return "_No rows._\n"

    def cell(column: str, value: object) -> str:
        if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NaT:
            return "-"
        if isinstance(value, (float, np.floating)):
            return format(value, formats.get(column, ",.2f"))
        if isinstance(value, pd.Timestamp):
            return f"{value:%Y-%m-%d}"
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += [
        "| " + " | ".join(cell(c, v) for c, v in zip(frame.columns, row, strict=True)) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join(lines) + "\n"


def _provenance_block(provenance: dict[str, Provenance]) -> str:
    if not provenance:
        return "> No current curves: nothing to cite.\n"
    lines = ["> **Provenance**"]
    for p in provenance.values():
        lines += [
            (
                f"> - **{p.segment_id}** ({p.source} model `{p.model_id}`, run `{p.run_id}`): data window "
                f"{p.data_window}; priors: {p.priors}; methodology version `{p.methodology_version}`; fit quality: "
                f"{p.fit_quality}."
            )
        ]
    return "\n".join(lines) + "\n"


def marginal_roi(spend: float, half_point: float, saturation_max: float, slope: float) -> float:
    """Marginal ROI of one curve at weekly spend s (curvehouse.hill); NaN at s <= 0 (no spend, nothing to read)."""
    if not spend or spend <= 0 or not half_point or half_point <= 0:
        return float("nan")
    return float(saturation_max * hill_derivative(spend, half_point, slope))


def decay_verdict(mroi: list[float], half_points: list[float]) -> str:
    """How a channel moved across runs: still grows, saturating, or stable (one run: no trend yet)."""
    pairs = [(m, h) for m, h in zip(mroi, half_points, strict=True) if np.isfinite(m) and np.isfinite(h)]
    if len(pairs) < 2:
        return "one run only: no trend yet"
    (m0, h0), (m1, h1) = pairs[0], pairs[-1]
    change = (m1 - m0) / abs(m0) if m0 else 0.0
    if change < -GROWTH_BAND:
        return "saturating (marginal ROI falling)"
    if change > GROWTH_BAND or (h0 and (h1 - h0) / h0 > GROWTH_BAND):
        return "still grows (marginal ROI or half point rising)"
    return "stable"


def _context(provenance: dict[str, Provenance], tables: Tables, b: Board) -> str:
    context = tables.current("agent_mmm_context")
    text = ["# MMM context", "", _provenance_block(provenance), f"Headline: {b.headline()} over {b.window}.", ""]
    for segment, rows in context.groupby("segment_id") if not context.empty else []:
        text += [
            f"## Segment {segment}",
            "",
            _md_table(
                rows.sort_values("contribution_share", ascending=False)[
                    [
                        "channel",
                        "channel_group",
                        "curve_source",
                        "coefficient",
                        "saturation_half_point",
                        "hill_slope",
                        "roi_mean",
                        "roi_low",
                        "roi_high",
                        "contribution_share",
                        "marginal_roi_mean",
                        "saturation_position",
                        "confidence",
                    ]
                ],
                {"coefficient": ",.0f", "saturation_half_point": ",.0f", "contribution_share": ".1%"},
            ),
        ]
    text += [
        (
            "Units: coefficient = response per week at saturation ($/week); half point in weekly spend ($/week); "
            "ROI and marginal ROI in $ of revenue per $ of spend; shares of channel-driven incremental revenue."
        ),
        "",
    ]
    return "\n".join(text)


def _refresh(provenance: dict[str, Provenance], tables: Tables, b: Board, month: str) -> str:
    text = [
        f"# Monthly refresh {month}",
        "",
        _provenance_block(provenance),
        f"**{b.headline()}** over {b.window}.",
        "",
        "## What changed since the previous published run",
        "",
    ]
    summary = tables.get("mmm_channel_summary")
    if summary is not None and not summary.empty:
        published = summary[summary["status"] == "published"].sort_values("data_window_end")
        rows = []
        for (segment, channel), g in published.groupby(["segment_id", "channel"]):
            g = g.drop_duplicates("run_id")
            last = g.iloc[-1]
            prev = g.iloc[-2] if len(g) > 1 else None
            rows.append(
                {
                    "segment": segment,
                    "channel": channel,
                    "roi": last["roi_mean"],
                    "roi previous run": prev["roi_mean"] if prev is not None else np.nan,
                    "marginal ROI": last["marginal_roi_mean"],
                    "position": last["saturation_position"],
                }
            )
        text.append(_md_table(pd.DataFrame(rows)))
    else:
        text.append("No built-in runs: the current curves come from BYOMM exports (see saturation-curves.md).\n")
    text += ["## Alerts", ""] + ([f"- {a}" for a in b.alerts] or ["- none"]) + [""]
    gates = tables.get("mmm_gate_results")
    if gates is not None and not gates.empty:
        failed = gates[~gates["success"].astype(bool)]
        text += ["## Gates", "", f"{len(failed)} of {len(gates)} expectations failed.", ""]
        if not failed.empty:
            text.append(_md_table(failed[["segment_id", "gate", "severity", "message"]]))
    return "\n".join(text)


def _curve_version(rows: pd.DataFrame) -> str:
    first = rows.iloc[0]
    return _md_table(
        rows.sort_values("channel_name")[
            [
                "channel_name",
                "saturation_half_point",
                "saturation_max",
                "hill_slope",
                "observed_spend_min",
                "observed_spend_max",
                "contribution_mean",
                "spend",
            ]
        ],
        {
            c: ",.0f"
            for c in (
                "saturation_half_point",
                "saturation_max",
                "observed_spend_min",
                "observed_spend_max",
                "contribution_mean",
                "spend",
            )
        },
    ) + (
        f"\nRefreshed {first['refreshed_at']:%Y-%m-%d %H:%M} UTC; data {first['date_range_start']:%Y-%m-%d} to "
        f"{first['date_range_end']:%Y-%m-%d}.\n"
        if pd.notna(first["date_range_start"])
        else ""
    )


def _saturation_curves(provenance: dict[str, Provenance], tables: Tables) -> dict[str, str]:
    curves = tables.get("mmm_curves")
    files: dict[str, str] = {}
    index = [
        "# Saturation curves (versioned by run)",
        "",
        _provenance_block(provenance),
        (
            "Convention: response per week at a sustained weekly spend s, in outcome currency: "
            "`saturation_max * s^hill_slope / (s^hill_slope + saturation_half_point^hill_slope)`; "
            "the curve is evidence only inside the observed weekly spend range."
        ),
        "",
    ]
    if curves is None or curves.empty:
        return {"saturation-curves.md": "\n".join(index + ["_No curves._", ""])}
    for (segment, run), rows in curves.sort_values("refreshed_at").groupby(["segment_id", "run_id"], sort=False):
        first = rows.iloc[0]
        name = f"saturation-curves/{segment}--{first['source']}--{run}.md"
        files[name] = "\n".join(
            [
                (f"# Saturation curves: {segment}, {first['source']} model {first['model_id']}, run {run}"),
                "",
                _provenance_block({k: v for k, v in provenance.items() if k == segment}),
                _curve_version(rows),
            ]
        )
    for segment, rows in curves.groupby("segment_id"):
        current = rows[rows["is_current"].astype(bool)]
        index += [f"## {segment}", ""]
        if not current.empty:
            index += [
                (
                    f"Current: {current['source'].iloc[0]} model `{current['model_id'].iloc[0]}`, "
                    f"run `{current['run_id'].iloc[0]}`."
                ),
                "",
                _curve_version(current),
            ]
        versions = rows.drop_duplicates("run_id").sort_values("refreshed_at", ascending=False)
        index += (
            ["Versions:", ""]
            + [
                f"- [{v.source} `{v.run_id}` refreshed {v.refreshed_at:%Y-%m-%d}]"
                f"(saturation-curves/{segment}--{v.source}--{v.run_id}.md){' (current)' if v.is_current else ''}"
                for v in versions.itertuples()
            ]
            + [""]
        )
    files["saturation-curves.md"] = "\n".join(index)
    return files


def _decay(provenance: dict[str, Provenance], tables: Tables) -> str:
    curves = tables.get("mmm_curves")
    summary = tables.get("mmm_channel_summary")
    text = [
        "# Channel decay across published runs",
        "",
        _provenance_block(provenance),
        (
            "How each channel's marginal ROI (at the run's current weekly spend) and half-saturation point moved "
            f"from its first to its latest published run. Moves under {GROWTH_BAND:.0%} are stable."
        ),
        "",
    ]
    if curves is None or curves.empty:
        return "\n".join(text + ["_No curves._", ""])
    mroi_fit = (
        summary.set_index(["run_id", "channel"])["marginal_roi_mean"]
        if summary is not None and not summary.empty
        else pd.Series(dtype=float)
    )
    rows = []
    for (segment, source, model, channel), g in curves.sort_values("refreshed_at").groupby(
        ["segment_id", "source", "model_id", "channel_name"]
    ):
        mroi = []
        for r in g.itertuples():
            if (r.run_id, channel) in mroi_fit.index:
                mroi.append(float(mroi_fit.loc[(r.run_id, channel)]))
            else:
                weeks = (
                    ((r.date_range_end - r.date_range_start).days + 1) / 7 if pd.notna(r.date_range_start) else np.nan
                )
                spend = r.spend / weeks if weeks and np.isfinite(weeks) and pd.notna(r.spend) else np.nan
                mroi.append(marginal_roi(spend, r.saturation_half_point, r.saturation_max, r.hill_slope))
        halves = g["saturation_half_point"].astype(float).tolist()
        rows.append(
            {
                "segment": segment,
                "source": f"{source}/{model}",
                "channel": channel,
                "runs": len(g),
                "first refresh": g["refreshed_at"].iloc[0],
                "latest refresh": g["refreshed_at"].iloc[-1],
                "marginal ROI first": mroi[0],
                "marginal ROI latest": mroi[-1],
                "half point first": halves[0],
                "half point latest": halves[-1],
                "verdict": decay_verdict(mroi, halves),
            }
        )
    table = pd.DataFrame(rows)
    text.append(_md_table(table, {"half point first": ",.0f", "half point latest": ",.0f"}))
    grows = table[table["verdict"].str.startswith("still grows")]["channel"].unique()
    saturating = table[table["verdict"].str.startswith("saturating")]["channel"].unique()
    text += ["", f"Still growing: {', '.join(grows) or 'none'}. Saturating: {', '.join(saturating) or 'none'}.", ""]
    return "\n".join(text)


def _recommendations(provenance: dict[str, Provenance], tables: Tables, b: Board) -> str:
    text = ["# Recommendations", "", _provenance_block(provenance)]
    recs = tables.get("agent_recommendations")
    if recs is not None and not recs.empty:
        for (segment, kind), rows in recs.groupby(["segment_id", "recommendation_kind"]):
            text += (
                [
                    f"## {segment}: {kind.replace('_', ' ')}",
                    "",
                    _md_table(
                        rows[
                            [
                                "channel",
                                "current_weekly_spend",
                                "recommended_weekly_spend",
                                "weekly_change",
                                "quarter_change",
                                "confidence",
                            ]
                        ],
                        {c: ",.0f" for c in ("current_weekly_spend", "recommended_weekly_spend")}
                        | {c: "+,.0f" for c in ("weekly_change", "quarter_change")},
                    ),
                    "Reasons:",
                    "",
                ]
                + [
                    f"- **{r.channel}**: {r.reason}"
                    for r in rows.itertuples()
                    if kind == "saturation_audit_move" or r.Index == rows.index[0]
                ]
                + [""]
            )
    elif tables.has("mmm_saturation_audit"):
        text += [_md_table(tables.current("mmm_saturation_audit"))]
    else:
        text += [
            (
                f"Saturation audit and recommended scenario: {NOT_BUILT} (the planning tables "
                "mmm_saturation_audit / mmm_scenarios are not in this warehouse)."
            ),
            "",
        ]
    positions = tables.current("agent_saturation_positions")
    if not positions.empty:
        text += [
            "## Positions the recommendations start from",
            "",
            _md_table(
                positions[
                    [
                        "segment_id",
                        "channel",
                        "current_weekly_spend",
                        "saturation_position",
                        "prob_marginal_roi_above_floor",
                        "roi_floor",
                        "marginal_roi_mean",
                        "headroom_weekly_spend",
                    ]
                ],
                {"current_weekly_spend": ",.0f", "headroom_weekly_spend": ",.0f"},
            ),
        ]
    text += ["## Alerts", ""] + ([f"- {a}" for a in b.alerts] or ["- none"]) + [""]
    return "\n".join(text)


def _agreement(provenance: dict[str, Provenance], tables: Tables) -> str:
    text = ["# MMM vs attribution agreement matrix", "", _provenance_block(provenance)]
    if tables.has("mmm_attribution_agreement"):
        text += [
            (
                "Latest month per segment (columns) and channel (rows): |attributed - MMM| / |MMM| and the level "
                "(flag > 30%, escalate > 50%); the raw numbers are in mmm_attribution_agreement."
            ),
            "",
            _md_table(agreement_matrix(tables.current("mmm_attribution_agreement"))),
        ]
    else:
        text += [
            (
                f"Agreement matrix: {NOT_BUILT} (mmm_attribution_agreement is not in this warehouse). "
                "Flags: > 30% disagreement, escalation: > 50%."
            ),
            "",
        ]
    return "\n".join(text)


def markdown_files(provenance: dict[str, Provenance], tables: Tables, b: Board) -> dict[str, str]:
    """Relative path -> markdown text for every file."""
    curves = tables.current("mmm_curves")
    month = (
        f"{curves['refreshed_at'].max():%Y-%m}" if not curves.empty else pd.Timestamp.now(tz="UTC").strftime("%Y-%m")
    )
    files = {
        "mmm-context.md": _context(provenance, tables, b),
        f"refresh/{month}.md": _refresh(provenance, tables, b, month),
        "channel-decay.md": _decay(provenance, tables),
        "recommendations.md": _recommendations(provenance, tables, b),
        "agreement-matrix.md": _agreement(provenance, tables),
    }
    files.update(_saturation_curves(provenance, tables))
    return files
