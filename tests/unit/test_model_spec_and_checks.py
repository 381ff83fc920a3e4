"""Methodology config validation and the per-segment data checks before a fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curvehouse.model.checks import check_segment
from curvehouse.model.data import build_model_data
from curvehouse.model.spec import spec_from_config


def test_unknown_or_invalid_settings_are_refused_by_name():
    with pytest.raises(ValueError, match="unknown methodology setting.*'pooling_mode'"):
        spec_from_config({"pooling_mode": "partial"})
    with pytest.raises(ValueError, match="noise must be one of"):
        spec_from_config({"noise": "cauchy"})
    with pytest.raises(ValueError, match="sampler.chains"):
        spec_from_config({"sampler": {"chains": 0}})
    with pytest.raises(ValueError, match="sampler.dense_mass must be true, false or null"):
        spec_from_config({"sampler": {"dense_mass": "dense"}})


def test_mass_matrix_is_dense_for_full_fits_and_diagonal_in_refresh_mode_unless_set():
    from curvehouse.model.sampling import _nuts_chain

    def dense(config: dict) -> bool:
        spec = spec_from_config(config)
        return _nuts_chain(spec, spec.sampler).options["dense_mass"]

    assert dense({}) is True and dense({"pooling": "partial"}) is True
    assert dense({"fit_mode": "refresh"}) is False
    assert dense({"sampler": {"dense_mass": False}}) is False


def test_methodology_version_follows_the_config():
    base = spec_from_config({})
    assert base.version == spec_from_config({}).version
    assert base.version != spec_from_config({"priors": {"roi_sd": 1.0}}).version


def long_input(weeks: int = 30, **spend: np.ndarray) -> pd.DataFrame:
    """A one-segment model input with the given outcome and spend series."""
    dates = pd.date_range("2024-01-01", periods=weeks, freq="7D")
    rng = np.random.default_rng(0)
    outcome = spend.pop("outcome", 1000 + rng.normal(0, 50, weeks))
    rows = [("s", d, "outcome", "outcome", v) for d, v in zip(dates, outcome, strict=True)]
    for channel, values in spend.items():
        rows += [("s", d, "spend", channel, v) for d, v in zip(dates, values, strict=True)]
    return pd.DataFrame(rows, columns=["segment_id", "week_start", "variable_kind", "variable_name", "value"])


def check(frame: pd.DataFrame):
    return check_segment(build_model_data(frame, {}, 4), 0)


def test_constant_outcome_is_rejected():
    result = check(long_input(outcome=np.full(30, 500.0), tv=np.linspace(1, 30, 30)))
    assert result.reject_reason and "constant" in result.reject_reason


def test_negative_outcome_is_rejected_naming_a_week():
    outcome = np.full(30, 500.0) + np.arange(30)
    outcome[5] = -20
    result = check(long_input(outcome=outcome, tv=np.linspace(1, 30, 30)))
    assert "negative" in result.reject_reason and "2024-02-05" in result.reject_reason


def test_idle_and_one_week_channels_are_left_out_with_a_warning():
    one_week = np.zeros(30)
    one_week[10] = 500
    result = check(long_input(tv=np.linspace(1, 30, 30), radio=np.zeros(30), events=one_week))
    data = build_model_data(long_input(tv=np.linspace(1, 30, 30), radio=np.zeros(30), events=one_week), {}, 4)
    assert result.reject_reason is None
    assert [data.channels[c] for c in result.dropped_channels] == ["events"]
    assert any("'events' spends in only 1 week" in w for w in result.warnings)
    assert data.channel_mask[0, data.channels.index("radio")] == 0  # all-zero spend never enters the fit


def test_collinear_channels_and_outliers_are_warnings():
    base = np.linspace(100, 400, 30)
    outcome = 1000 + np.random.default_rng(1).normal(0, 10, 30)
    outcome[7] = 50_000
    result = check(long_input(outcome=outcome, search=base, social=base * 1.01 + 1))
    assert result.reject_reason is None
    assert any("move together" in w for w in result.warnings)
    assert any("outlier week" in w and "2024-02-19" in w for w in result.warnings)
