"""Alert rules: each takes published tables as frames and returns alert rows; ``collect_alerts`` routes
them (kind -> role) and gives each a deadline. Every message carries the numbers behind it."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import numpy as np
import pandas as pd

from curvehouse.planning.config import PlanningSpec

__all__ = [
    "gate_failure_alerts",
    "rejected_fit_alerts",
    "previous_published",
    "sign_flip_alerts",
    "fit_quality_alerts",
    "methodology_change_alerts",
    "stale_curve_alerts",
    "deferral_alerts",
    "disagreement_alerts",
    "proposal_alerts",
    "experiment_alerts",
    "review_failure_alerts",
    "changed_settings",
    "collect_alerts",
    "ALERT_COLUMNS",
]

ALERT_COLUMNS = [
    "alert_id",
    "alert_kind",
    "severity",
    "segment_id",
    "channel",
    "run_id",
    "message",
    "observed_value",
    "threshold",
    "route_to",
    "raised_on",
    "due_by",
]
_RULE_COLUMNS = [
    "alert_kind",
    "severity",
    "segment_id",
    "channel",
    "run_id",
    "message",
    "observed_value",
    "threshold",
    "due_by",
    "key",
]
# Parameters whose sign carries meaning (an effect that changes direction between runs).
SIGNED_PARAMETERS = ("roi", "contribution", "gamma", "trend")


def _alerts(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{c: row.get(c) for c in _RULE_COLUMNS} for row in rows], columns=_RULE_COLUMNS)


def gate_failure_alerts(gate_results: pd.DataFrame) -> pd.DataFrame:
    """One alert per failed gate expectation (error -> critical, warning -> warning)."""
    failed = gate_results[~gate_results["success"].astype(bool)]
    return _alerts(
        [
            {
                "alert_kind": "gate_failure",
                "severity": "critical" if r["severity"] == "error" else "warning",
                "segment_id": r["segment_id"],
                "message": f"gate {r['gate']} failed ({r['rule']}): {r['message']}",
                "observed_value": pd.to_numeric(r.get("unexpected_count"), errors="coerce"),
                "key": f"{r['gate']}|{r['expectation']}",
            }
            for r in failed.to_dict("records")
        ]
    )


def previous_published(runs: pd.DataFrame) -> pd.DataFrame:
    """Per segment: the current published run and the published run before it (columns run_id, previous_run_id)."""
    published = runs[runs["status"] == "published"].sort_values(["segment_id", "refreshed_at", "run_id"])
    published = published.assign(previous_run_id=published.groupby("segment_id")["run_id"].shift(1))
    return published[published["is_current"].astype(bool)][["segment_id", "run_id", "previous_run_id"]]


def rejected_fit_alerts(runs: pd.DataFrame) -> pd.DataFrame:
    """Rejected runs newer than the segment's current published run (the last published curves stay current)."""
    current = runs[runs["is_current"].astype(bool)].set_index("segment_id")["refreshed_at"]
    rejected = runs[runs["status"] == "rejected"]
    rows = []
    for r in rejected.to_dict("records"):
        since = current.get(r["segment_id"])
        if since is not None and pd.Timestamp(r["refreshed_at"]) <= pd.Timestamp(since):
            continue
        kept = "the previous published run stays current" if since is not None else "the segment has no published run"
        rows.append(
            {
                "alert_kind": "rejected_fit",
                "severity": "warning",
                "segment_id": r["segment_id"],
                "run_id": r["run_id"],
                "message": f"run {r['run_id']} rejected: {r['status_reason']}; {kept}",
                "key": r["run_id"],
            }
        )
    return _alerts(rows)


def sign_flip_alerts(runs: pd.DataFrame, parameters: pd.DataFrame) -> pd.DataFrame:
    """Parameters (ROI, contribution, control effect, trend) whose posterior mean changed sign between the
    previous and the current published run of a segment."""
    pairs = previous_published(runs).dropna(subset=["previous_run_id"])
    params = parameters[parameters["parameter"].isin(SIGNED_PARAMETERS)].copy()
    params["subject"] = params["channel"].fillna(params["control_name"]).fillna("")
    rows = []
    for pair in pairs.to_dict("records"):
        now = params[params["run_id"] == pair["run_id"]].set_index(["parameter", "subject"])["mean"]
        before = params[params["run_id"] == pair["previous_run_id"]].set_index(["parameter", "subject"])["mean"]
        both = now.to_frame("now").join(before.to_frame("before"), how="inner")
        flipped = both[np.sign(both["now"]) * np.sign(both["before"]) < 0]
        for (parameter, subject), values in flipped.iterrows():
            rows.append(
                {
                    "alert_kind": "sign_flip",
                    "severity": "critical",
                    "segment_id": pair["segment_id"],
                    "channel": subject or None,
                    "run_id": pair["run_id"],
                    "observed_value": values["now"],
                    "threshold": 0.0,
                    "message": (
                        f"{parameter} of {subject or 'the segment'} changed sign: {values['before']:,.4g} in run "
                        f"{pair['previous_run_id']} -> {values['now']:,.4g} in run {pair['run_id']}"
                    ),
                    "key": f"{parameter}|{subject}|{pair['run_id']}",
                }
            )
    return _alerts(rows)


def fit_quality_alerts(runs: pd.DataFrame, r2_floor: float) -> pd.DataFrame:
    """Current runs whose in-sample R2 is below the floor (warning)."""
    current = runs[runs["is_current"].astype(bool) & (runs["r2_in_sample"] < r2_floor)]
    return _alerts(
        [
            {
                "alert_kind": "low_fit_quality",
                "severity": "warning",
                "segment_id": r["segment_id"],
                "run_id": r["run_id"],
                "observed_value": r["r2_in_sample"],
                "threshold": r2_floor,
                "message": (
                    f"in-sample R2 {r['r2_in_sample']:.3f} is below the floor {r2_floor:.2f} "
                    f"(holdout R2 {r['r2_holdout']:.3f}); treat this segment's plans with caution"
                ),
                "key": r["run_id"],
            }
            for r in current.to_dict("records")
        ]
    )


# Review checks whose failure already has an alert kind of its own: one alert per fact.
ALERTED_ELSEWHERE = {"r2_in_sample": "low_fit_quality", "experiments_disagree": "experiment_disagrees"}


def review_failure_alerts(review: pd.DataFrame) -> pd.DataFrame:
    """Failed review checks of current runs (mmm_model_review; warning): the checks that do not block
    publishing (a blocking failure rejects the run, a rejected_fit alert), except those alerted by a
    kind of their own (ALERTED_ELSEWHERE)."""
    failed = review[
        review["is_current"].astype(bool)
        & (review["outcome"] == "fail")
        & ~review["check_name"].isin(list(ALERTED_ELSEWHERE))
    ]
    return _alerts(
        [
            {
                "alert_kind": "model_review_failure",
                "severity": "warning",
                "segment_id": r["segment_id"],
                "channel": r["channel"],
                "run_id": r["run_id"],
                "observed_value": r["value"],
                "threshold": r["threshold"],
                "message": f"review check {r['check_name']} failed on the current run {r['run_id']}: {r['message']}",
                "key": f"{r['run_id']}|{r['check_name']}|{r['channel'] or ''}",
            }
            for r in failed.to_dict("records")
        ]
    )


def changed_settings(before: dict, after: dict, prefix: str = "") -> list[str]:
    """Dotted names of settings that differ between two nested config mappings, with both values."""
    changes = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        if isinstance(a, dict) and isinstance(b, dict):
            changes += changed_settings(a, b, f"{prefix}{name}.")
        elif a != b:
            changes.append(f"{prefix}{name}: {json.dumps(a)} -> {json.dumps(b)}")
    return changes


def methodology_change_alerts(runs: pd.DataFrame) -> pd.DataFrame:
    """The current run's methodology differs from the previous published run's: which settings changed."""
    pairs = previous_published(runs).dropna(subset=["previous_run_id"])
    by_run = runs.set_index("run_id")
    rows = []
    for pair in pairs.to_dict("records"):
        now, before = by_run.loc[pair["run_id"]], by_run.loc[pair["previous_run_id"]]
        if now["methodology_version"] == before["methodology_version"]:
            continue
        changes = changed_settings(json.loads(before["methodology"] or "{}"), json.loads(now["methodology"] or "{}"))
        rows.append(
            {
                "alert_kind": "methodology_change",
                "severity": "info",
                "segment_id": pair["segment_id"],
                "run_id": pair["run_id"],
                "observed_value": float(len(changes)),
                "message": (
                    f"methodology {before['methodology_version']} -> {now['methodology_version']} since run "
                    f"{pair['previous_run_id']}: " + ("; ".join(changes) or "hash changed")
                ),
                "key": pair["run_id"],
            }
        )
    return _alerts(rows)


def stale_curve_alerts(staleness: pd.DataFrame, stale_after_days: float) -> pd.DataFrame:
    """BYOMM models whose latest curves are older than the staleness limit (int_byomm_staleness_alerts)."""
    return _alerts(
        [
            {
                "alert_kind": "stale_curves",
                "severity": "warning",
                "segment_id": r["segment_id"],
                "run_id": r["run_id"],
                "message": r["message"],
                "observed_value": float(r["staleness_days"]),
                "threshold": float(stale_after_days),
                "key": f"{r['source']}|{r['model_id']}",
            }
            for r in staleness.to_dict("records")
        ]
    )


def deferral_alerts(deferrals: pd.DataFrame) -> pd.DataFrame:
    """New channels left out of the fit until they have enough weeks; due when they become eligible."""
    return _alerts(
        [
            {
                "alert_kind": "channel_deferred",
                "severity": "info",
                "segment_id": r["segment_id"],
                "channel": r["channel"],
                "message": (
                    f"{r['channel']} deferred: {r['reason']}; "
                    f"eligible from {pd.Timestamp(r['eligible_from_date']).date()}"
                ),
                "observed_value": float(r["weeks_live"]),
                "threshold": float(r["weeks_required"]),
                "due_by": pd.Timestamp(r["eligible_from_date"]).date(),
                "key": r["channel"],
            }
            for r in deferrals.to_dict("records")
        ]
    )


def disagreement_alerts(agreement: pd.DataFrame, spec: PlanningSpec) -> pd.DataFrame:
    """Per segment x channel, the latest month of the agreement matrix when it is flagged or escalated."""
    if agreement.empty:
        return _alerts([])
    latest = agreement.sort_values("month").groupby(["segment_id", "channel"]).tail(1)
    latest = latest[latest["agreement_level"] != "agree"]
    rows = []
    for r in latest.to_dict("records"):
        run = int(r["consecutive_flagged_months"])
        rel = r["relative_disagreement"]
        why = f"{rel:.0%}" if pd.notna(rel) else "MMM 0 vs a non-zero attribution"
        rows.append(
            {
                "alert_kind": "attribution_disagreement",
                "severity": "critical" if r["agreement_level"] == "escalate" else "warning",
                "segment_id": r["segment_id"],
                "channel": r["channel"],
                "run_id": r["run_id"],
                "observed_value": rel if pd.notna(rel) else None,
                "threshold": spec.disagreement_escalate
                if r["agreement_level"] == "escalate"
                else spec.disagreement_flag,
                "message": (
                    f"{r['agreement_level']}: in {pd.Timestamp(r['month']):%Y-%m} the MMM credits {r['channel']} with "
                    f"{r['mmm_contribution']:,.0f} and attribution with {r['attributed_revenue']:,.0f} "
                    f"(disagreement {why}; {run} month{'s' if run != 1 else ''} in a row above "
                    f"{spec.disagreement_flag:.0%})"
                ),
                "key": f"{r['channel']}|{pd.Timestamp(r['month']):%Y-%m}",
            }
        )
    return _alerts(rows)


def proposal_alerts(proposals: pd.DataFrame, spec: PlanningSpec) -> pd.DataFrame:
    """Reallocation proposals above the dollar threshold, with their saturation math."""
    above = proposals[proposals["is_above_threshold"].astype(bool)]
    rows = []
    for r in above.to_dict("records"):
        if pd.notna(r.get("expected_lift_mean")):
            math = (
                f"expected weekly lift {r['expected_lift_mean']:+,.0f} (80% interval {r['expected_lift_p10']:+,.0f} "
                f"to {r['expected_lift_p90']:+,.0f}); marginal ROI {r['channel_from']} "
                f"{r['from_marginal_roi_mean']:.2f} vs {r['channel_to']} {r['to_marginal_roi_mean']:.2f}"
            )
        else:
            math = "not evaluated"
        flag = f"; {r['flag']}" if isinstance(r.get("flag"), str) else ""
        rows.append(
            {
                "alert_kind": "reallocation_proposal",
                "severity": "warning",
                "segment_id": r["segment_id"],
                "channel": r["channel_to"],
                "run_id": r.get("run_id"),
                "observed_value": float(r["weekly_amount"]),
                "threshold": spec.proposal_alert_threshold,
                "message": (
                    f"{r['proposed_by'] or 'someone'} proposes moving {float(r['weekly_amount']):,.0f} per week from "
                    f"{r['channel_from']} to {r['channel_to']} (above {spec.proposal_alert_threshold:,.0f}): "
                    f"{math}{flag}"
                ),
                "key": "|".join(
                    [
                        str(pd.Timestamp(r["proposal_date"]).date()),
                        r["channel_from"],
                        r["channel_to"],
                        str(r["proposed_by"]),
                    ]
                ),
            }
        )
    return _alerts(rows)


def experiment_alerts(experiments: pd.DataFrame) -> pd.DataFrame:
    """The current runs' lift tests whose measured lift and the model's prediction before calibration
    lie beyond each other's 90% intervals (mmm_experiments agreement 'disagrees')."""
    if experiments.empty:
        return _alerts([])
    current = experiments[experiments["is_current"].astype(bool) & (experiments["agreement"] == "disagrees")]
    return _alerts(
        [
            {
                "alert_kind": "experiment_disagrees",
                "severity": "warning",
                "segment_id": r["segment_id"],
                "channel": r["channel"],
                "run_id": r["run_id"],
                "observed_value": float(r["measured_lift_weekly"]),
                "threshold": float(r["predicted_lift_before_mean"]),
                "message": (
                    f"experiment {r['experiment_id']} on {r['channel']} measured a weekly lift of "
                    f"{r['measured_lift_weekly']:+,.0f}; before calibration the model predicted "
                    f"{r['predicted_lift_before_mean']:+,.0f} (90% interval {r['predicted_lift_before_p05']:+,.0f} "
                    f"to {r['predicted_lift_before_p95']:+,.0f}), after {r['predicted_lift_after_mean']:+,.0f}"
                ),
                "key": str(r["experiment_id"]),
            }
            for r in current.to_dict("records")
        ]
    )


def collect_alerts(rules: list[pd.DataFrame], spec: PlanningSpec, as_of: date) -> pd.DataFrame:
    """Union rule outputs; add alert_id, route_to (spec.alert_routes) and due_by (as_of + days by severity,
    unless the rule set its own)."""
    frames = [f.dropna(axis=1, how="all") for f in rules if not f.empty]
    if not frames:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    alerts = pd.concat(frames, ignore_index=True).reindex(columns=_RULE_COLUMNS)
    alerts["route_to"] = alerts["alert_kind"].map(spec.route_of)
    alerts["raised_on"] = as_of
    days = alerts["severity"].map(spec.alert_due_days).astype(int)
    default_due = [as_of + timedelta(days=int(d)) for d in days]
    alerts["due_by"] = [
        due if due is not None and not pd.isna(due) else d for due, d in zip(alerts["due_by"], default_due, strict=True)
    ]
    alerts["alert_id"] = [
        hashlib.sha256("|".join(str(v) for v in (k, s, c, key)).encode()).hexdigest()[:16]
        for k, s, c, key in zip(
            alerts["alert_kind"], alerts["segment_id"], alerts["channel"], alerts["key"], strict=True
        )
    ]
    return alerts.drop_duplicates("alert_id")[ALERT_COLUMNS].reset_index(drop=True)
