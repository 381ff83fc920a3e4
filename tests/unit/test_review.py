"""The review (curvehouse.review): checks on hand-made arrays against hand computations, the publish
rule under a non-default blocking list, and one tiny real fit with planted problems (a residual drift
the model cannot express, a channel whose spend never varies) that the review must name."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.fitting.publish import publish_failures
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.spec import spec_from_config
from curvehouse.review import checks as ck
from curvehouse.review.names import DEFAULT_BLOCKING
from curvehouse.review.rows import publish_checks

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv", "linkedin"))
LOOSE_PUBLISH = {"rhat_max": 1.5, "ess_min": 5, "divergences_max": 1000, "r2_min": 0.0}


def test_ebfmi_matches_a_hand_computation():
    energy = np.array([[1.0, 3.0, 2.0, 4.0], [0.0, 1.0, 0.0, 1.0]])
    # chain 0: squared steps (4 + 1 + 4) / 3 = 3 over variance 1.25; chain 1: 1 over 0.25
    np.testing.assert_allclose(ck.ebfmi(energy), [2.4, 4.0])
    check = ck.ebfmi_check(energy, minimum=3.0)
    assert (check.outcome, check.value, check.threshold) == ("fail", 2.4, 3.0)
    assert "2.40, 4.00" in check.message
    assert ck.ebfmi_check(energy, minimum=0.3).outcome == "pass"


def test_tree_depth_share_matches_a_hand_computation():
    # a full tree of depth d takes 2**d - 1 leapfrog steps: depths 10, 9, 2 / 10, 10, 3
    steps = np.array([[1023, 511, 3], [1023, 1023, 7]])
    assert ck.tree_depth_share(steps, 10) == pytest.approx(3 / 6)
    assert ck.tree_depth_share(steps, 9) == pytest.approx(4 / 6)
    assert ck.tree_depth_share_check(steps, 10, 0.05).outcome == "review"
    assert ck.tree_depth_share_check(steps, 11, 0.05).outcome == "pass"


def test_posterior_predictive_flags_autocorrelated_residuals_and_passes_white_noise():
    rng = np.random.default_rng(0)
    n, t = 400, 80
    mu = np.zeros((n, t))
    y_rep = rng.standard_normal((n, t))
    white = ck.ppc_p_values(rng.standard_normal(t), mu, y_rep)
    drift = ck.ppc_p_values(np.sin(np.linspace(0, np.pi, t)) * 2 + 0.3 * rng.standard_normal(t) - 1.2, mu, y_rep)
    assert drift["ppc_residual_lag1"] < 0.01 and white["ppc_residual_lag1"] > 0.01
    outcomes = {c.check: c.outcome for c in ck.posterior_predictive(drift, 0.05, 0.01)}
    assert outcomes["ppc_residual_lag1"] == "fail"
    assert {c.outcome for c in ck.posterior_predictive({"ppc_outcome_max": 0.97}, 0.05, 0.01)} == {"review"}


def test_roi_prior_shift_names_a_channel_still_its_prior():
    rng = np.random.default_rng(1)
    prior = rng.lognormal(0.0, 0.8, 4000)
    still = ck.roi_prior_shift("radio", rng.permutation(prior)[:1000], prior, 0.9)
    informed = ck.roi_prior_shift("search", rng.normal(2.0, 0.1, 1000), prior, 0.9)
    assert still.outcome == "review" and "radio is still its prior" in still.message
    assert informed.outcome == "pass" and informed.value < 0.2 and "shift" in informed.message


def test_baseline_negative_and_roi_plausible():
    baseline = np.ones((10, 5))
    baseline[:3, 2] = -1.0  # 3 of 10 draws dip below zero in week 2
    mask = np.array([1, 1, 1, 1, 0])
    check = ck.baseline_negative(baseline, mask, 0.1)
    assert (check.value, check.outcome) == (pytest.approx(0.3), "fail")
    assert ck.baseline_negative(baseline, np.array([1, 1, 0, 1, 1]), 0.1).outcome == "pass"
    assert ck.roi_plausible("tv", 30.0, 0.05, 20.0).outcome == "review"
    assert ck.roi_plausible("tv", 0.01, 0.05, 20.0).threshold == 0.05
    assert ck.roi_plausible("tv", 2.0, 0.05, 20.0).outcome == "pass"


def test_publish_rule_follows_the_blocking_list():
    worst = {"max_rhat": 1.001, "min_ess_bulk": 900.0, "min_ess_tail": 800.0}
    default = spec_from_config(None)
    checks = [*publish_checks(default, worst, 0, 0.9, True), ck.ebfmi_check(np.array([[0.0, 1.0, 0.0, 1.0]]), 5.0)]
    assert publish_failures(default, checks) == []
    strict = spec_from_config({"review": {"blocking": [*DEFAULT_BLOCKING, "ebfmi"]}})
    assert publish_failures(strict, checks) == [checks[-1].message]
    # the default rule's reasons; a low in-sample R2 fails its check but blocks only where asked
    bad = publish_checks(default, {**worst, "max_rhat": 1.2}, 3, 0.1, False)
    assert publish_failures(default, bad) == [
        "max R-hat 1.200 > 1.01",
        "3 divergent transitions > 0",
        "non-finite values in the curves or channel summary (never published)",
    ]
    assert next(c for c in bad if c.check == "r2_in_sample").outcome == "fail"
    gated = spec_from_config({"review": {"blocking": [*DEFAULT_BLOCKING, "r2_in_sample"]}})
    assert "in-sample R2 0.10 < 0.5" in publish_failures(gated, bad)
    lenient = spec_from_config({"review": {"blocking": ["min_ess"]}})
    assert publish_failures(lenient, bad) == []


@pytest.fixture(scope="module")
def planted():
    """One segment, 104 weeks: the outcome carries a tent-shaped drift (up for a year, down the next:
    no linear trend or yearly seasonality expresses it) and linkedin spends the same every week."""
    data = generate_demo(n_segments=1, n_weeks=104, seed=11, channels=CHANNELS, deferred_channel=None, daily=False)
    model_input, registry = model_input_from_demo(data)
    model_input = model_input.copy()
    outcome = model_input["variable_kind"] == "outcome"
    weeks = model_input.loc[outcome, "week_start"].rank(method="dense").to_numpy() - 1
    tent = 1 - np.abs(weeks - 52) / 52
    mean = model_input.loc[outcome, "value"].mean()
    model_input.loc[outcome, "value"] += 0.6 * mean * (tent - 0.5)
    flat = (model_input["variable_kind"] == "spend") & (model_input["variable_name"] == "linkedin")
    model_input.loc[flat, "value"] = model_input.loc[flat, "value"].mean()
    config = {
        "sampler": {"chains": 2, "warmup": 200, "draws": 200, "chain_method": "sequential", "draws_kept": 10},
        "holdout_weeks": 0,
        "publish": LOOSE_PUBLISH,
        "review": {"blocking": [*DEFAULT_BLOCKING, "ppc_residual_lag1"]},
        "baseline": {"kind": "fixed"},  # a moving baseline would absorb the drift: that is its job
    }
    frame = fit_segments(model_input, registry, config, progress=lambda _: None)
    review = frame[frame["artifact"] == "review"].copy()
    review = review.join(pd.DataFrame(list(review["details"].map(json.loads)), index=review.index))
    run = frame[frame["artifact"] == "run"].set_index("parameter")
    return review, run


def test_planted_residual_drift_fails_the_posterior_predictive_check_and_blocks_publishing(planted):
    review, run = planted
    lag1 = review[review["parameter"] == "ppc_residual_lag1"].iloc[0]
    assert lag1["outcome"] == "fail" and lag1["value"] < 0.01 and bool(lag1["blocks_publish"])
    # the default rule's checks pass: only the added blocking check rejects the run
    default = review[review["parameter"].isin(DEFAULT_BLOCKING)]
    assert (default["outcome"] == "pass").all(), default[["parameter", "message"]]
    assert run.at["status", "details"] == "rejected"
    assert "lag-1 autocorrelation" in run.at["status_reason", "details"]
    assert run.at["review_outcome", "details"] == "fail" and run.at["review_fails", "value"] >= 1


def test_channel_with_constant_spend_is_still_its_prior(planted):
    review, _ = planted
    shift = review[review["parameter"] == "roi_prior_shift"].set_index("channel")
    assert set(shift.index) == {"paid_search", "tv", "linkedin"}
    assert shift.at["linkedin", "outcome"] == "review", shift[["value", "message"]]
    assert "linkedin is still its prior" in shift.at["linkedin", "message"]
    assert shift["value"].min() < shift.at["linkedin", "value"]
    sampler = review.set_index("parameter").loc[["ebfmi", "tree_depth_share"]]
    assert np.isfinite(sampler["value"].astype(float)).all()


def test_failed_checks_of_current_runs_are_alerts():
    from curvehouse.planning.alerts import review_failure_alerts

    review = pd.DataFrame(
        {
            "run_id": ["r2", "r2", "r2", "r1", "r2", "r2"],
            "segment_id": ["emea"] * 6,
            "check_name": [
                "baseline_negative",
                "roi_prior_shift",
                "ebfmi",
                "baseline_negative",
                "r2_in_sample",  # alerted as low_fit_quality
                "experiments_disagree",  # alerted as experiment_disagrees
            ],
            "channel": [None, "tv", None, None, None, None],
            "value": [0.4, 0.95, 0.8, 0.5, 0.3, 1.0],
            "threshold": [0.1, 0.9, 0.3, 0.1, 0.5, 0.0],
            "outcome": ["fail", "review", "pass", "fail", "fail", "fail"],
            "message": ["probability that the baseline is negative in some week 0.4 > 0.1", "x", "y", "z", "r", "e"],
            "is_current": [True, True, True, False, True, True],
        }
    )
    alerts = review_failure_alerts(review)
    assert alerts[["alert_kind", "severity", "run_id", "observed_value"]].values.tolist() == [
        ["model_review_failure", "warning", "r2", 0.4]
    ]
    assert "baseline_negative failed" in alerts.at[0, "message"]


def test_diagnostics_page_shows_the_current_runs_review():
    from curvehouse.report.pages import diagnostics_page
    from curvehouse.report.tables import Tables

    run = {
        "segment_id": "emea",
        "run_id": "r1",
        "status": "published",
        "status_reason": "passed diagnostics",
        "refreshed_at": pd.Timestamp("2026-01-05"),
        "n_weeks": 104,
        "chains": 2,
        "draws": 100,
        "max_rhat": 1.0,
        "min_ess_bulk": 500.0,
        "divergences": 0,
        "review_outcome": "review",
        "r2_in_sample": 0.9,
        "r2_holdout": 0.8,
        "mape_in_sample": 0.05,
        "mape_holdout": 0.07,
        "fit_seconds": 3.0,
        "methodology": "{}",
        "is_current": True,
    }
    review = pd.DataFrame(
        {
            "run_id": ["r1", "r1", "r0"],
            "segment_id": ["emea"] * 3,
            "check_name": ["max_rhat", "roi_prior_shift", "ebfmi"],
            "check_group": ["sampler", "prior_posterior", "sampler"],
            "channel": [None, "radio", None],
            "value": [1.0, 0.97, 0.1],
            "threshold": [1.01, 0.9, 0.3],
            "outcome": ["pass", "review", "fail"],
            "blocks_publish": [True, False, False],
            "message": ["max R-hat 1 <= 1.01", "ROI of radio is still its prior: posterior sd 0.97 x prior sd", "old"],
            "is_current": [True, True, False],
        }
    )
    html = diagnostics_page(Tables({"mmm_model_runs": pd.DataFrame([run]), "mmm_model_review": review}))
    assert "0 fail, 1 review, 1 pass" in html
    assert "radio is still its prior" in html and ">old<" not in html
    assert html.index("radio is still its prior") < html.index("max R-hat 1 ")  # reviews before passes
