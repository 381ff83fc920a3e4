"""Alert rules fire on planted cases (and stay quiet otherwise); routing and deadlines follow the vars."""

import json
from datetime import date

import pandas as pd
import pytest

from curvehouse.planning import alerts as rules
from curvehouse.planning.agreement import agreement_matrix
from curvehouse.planning.config import planning_spec

SPEC = planning_spec({"alert_routes": {"sign_flip": "cmo"}})
AS_OF = date(2026, 11, 22)


def runs(**current) -> pd.DataFrame:
    """Two published runs of segment emea (the later current) and one older rejected run."""
    base = {
        "segment_id": "emea",
        "status": "published",
        "status_reason": "passed diagnostics",
        "r2_in_sample": 0.9,
        "r2_holdout": 0.8,
        "methodology_version": "m1",
        "methodology": json.dumps({"adstock_max_lag": 8, "priors": {"roi_mean": 1.5}}),
    }
    rows = [
        {**base, "run_id": "old", "refreshed_at": pd.Timestamp("2026-01-01"), "is_current": False},
        {**base, "run_id": "new", "refreshed_at": pd.Timestamp("2026-06-01"), "is_current": True, **current},
        {
            **base,
            "run_id": "bad",
            "refreshed_at": pd.Timestamp("2025-01-01"),
            "is_current": False,
            "status": "rejected",
            "status_reason": "max R-hat 1.2 > 1.01",
        },
    ]
    return pd.DataFrame(rows)


def parameters(new_gamma: float) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"run_id": "old", "parameter": "gamma", "channel": None, "control_name": "promo", "mean": 0.3},
            {"run_id": "new", "parameter": "gamma", "channel": None, "control_name": "promo", "mean": new_gamma},
            {"run_id": "old", "parameter": "roi", "channel": "tv", "control_name": None, "mean": 1.2},
            {"run_id": "new", "parameter": "roi", "channel": "tv", "control_name": None, "mean": 1.4},
        ]
    )


def test_sign_flip_fires_only_when_a_sign_changes():
    flipped = rules.sign_flip_alerts(runs(), parameters(-0.2))
    assert len(flipped) == 1
    row = flipped.iloc[0]
    assert (row["alert_kind"], row["channel"], row["severity"]) == ("sign_flip", "promo", "critical")
    assert "0.3" in row["message"] and "-0.2" in row["message"] and "old" in row["message"]
    assert rules.sign_flip_alerts(runs(), parameters(0.1)).empty


def test_low_r2_warns_below_the_floor():
    low = rules.fit_quality_alerts(runs(r2_in_sample=0.31), 0.45)
    assert len(low) == 1 and low.iloc[0]["observed_value"] == 0.31 and low.iloc[0]["threshold"] == 0.45
    assert "0.310" in low.iloc[0]["message"]
    assert rules.fit_quality_alerts(runs(), 0.45).empty


def test_methodology_change_names_the_changed_settings():
    changed = json.dumps({"adstock_max_lag": 6, "priors": {"roi_mean": 2.0}})
    alerts = rules.methodology_change_alerts(runs(methodology_version="m2", methodology=changed))
    assert len(alerts) == 1
    message = alerts.iloc[0]["message"]
    assert "adstock_max_lag: 6 -> 8" not in message and "adstock_max_lag: 8 -> 6" in message
    assert "priors.roi_mean: 1.5 -> 2.0" in message
    assert rules.methodology_change_alerts(runs()).empty


def test_rejected_runs_alert_only_when_newer_than_the_current_run():
    assert rules.rejected_fit_alerts(runs()).empty  # the rejected run is older than the current one
    newer = pd.concat(
        [
            runs(),
            pd.DataFrame([{**runs().iloc[2].to_dict(), "run_id": "bad2", "refreshed_at": pd.Timestamp("2026-07-01")}]),
        ]
    )
    alerts = rules.rejected_fit_alerts(newer)
    assert alerts["run_id"].tolist() == ["bad2"] and "stays current" in alerts.iloc[0]["message"]


def test_disagreement_over_half_two_months_running_escalates():
    months = pd.to_datetime(["2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01"])
    mmm = pd.DataFrame(
        {
            "segment_id": "emea",
            "channel": "tv",
            "month": months,
            "mmm_contribution": 100.0,
            "run_id": "new",
            "source": "builtin",
            "mmm_basis": "decomposition",
        }
    )
    mmm = pd.concat([mmm, mmm.assign(channel="ooh")])
    attribution = pd.DataFrame(
        {
            "segment_id": "emea",
            "month": list(months) * 2,
            "channel": ["tv"] * 4 + ["ooh"] * 4,
            "attributed_revenue": [100.0, 110.0, 160.0, 170.0, 100.0, 100.0, 100.0, 135.0],
        }
    )
    matrix = agreement_matrix(mmm, attribution, SPEC)
    tv = matrix[matrix["channel"] == "tv"].set_index("month")
    assert tv["agreement_level"].tolist() == ["agree", "agree", "escalate", "escalate"]
    assert tv["consecutive_flagged_months"].tolist() == [0, 0, 1, 2]
    assert (
        tv["mmm_contribution"].tolist() == [100.0] * 4 and tv["attributed_revenue"].iloc[-1] == 170.0
    )  # raw, not blended
    alerts = rules.disagreement_alerts(matrix, SPEC)
    by_channel = alerts.set_index("channel")
    assert by_channel.loc["tv", "severity"] == "critical" and "2 months in a row" in by_channel.loc["tv", "message"]
    assert by_channel.loc["ooh", "severity"] == "warning"  # 35%: flagged once


def test_two_flagged_months_escalate_even_below_half():
    months = pd.to_datetime(["2026-09-01", "2026-10-01"])
    mmm = pd.DataFrame(
        {
            "segment_id": "s",
            "channel": "tv",
            "month": months,
            "mmm_contribution": 100.0,
            "run_id": "r",
            "source": "builtin",
            "mmm_basis": "decomposition",
        }
    )
    attribution = pd.DataFrame(
        {"segment_id": "s", "month": months, "channel": "tv", "attributed_revenue": [140.0, 135.0]}
    )
    assert agreement_matrix(mmm, attribution, SPEC)["agreement_level"].tolist() == ["flag", "escalate"]


def test_stale_curves_deferrals_and_gate_failures():
    stale = rules.stale_curve_alerts(
        pd.DataFrame(
            [
                {
                    "segment_id": "emea",
                    "run_id": "x",
                    "source": "custom_json",
                    "model_id": "acme",
                    "staleness_days": 676,
                    "message": "Curves of custom_json model acme ... 676 days ago",
                }
            ]
        ),
        31,
    )
    assert stale.iloc[0]["observed_value"] == 676 and stale.iloc[0]["threshold"] == 31
    deferred = rules.deferral_alerts(
        pd.DataFrame(
            [
                {
                    "segment_id": "emea",
                    "channel": "podcast",
                    "reason": "live 9 weeks",
                    "eligible_from_date": pd.Timestamp("2026-12-21"),
                    "weeks_live": 9,
                    "weeks_required": 13,
                }
            ]
        )
    )
    assert deferred.iloc[0]["due_by"] == date(2026, 12, 21)
    gates = rules.gate_failure_alerts(
        pd.DataFrame(
            [
                {
                    "segment_id": "emea",
                    "gate": "platform_gap",
                    "rule": "gap <= 5%",
                    "expectation": "e1",
                    "severity": "error",
                    "success": False,
                    "unexpected_count": 3,
                    "message": "tv 2026-10-05: 1,000 vs 1,200",
                },
                {
                    "segment_id": "emea",
                    "gate": "history",
                    "rule": "13 weeks",
                    "expectation": "e2",
                    "severity": "error",
                    "success": True,
                    "unexpected_count": 0,
                    "message": "ok",
                },
            ]
        )
    )
    assert len(gates) == 1 and gates.iloc[0]["severity"] == "critical" and "1,200" in gates.iloc[0]["message"]


def test_proposals_above_the_threshold_carry_their_saturation_math():
    proposals = pd.DataFrame(
        [
            {
                "proposal_date": pd.Timestamp("2026-11-18"),
                "segment_id": "emea",
                "channel_from": "ooh",
                "channel_to": "tv",
                "weekly_amount": 25_000.0,
                "proposed_by": "brand lead",
                "run_id": "new",
                "expected_lift_mean": 1_234.0,
                "expected_lift_p10": -200.0,
                "expected_lift_p90": 2_500.0,
                "from_marginal_roi_mean": 0.8,
                "to_marginal_roi_mean": 1.3,
                "is_above_threshold": True,
                "flag": None,
            },
            {
                "proposal_date": pd.Timestamp("2026-11-18"),
                "segment_id": "emea",
                "channel_from": "tv",
                "channel_to": "ooh",
                "weekly_amount": 500.0,
                "proposed_by": "x",
                "is_above_threshold": False,
            },
        ]
    )
    alerts = rules.proposal_alerts(proposals, SPEC)
    assert len(alerts) == 1
    message = alerts.iloc[0]["message"]
    assert "25,000" in message and "+1,234" in message and "-200 to +2,500" in message and "0.80 vs tv 1.30" in message


def test_collect_routes_by_kind_and_dates_by_severity():
    flipped = rules.sign_flip_alerts(runs(), parameters(-0.2))
    low = rules.fit_quality_alerts(runs(r2_in_sample=0.2), 0.45)
    deferred = rules.deferral_alerts(
        pd.DataFrame(
            [
                {
                    "segment_id": "emea",
                    "channel": "podcast",
                    "reason": "new",
                    "eligible_from_date": pd.Timestamp("2026-12-21"),
                    "weeks_live": 9,
                    "weeks_required": 13,
                }
            ]
        )
    )
    table = rules.collect_alerts([flipped, low, deferred, rules.rejected_fit_alerts(runs())], SPEC, AS_OF)
    by_kind = table.set_index("alert_kind")
    assert by_kind.loc["sign_flip", "route_to"] == "cmo"  # overridden by the var
    assert by_kind.loc["low_fit_quality", "route_to"] == "marketing_science_lead"
    assert by_kind.loc["sign_flip", "due_by"] == date(2026, 11, 24)  # critical: 2 days
    assert by_kind.loc["low_fit_quality", "due_by"] == date(2026, 11, 29)  # warning: 7 days
    assert by_kind.loc["channel_deferred", "due_by"] == date(2026, 12, 21)
    assert table["alert_id"].is_unique and list(table.columns) == rules.ALERT_COLUMNS
    assert (table["raised_on"] == AS_OF).all()


def test_unknown_alert_kinds_in_routes_are_rejected():
    with pytest.raises(ValueError, match="alert_routes"):
        planning_spec({"alert_routes": {"typo_kind": "cmo"}})
