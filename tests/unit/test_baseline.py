"""The time-varying baseline: its basis, its settings, and tiny real fits on data with a level shift."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from curvehouse.baseline_bench import SHIFT, SHIFT_WEEK, baseline_effect, relaunch_input, shift_level
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.baseline import KNOTS, baseline_shift, knot_basis
from curvehouse.model.data import build_model_data
from curvehouse.model.numpyro_model import model_arrays
from curvehouse.model.priors import build_priors
from curvehouse.model.sampling import sample_posterior
from curvehouse.model.spec import spec_from_config
from curvehouse.posterior.derive import component_draws
from curvehouse.report.figures import actual_vs_fitted

SAMPLER = {"chains": 2, "warmup": 150, "draws": 150, "chain_method": "sequential", "draws_kept": 20}
WEEKS = 120


def _masks() -> tuple[np.ndarray, np.ndarray]:
    """Two segments padded to 30 weeks: one of 30 weeks with its last 5 held out, one of 20."""
    time_mask = np.zeros((2, 30), dtype=np.float32)
    time_mask[0], time_mask[1, :20] = 1, 1
    fit_mask = time_mask.copy()
    fit_mask[0, 25:] = 0
    return time_mask, fit_mask


def test_every_shift_has_mean_zero_and_no_slope_over_the_fit_weeks_and_is_flat_after_them():
    time_mask, fit_mask = _masks()
    basis = np.asarray(knot_basis(fit_mask, 6))
    shift = np.asarray(baseline_shift(np.random.default_rng(1).normal(size=(2, 6)), fit_mask, time_mask))
    t = np.arange(30)
    for s in range(2):
        fit = fit_mask[s] > 0
        assert np.abs(basis[s, fit].mean(axis=0)).max() < 1e-5
        assert np.abs(((t[fit] - t[fit].mean())[:, None] * basis[s, fit]).sum(axis=0)).max() < 1e-3
        assert np.abs(shift[s, fit].mean()) < 1e-5
        assert np.std(shift[s, fit]) > 0.01  # it moves
    assert np.allclose(shift[0, 24:], shift[0, 24])  # the held-out weeks keep the last fitted week's shift
    assert np.all(shift[1, 20:] == 0)  # padding


def test_baseline_settings_are_validated_and_stay_out_of_the_methodology_while_fixed():
    default = spec_from_config({})
    assert default.to_dict()["baseline"] == {"kind": "time_varying", "knots": 6, "step_sd": 0.1}
    fixed = spec_from_config({"baseline": {"kind": "fixed"}})
    assert "baseline" not in fixed.to_dict()
    assert spec_from_config({"baseline": {"kind": "fixed", "knots": 7}}).version == fixed.version
    assert fixed.version != default.version
    for bad, message in (
        ({"kind": "spline"}, "baseline.kind"),
        ({"kind": "time_varying", "knots": 1}, "baseline.knots"),
        ({"step_sd": 0}, "baseline.step_sd"),
        ({"every": 4}, "unknown methodology baseline setting"),
    ):
        with pytest.raises(ValueError, match=message):
            spec_from_config({"baseline": bad})


def test_shift_level_raises_the_outcome_from_the_shift_week_by_the_share_of_the_mean_before():
    long, _, _ = relaunch_input(segments=1, weeks=WEEKS)
    unshifted = shift_level(long, SHIFT_WEEK, -SHIFT)  # the inverse: the weeks before are unchanged
    is_y = long["variable_kind"] == "outcome"
    diff = (long.loc[is_y, "value"] - unshifted.loc[is_y, "value"]).to_numpy()
    before = long.loc[is_y, "value"].to_numpy()[:SHIFT_WEEK].mean()
    assert np.allclose(diff[:SHIFT_WEEK], 0)
    assert np.allclose(diff[SHIFT_WEEK:], SHIFT * before)


def test_the_benchmark_target_needs_every_figure():
    without = {"roi_mare": 0.6}
    good = {"roi_mare": 0.3, "roi_coverage90": 0.9, "divergences": 0}
    assert baseline_effect(without, good, 1.2)["meets_target"]
    assert not baseline_effect(without, good, 1.6)["meets_target"]
    assert not baseline_effect(without, {**good, "roi_mare": 0.5}, 1.2)["meets_target"]
    assert not baseline_effect(without, {**good, "divergences": 1}, 1.2)["meets_target"]


@pytest.fixture(scope="module")
def relaunch():
    long, registry, _ = relaunch_input(segments=1, weeks=WEEKS)
    return long, registry


def _level_step(long: pd.DataFrame, registry: pd.DataFrame, kind: str) -> np.ndarray:
    """Per draw: baseline plus trend over the 16 weeks from the shift minus the 16 before, in units
    of the mean weekly outcome."""
    spec = spec_from_config({"sampler": SAMPLER, "baseline": {"kind": kind, "knots": 10}})
    data = build_model_data(long, {}, spec.adstock_max_lag)
    posterior = sample_posterior(model_arrays(data), build_priors(data, spec, registry), spec)
    assert (KNOTS in posterior.samples) == (kind == "time_varying")
    parts = component_draws(posterior.samples, data, 200)
    level = (parts["baseline"] + parts["trend"])[:, 0] / data.y_scale[0]
    return level[:, SHIFT_WEEK : SHIFT_WEEK + 16].mean(axis=1) - level[:, SHIFT_WEEK - 16 : SHIFT_WEEK].mean(axis=1)


def test_a_time_varying_baseline_follows_a_level_shift_that_a_fixed_one_cannot(relaunch):
    long, registry = relaunch
    varying, fixed = _level_step(long, registry, "time_varying"), _level_step(long, registry, "fixed")
    figures = (np.quantile(varying, [0.05, 0.5, 0.95]), np.quantile(fixed, [0.05, 0.5, 0.95]))
    assert np.quantile(varying, 0.05) > 0, figures
    # The true step is SHIFT of the mean before; the interpolation between knots spreads it over weeks.
    assert np.median(varying) > 0.25 * SHIFT, figures
    assert np.median(fixed) < 0.5 * np.median(varying), figures  # a fixed baseline moves only along its trend


def test_fit_segments_publishes_the_moving_baseline_in_the_decomposition(relaunch):
    long, registry = relaunch
    config = {
        "sampler": SAMPLER,
        "baseline": {"kind": "time_varying", "knots": 10},
        "holdout_weeks": 8,
        "backtest": {"folds": 1, "burn_in": 20, "draws": 50},
        "publish": {"rhat_max": 1.5, "ess_min": 5, "divergences_max": 100, "r2_min": 0.0},
    }
    artifacts = fit_segments(long, registry, config, progress=lambda _: None)
    runs = artifacts[artifacts["artifact"] == "run"].set_index("parameter")
    assert json.loads(runs.at["methodology", "details"])["baseline"]["kind"] == "time_varying"
    assert np.isfinite(runs.at["r2_holdout", "value"]) and runs.at["backtest_folds", "value"] == 1
    baseline = artifacts[(artifacts["artifact"] == "decomposition") & (artifacts["parameter"] == "baseline")]
    assert len(baseline) == WEEKS and (baseline["details"] == "baseline").all()
    weekly = baseline.sort_values("week_start")["mean"].to_numpy()
    assert weekly.std() > 0.01 * weekly.mean()  # it moves, where a fixed baseline is one number
    assert (baseline["p05"] < baseline["p95"]).all()


def test_the_report_draws_the_baseline_where_it_moves():
    weeks = pd.date_range("2026-01-05", periods=10, freq="7D")
    rows = [
        {"week_start": w, "component": c, "value_mean": v, "value_p05": v - 1, "value_p95": v + 1}
        for t, w in enumerate(weeks)
        for c, v in (("actual", 10.0 + t), ("fitted", 10.0 + t), ("baseline", 5.0 + (t >= 5)))
    ]
    moving = pd.DataFrame(rows)
    fixed = moving.assign(value_mean=np.where(moving["component"] == "baseline", 5.0, moving["value_mean"]))
    assert "baseline (90%)" in actual_vs_fitted(moving, "moving")
    assert "baseline (90%)" not in actual_vs_fitted(fixed, "fixed")
