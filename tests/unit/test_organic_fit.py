"""A real (tiny) fit with an organic channel: a positive contribution with an interval, in its own
unit on the curves, in the decomposition, and no ROI; and the organic bench's figures."""

from __future__ import annotations

import json

import numpy as np
import pytest

from curvehouse.fitting.segments import fit_segments
from curvehouse.organic_bench import ORGANIC, UNIT, organic_data, organic_figures

TINY = {
    "sampler": {"chains": 2, "warmup": 150, "draws": 150, "chain_method": "sequential", "draws_kept": 20},
    "holdout_weeks": 0,
    "backtest": {"folds": 0},
}


@pytest.fixture(scope="module")
def scenario():
    return organic_data(n_segments=1, n_weeks=104)


@pytest.fixture(scope="module")
def fitted(scenario):
    return fit_segments(scenario.long, scenario.registry, TINY, progress=lambda _: None)


def _rows(frame, artifact, channel=ORGANIC):
    return frame[(frame["artifact"] == artifact) & (frame["channel"] == channel)]


def test_organic_contribution_is_positive_with_an_interval_and_has_no_roi(fitted):
    summary = _rows(fitted, "summary").set_index("parameter")
    assert (
        0 < summary.at["contribution", "p05"] < summary.at["contribution", "mean"] < summary.at["contribution", "p95"]
    )
    assert "roi" not in summary.index
    assert "roi" not in set(_rows(fitted, "parameter")["parameter"])
    paid = fitted[(fitted["artifact"] == "summary") & (fitted["parameter"] == "roi")]
    assert len(paid) == 4 and paid["mean"].gt(0).all()


def test_organic_curve_runs_over_its_own_weekly_volume_and_says_its_unit(scenario, fitted):
    curve = _rows(fitted, "curve")
    volume = scenario.long[scenario.long["variable_name"] == ORGANIC]["value"]
    np.testing.assert_allclose(curve["spend_level"].max(), volume.max(), rtol=1e-5)
    details = {json.loads(d)["unit"] for d in curve["details"]} | {
        json.loads(d)["channel_kind"] for d in curve["details"]
    }
    assert details == {UNIT, "organic"}
    response = curve[curve["parameter"] == "response"].sort_values("spend_level")["mean"].to_numpy()
    assert response[0] == 0 and np.all(np.diff(response) >= 0)


def test_organic_channel_is_its_own_decomposition_kind_and_parameters_say_the_prior_kind(fitted):
    decomposition = _rows(fitted, "decomposition")
    assert set(decomposition["details"]) == {"organic"} and len(decomposition) == 104
    kinds = {json.loads(d)["prior_kind"] for d in _rows(fitted, "parameter")["details"]}
    assert kinds == {"share"}


def test_organic_figures_read_the_organic_share_against_its_truth(scenario, fitted):
    figures = organic_figures(fitted, scenario, 1.0)
    assert figures["organic_share_error"] < 0.1
    assert 0 <= figures["roi_mare"] < 1 and figures["seconds"] == 1.0


def test_a_marginal_roi_prior_fits_and_publishes_roi_rows_that_say_their_prior_kind(scenario):
    paid = scenario.long[(scenario.long["variable_kind"] != "organic")]
    registry = scenario.registry.copy()
    channel = sorted(paid.loc[paid["variable_kind"] == "spend", "variable_name"].unique())[0]
    registry.loc[registry["channel"] == channel, ["roi_prior_mean", "roi_prior_sd"]] = None
    registry.loc[registry["channel"] == channel, ["mroi_prior_mean", "mroi_prior_sd"]] = [0.8, 0.4]
    fitted = fit_segments(paid, registry, TINY, progress=lambda _: None)
    roi = fitted[(fitted["artifact"] == "parameter") & (fitted["parameter"] == "roi")].set_index("channel")
    assert len(roi) == 4 and roi["mean"].gt(0).all()
    assert json.loads(roi.at[channel, "details"]) == {"prior_kind": "mroi"}
    assert roi.drop(index=channel)["details"].isna().all()
    summary = fitted[(fitted["artifact"] == "summary") & (fitted["parameter"] == "marginal_roi")].set_index("channel")
    assert summary.at[channel, "mean"] > 0
