"""The budget planner page: move each channel's weekly spend and see the outcome live, offline.

The page embeds, as JSON, the very rows the runtime SQL functions read (mmm_planning_curve_draws and
mmm_planning_channels, current curves only) and evaluates them in inline JavaScript with the formula
of ``mmm_what_if`` (macros/planning_functions.sql): per draw, the sum over channels of
calibration_factor * Hill(spend); outcome = base + mean over draws, 80% interval from the 10th / 90th
percentiles (linear interpolation, as percentile_cont), channels outside the observed weekly range
(0.005 tolerance) counted. Contribution and marginal ROI per channel are ``mmm_response`` and
``mmm_marginal_roi``. The nearest frontier allocation comes from the published mmm_efficient_frontier
(rank 1, the budget level nearest the page's total), re-evaluated on the same draws.

Size: 4 numbers per segment x channel x draw (a column constant over draws is one number), bounded by
the build's kept draws (vars mmm.sampler.draws_kept, planning.pseudo_draws); a segment with more
than ``MAX_DRAWS`` draws is thinned evenly and the page says its numbers then approximate the SQL.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from curvehouse.report.html import missing, section
from curvehouse.report.tables import Tables

__all__ = ["MAX_DRAWS", "planner_data", "planner_page"]

MAX_DRAWS = 1000  # per segment; the defaults keep 200
_CURVE = {"K": "saturation_half_point", "M": "saturation_max", "S": "hill_slope", "C": "calibration_factor"}
_WHY = (
    "The planner evaluates mmm_planning_curve_draws and mmm_planning_channels; run `dbt build` with the "
    "planning models to publish them."
)

# Okabe-Ito colours (colour-blind safe); text colours darkened to at least 4.5:1 on white.
CSS = """
.planner-seg{background:#fff;border:1px solid #dde3e9;border-radius:6px;padding:.4em 1.2em 1em;margin:1.2em 0}
.kpis{display:flex;flex-wrap:wrap;gap:.8em;margin:.6em 0}.kpi{flex:1 1 230px;border:1px solid #dde3e9;
border-radius:6px;padding:.5em .8em;background:#fafbfc}.kpi .label{display:block;font-size:.85em;color:#5c6670}
.kpi strong{font-size:1.35em;font-variant-numeric:tabular-nums}.kpi input{width:9em}
.planner-seg table{width:100%}.planner-seg input[type=range]{width:12em;vertical-align:middle;accent-color:#0072B2}
.planner-seg input[type=number]{width:8em;font-variant-numeric:tabular-nums}
td.spend{white-space:nowrap}td.spend .flag{display:block;white-space:normal}
tr.extrapolating td{background:#fbeee5}.flag{color:#a13f00;font-weight:600}.up{color:#005a8c}.down{color:#a13f00}
.planner-seg button{margin:.2em .6em .2em 0;padding:.3em .8em;border:1px solid #0072B2;border-radius:4px;
background:#fff;color:#005a8c;cursor:pointer}.planner-seg button:focus-visible,.planner-seg input:focus-visible{
outline:3px solid #E69F00;outline-offset:1px}
"""

# The formula of mmm_what_if / mmm_response / mmm_marginal_roi (macros/planning_functions.sql, hill.sql).
SCRIPT = r"""
(() => {
  "use strict";
  const DATA = JSON.parse(document.getElementById("planner-data").textContent);
  const TOLERANCE = 0.005;  // mmm_what_if's tolerance on the observed range
  const usd = (v, digits = 0) => (v < 0 ? "-" : "") + "$" +
    Math.abs(v).toLocaleString("en-US", {minimumFractionDigits: digits, maximumFractionDigits: digits});
  const signed = v => (v > 0 ? "+" : "") + usd(v);
  const week = v => usd(v) + " / week";
  const pick = (x, i) => (Array.isArray(x) ? x[i] : x);
  const hill = (s, K, M, S) => { const p = Math.pow(s, S); return M * p / (p + Math.pow(K, S)); };
  const marginal = (s, K, M, S) => {
    const x = Math.max(s, 1e-6 * K); const r = Math.pow(x / K, S);
    return M * S * r / (x * Math.pow(1 + r, 2));
  };
  const quantile = (sorted, q) => {  // percentile_cont: linear interpolation between order statistics
    const pos = q * (sorted.length - 1); const lo = Math.floor(pos); const hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  };
  const mean = values => values.reduce((a, b) => a + b, 0) / values.length;
  const outside = (ch, s) => ch.min !== null && ch.max !== null &&
    (s < ch.min - TOLERANCE || s > ch.max + TOLERANCE);

  function evaluate(seg, spends) {
    const index = new Map(seg.draws.map((d, i) => [d, i]));
    const perDraw = new Array(seg.draws.length).fill(0);
    const channels = {};
    for (const ch of seg.channels) {
      const c = ch.curve; const s = spends[ch.channel];
      if (!c) { channels[ch.channel] = {contribution: NaN, marginal: NaN}; continue; }
      const n = c.d ? c.d.length : seg.draws.length;
      let contribution = 0; let slope = 0;
      for (let i = 0; i < n; i++) {
        const K = pick(c.K, i); const M = pick(c.M, i); const S = pick(c.S, i); const C = pick(c.C, i);
        const v = C * hill(s, K, M, S);
        perDraw[c.d ? index.get(c.d[i]) : i] += v;
        contribution += v; slope += C * marginal(s, K, M, S);
      }
      channels[ch.channel] = {contribution: contribution / n, marginal: slope / n};
    }
    const sorted = perDraw.slice().sort((a, b) => a - b);
    const inc = {mean: mean(perDraw), p10: quantile(sorted, 0.1), p90: quantile(sorted, 0.9)};
    return {
      perDraw, channels, incremental: inc,
      mean: seg.base + inc.mean, p10: seg.base + inc.p10, p90: seg.base + inc.p90,
      budget: seg.channels.reduce((t, ch) => t + spends[ch.channel], 0),
      outside: seg.channels.filter(ch => outside(ch, spends[ch.channel])).length,
    };
  }

  const el = (tag, attrs = {}, text = "") => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text) node.textContent = text;
    return node;
  };
  const kpi = (label, key) => {
    const box = el("div", {class: "kpi"}); box.append(el("span", {class: "label"}, label));
    const value = el("strong", {"data-out": key}); const note = el("span", {"data-out": key + "-note"});
    box.append(value, el("br"), note); return box;
  };

  function planner(seg, si) {
    const root = el("section", {class: "planner-seg", "data-segment": seg.segment_id});
    root.append(el("h2", {}, "Segment " + seg.segment_id));
    const thinned = seg.draws.length < seg.draws_published ?
      ` (thinned from ${seg.draws_published}: numbers approximate mmm_what_if)` : "";
    root.append(el("p", {class: "muted"}, `Curves ${seg.run_id}; ${seg.draws.length} draws${thinned}; ` +
      `80% intervals from ${seg.interval_source}; base outcome ${week(seg.base)} (not driven by media).`));
    const kpis = el("div", {class: "kpis", "aria-live": "polite"});
    const totalBox = el("div", {class: "kpi"});
    const totalId = `p${si}-total`;
    totalBox.append(el("label", {class: "label", for: totalId}, "Total budget ($ / week; scales the mix)"));
    const total = el("input", {type: "number", id: totalId, min: "0", step: "0.01", "data-in": "total"});
    totalBox.append(total);
    kpis.append(kpi("Expected weekly outcome (80% interval)", "outcome"), totalBox,
      kpi("Change vs current allocation (paired draws, 80%)", "delta"),
      kpi("Nearest frontier allocation (published mmm_efficient_frontier)", "frontier"));
    root.append(kpis);
    const flags = el("p", {"data-out": "flags", role: "status"}); root.append(flags);
    const table = el("table");
    const head = el("tr");
    for (const h of ["Channel", "Weekly spend ($ / week)", "Observed weekly range ($ / week)",
      "Current ($ / week)", "Contribution ($ / week)", "Marginal ROI ($ per extra $)", "Frontier ($ / week)"]) {
      head.append(el("th", {scope: "col"}, h));
    }
    const thead = el("thead"); thead.append(head); table.append(thead);
    const body = el("tbody"); table.append(body); root.append(table);
    const reset = el("button", {type: "button", "data-action": "reset"}, "Reset to the current allocation");
    const apply = el("button", {type: "button", "data-action": "frontier"}, "Use the frontier allocation");
    root.append(reset, apply);

    const spends = {}; const rows = {};
    seg.channels.forEach((ch, ci) => {
      spends[ch.channel] = ch.current;
      const id = `p${si}-${ci}`; const label = `${ch.name} weekly spend ($ / week)`;
      const tr = el("tr", {"data-channel": ch.channel});
      const name = el("th", {scope: "row"}); name.append(el("label", {for: id + "-num"}, ch.name));
      if (ch.group) name.append(el("span", {class: "muted"}, " " + ch.group));
      const hasRange = ch.min !== null && ch.max !== null;
      const lo = hasRange ? ch.min : 0; const hi = hasRange ? ch.max : Math.max(2 * ch.current, 1);
      const range = el("input", {type: "range", id: id + "-range", min: String(lo), max: String(hi),
        step: "any", "aria-label": label, "data-in": "range"});
      const num = el("input", {type: "number", id: id + "-num", min: "0", step: "0.01", "data-in": "number"});
      const spendCell = el("td", {class: "spend"}); spendCell.append(range, " ", num);
      const flag = el("span", {class: "flag", "data-out": "extrapolation", id: id + "-flag"});
      num.setAttribute("aria-describedby", id + "-flag"); spendCell.append(flag);
      const rangeCell = el("td", {class: "num"}, hasRange ? `${usd(ch.min)} to ${usd(ch.max)}` :
        "not published (nothing flagged)");
      const cells = ["contribution", "marginal", "frontier"].map(k => el("td", {class: "num", "data-out": k}));
      tr.append(name, spendCell, rangeCell, el("td", {class: "num"}, usd(ch.current)), ...cells);
      body.append(tr);
      rows[ch.channel] = {tr, range, num, flag, cells, ch};
      range.addEventListener("input", () => { spends[ch.channel] = Number(range.value); update(range); });
      num.addEventListener("input", () => {
        if (num.value === "" || !(Number(num.value) >= 0)) return;
        spends[ch.channel] = Number(num.value); update(num);
      });
    });
    const current = evaluate(seg, spends);

    function nearestFrontier(budget) {
      let best = null;
      for (const level of seg.frontier) {
        if (best === null || Math.abs(level.budget - budget) < Math.abs(best.budget - budget)) best = level;
      }
      return best;
    }
    const allocation = values => Object.fromEntries(seg.channels.map(c => [c.channel, values[c.channel] ?? 0]));
    function setAll(values) {
      Object.assign(spends, allocation(values));
      update(null);
    }
    total.addEventListener("input", () => {
      const target = Number(total.value); const now = evaluate(seg, spends).budget;
      if (total.value === "" || !(target >= 0)) return;
      const scaled = {};
      for (const ch of seg.channels) {
        scaled[ch.channel] = now > 0 ? spends[ch.channel] * target / now : target / seg.channels.length;
      }
      for (const ch of seg.channels) spends[ch.channel] = scaled[ch.channel];
      update(total);
    });
    reset.addEventListener("click", () => setAll(Object.fromEntries(seg.channels.map(c => [c.channel, c.current]))));

    function show(key, value, text, note) {
      const node = root.querySelector(`[data-out="${key}"]`);
      node.textContent = text; node.dataset.value = String(value);
      root.querySelector(`[data-out="${key}-note"]`).textContent = note;
    }
    function update(source) {
      const result = evaluate(seg, spends);
      root.dataset.result = JSON.stringify({
        budget: result.budget, mean: result.mean, p10: result.p10, p90: result.p90,
        incremental: result.incremental, outside: result.outside, channels: result.channels,
      });
      show("outcome", result.mean, week(result.mean), `80%: ${usd(result.p10)} to ${usd(result.p90)} / week; ` +
        `media-driven ${week(result.incremental.mean)}`);
      const deltas = result.perDraw.map((v, i) => v - current.perDraw[i]).sort((a, b) => a - b);
      const delta = result.mean - current.mean;
      show("delta", delta, signed(delta) + " / week", `80%: ${signed(quantile(deltas, 0.1))} to ` +
        `${signed(quantile(deltas, 0.9))} / week; current ${week(current.mean)} at ${week(current.budget)}`);
      root.querySelector('[data-out="delta"]').className = delta >= 0 ? "up" : "down";
      if (source !== total) total.value = result.budget.toFixed(2);
      const level = nearestFrontier(result.budget);
      if (level) {
        const front = evaluate(seg, allocation(level.spend));
        const gap = front.mean - result.mean;
        const off = Math.abs(level.budget - result.budget) > 0.005 * Math.max(result.budget, 1) ?
          ` Nearest of ${seg.frontier.length} published budget levels to your ${week(result.budget)}.` : "";
        const capped = level.capped ? " (capped at the bounds)" : "";
        show("frontier", front.mean, week(front.mean), `at ${week(level.budget)}${capped}: ` +
          `80% ${usd(front.p10)} to ${usd(front.p90)}; ${signed(gap)} / week vs yours.${off}`);
      } else {
        show("frontier", "", "not published", "mmm_efficient_frontier has no rows for this segment.");
        apply.disabled = true;
      }
      apply.onclick = () => level && setAll(level.spend);
      for (const ch of seg.channels) {
        const row = rows[ch.channel]; const s = spends[ch.channel]; const out = outside(ch, s);
        const clamped = Math.min(Math.max(s, Number(row.range.min)), Number(row.range.max));
        if (row.range !== source) row.range.value = String(clamped);
        if (row.num !== source) row.num.value = s.toFixed(2);
        row.tr.classList.toggle("extrapolating", out);
        row.flag.textContent = out ? "\u26a0 outside the observed range: extrapolation" : "";
        const r = result.channels[ch.channel];
        const floor = ch.roi_floor === null ? "" : ` (floor ${usd(ch.roi_floor, 2)})`;
        row.cells[0].textContent = ch.curve ? week(r.contribution) : "no curve draws";
        row.cells[1].textContent = ch.curve ? `${usd(r.marginal, 2)} per $${floor}` : "-";
        row.cells[2].textContent = level ? week(level.spend[ch.channel] ?? 0) : "-";
      }
      flags.textContent = result.outside ? `\u26a0 ${result.outside} channel${result.outside > 1 ? "s" : ""} ` +
        "outside the observed weekly range: the curves are extrapolated there." :
        "All channels within their observed weekly range.";
      flags.className = result.outside ? "flag" : "muted";
    }
    update(null);
    return root;
  }

  const host = document.getElementById("planner");
  DATA.forEach((seg, si) => host.append(planner(seg, si)));
})();
"""


def _compact(values: np.ndarray) -> float | list[float]:
    """One number when constant over the draws, else the list (exact doubles either way)."""
    floats = [float(v) for v in values]
    return floats[0] if len(set(floats)) == 1 else floats


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _segment_data(segment: str, planned: pd.DataFrame, draws: pd.DataFrame, frontier: pd.DataFrame) -> dict:
    """One segment's payload: base outcome, draw ids, channels with their curve draws, frontier levels."""
    all_ids = np.sort(draws["draw"].unique())
    kept = all_ids
    if len(all_ids) > MAX_DRAWS:
        kept = all_ids[np.linspace(0, len(all_ids) - 1, MAX_DRAWS).round().astype(int)]
        draws = draws[draws["draw"].isin(kept)]
    channels = []
    by_channel = {c: rows.sort_values("draw") for c, rows in draws.groupby("channel")}
    for row in planned.sort_values("channel").itertuples(index=False):
        rows = by_channel.get(row.channel)
        curve = None
        if rows is not None:
            ids = rows["draw"].to_numpy()
            curve = {key: _compact(rows[column].to_numpy()) for key, column in _CURVE.items()}
            curve["d"] = None if np.array_equal(ids, kept) else [int(i) for i in ids]
        channels.append(
            {
                "channel": row.channel,
                "name": row.display_name if isinstance(row.display_name, str) else row.channel,
                "group": row.channel_group if isinstance(row.channel_group, str) else "",
                "current": float(row.current_weekly_spend),
                "min": _number(row.observed_spend_min),
                "max": _number(row.observed_spend_max),
                "roi_floor": _number(row.roi_floor),
                "curve": curve,
            }
        )
    base = (planned["calibration_factor"] * planned["base_outcome_weekly"].fillna(0)).max()
    levels = []
    best = frontier[frontier["rank"] == 1] if not frontier.empty else frontier
    for level, rows in best.groupby("budget_level") if not best.empty else ():
        first = rows.iloc[0]
        levels.append(
            {
                "level": int(level),
                "budget": float(first["total_weekly_budget"]),
                "capped": bool(first["is_budget_capped"]),
                "spend": {r.channel: float(r.weekly_spend) for r in rows.itertuples(index=False)},
            }
        )
    return {
        "segment_id": segment,
        "run_id": str(planned["run_id"].max()),
        "interval_source": str(planned["interval_source"].max()),
        "base": float(base),
        "draws": [int(i) for i in kept],
        "draws_published": int(len(all_ids)),
        "channels": channels,
        "frontier": levels,
    }


def planner_data(tables: Tables) -> tuple[list[dict], dict[str, str]]:
    """The embedded payload per segment, and for each segment that cannot be planned, why."""
    planned, draws = tables.current("mmm_planning_channels"), tables.current("mmm_planning_curve_draws")
    frontier = tables.current("mmm_efficient_frontier")
    curves = tables.current("mmm_curves")
    segments = sorted(set(curves.get("segment_id", [])) | set(planned.get("segment_id", [])))
    data, missing_why = [], {}
    for segment in segments:
        seg_planned = planned[planned["segment_id"] == segment] if not planned.empty else planned
        seg_draws = draws[draws["segment_id"] == segment] if not draws.empty else draws
        if seg_planned.empty or seg_draws.empty:
            absent = [
                name
                for name, rows in (("mmm_planning_channels", seg_planned), ("mmm_planning_curve_draws", seg_draws))
                if rows.empty
            ]
            missing_why[segment] = f"no rows in {' and '.join(absent)} for this segment"
            continue
        seg_frontier = frontier[frontier["segment_id"] == segment] if not frontier.empty else frontier
        data.append(_segment_data(segment, seg_planned, seg_draws, seg_frontier))
    return data, missing_why


def planner_page(tables: Tables) -> str:
    """The page body: the embedded data, one planner per segment (built by the inline script)."""
    if not tables.built("mmm_planning_channels") or not tables.built("mmm_planning_curve_draws"):
        return missing("Budget planner (mmm_planning_channels, mmm_planning_curve_draws)", _WHY)
    data, missing_why = planner_data(tables)
    payload = json.dumps(data, allow_nan=False, separators=(",", ":")).replace("</", "<\\/")
    notes = "".join(
        section(f"Segment {segment}", missing(f"Budget planner for {segment}", f"{why}. {_WHY}"))
        for segment, why in missing_why.items()
    )
    intro = (
        "<p class=muted>Move a channel's weekly spend (slider within its observed weekly range; the number "
        "box takes any value, and values outside the range are flagged as extrapolation). The outcome is "
        "computed in this page from the published curve draws (mmm_planning_curve_draws) with the formula of "
        "<code>mmm_what_if</code>, so it equals <code>select * from mmm_what_if(...)</code> for the same "
        "allocation. The frontier allocation is the published mmm_efficient_frontier (rank 1) at the "
        "budget level nearest your total, evaluated on the same draws. All amounts are $ per week.</p>"
    )
    return (
        f"<style>{CSS}</style>{intro}<div id=planner data-embedded-bytes={len(payload)}></div>{notes}"
        f"<script type=application/json id=planner-data>{payload}</script><script>{SCRIPT}</script>"
    )
