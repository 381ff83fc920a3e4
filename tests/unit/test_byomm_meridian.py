"""Meridian reader on a real Meridian 2.1 export: fitted weekly curves reproduce Meridian's own points."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curvehouse.byomm.hill import fit_hill
from curvehouse.byomm.meridian import read_meridian
from curvehouse.byomm.records import ByommRejection
from curvehouse.hill import hill_response

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "meridian"
EXPORT = FIXTURES / "national_media_export"
SOURCE_DATA = FIXTURES / "national_media.csv"  # the data the export was fitted on
N_TIMES = 156
CHANNELS = ["Channel0", "Channel1", "Channel2", "Channel3"]


@pytest.fixture(scope="module")
def model():
    return read_meridian(EXPORT)


@pytest.fixture()
def export(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXPORT, tmp_path / "meridian_export"))


def test_reads_every_channel_with_the_posterior_summary(model):
    summary = pd.read_csv(EXPORT / "summary_metrics.csv")
    posterior = summary[summary["distribution"] == "posterior"].set_index(["channel", "metric"])
    assert (model.source, model.model_id) == ("meridian", "national_media_export")
    assert [c.channel_name for c in model.channels] == CHANNELS
    for channel in model.channels:
        assert channel.contribution_mean == pytest.approx(
            posterior.loc[(channel.channel_name, "mean"), "incremental_outcome"]
        )
        assert channel.contribution_lower == pytest.approx(
            posterior.loc[(channel.channel_name, "ci_lo"), "incremental_outcome"]
        )
        assert channel.contribution_upper == pytest.approx(
            posterior.loc[(channel.channel_name, "ci_hi"), "incremental_outcome"]
        )
        assert channel.spend == pytest.approx(posterior.loc[(channel.channel_name, "mean"), "spend"])


def test_total_outcome_matches_the_source_data(model):
    data = pd.read_csv(SOURCE_DATA)
    revenue = (data["conversions"] * data["revenue_per_conversion"]).sum()
    assert model.total_revenue == pytest.approx(revenue, rel=0.001)


def test_points_are_weekly_the_period_totals_divided_by_n_times(model):
    response = pd.read_csv(EXPORT / "response_curves.csv")
    for channel in model.channels:
        rows = response[response["channel"] == channel.channel_name].sort_values("spend")
        points = np.array(channel.points)
        assert len(points) == len(rows) == 21
        np.testing.assert_allclose(points[:, 0], rows["spend"] / N_TIMES)
        np.testing.assert_allclose(points[:, 1:], rows[["mean", "ci_lo", "ci_hi"]] / N_TIMES)


def test_fitted_curves_reproduce_meridians_response_points(model):
    for channel in model.channels:
        points = np.array(channel.points)[1:]  # the zero-spend point is zero on any Hill curve
        fitted = hill_response(points[:, 0], channel.saturation_half_point, channel.saturation_max, channel.hill_slope)
        assert np.max(np.abs(fitted / points[:, 1] - 1)) < 0.01
        assert channel.extras["fit_max_relative_error"] < 0.01
        for column in (2, 3):  # the 90% interval curves
            assert fit_hill(points[:, 0], points[:, column]).max_relative_error < 0.05


def test_the_curve_at_average_weekly_spend_gives_the_contribution(model):
    for channel in model.channels:
        weekly = hill_response(
            channel.spend / N_TIMES, channel.saturation_half_point, channel.saturation_max, channel.hill_slope
        )
        assert weekly * N_TIMES == pytest.approx(channel.contribution_mean, rel=0.01)


def test_intervals_bracket_the_mean_parameters(model):
    for channel in model.channels:
        for name in ("saturation_half_point", "saturation_max", "hill_slope"):
            low, mid, high = (getattr(channel, f"{name}{suffix}") for suffix in ("_p05", "", "_p95"))
            assert 0 < low <= mid <= high
        assert channel.saturation_max_p05 < 0.5 * channel.saturation_max < channel.saturation_max_p95 * 0.5


def test_observed_weekly_spend_range_matches_the_source_data(model):
    data = pd.read_csv(SOURCE_DATA)
    for channel in model.channels:
        spend = data[f"{channel.channel_name}_spend"]
        assert channel.observed_spend_min == pytest.approx(spend.min(), rel=0.001)
        assert channel.observed_spend_max == pytest.approx(spend.max(), rel=0.001)


def test_adstock_half_life_comes_from_the_posterior_decay(model):
    decay = pd.read_csv(EXPORT / "adstock_decay.csv")
    for channel in model.channels:
        half_life = channel.extras["adstock_half_life_weeks"]
        rows = decay[(decay["channel"] == channel.channel_name) & (decay["distribution"] == "posterior")]
        before, after = rows[rows["time_units"] < half_life], rows[rows["time_units"] > half_life]
        assert before["mean"].iloc[-1] > 0.5 >= after["mean"].iloc[0]


def test_missing_dates_and_refresh_are_assumed_and_said(model):
    assert (model.date_range_end - model.date_range_start).days + 1 == 7 * N_TIMES
    assert model.date_range_end == model.refreshed_at.date()
    assert any("no refreshed_at" in w for w in model.warnings)
    assert any("no date_range" in w and "156 weeks" in w for w in model.warnings)


def test_metadata_in_export_info_is_used(export):
    info = json.loads((export / "export_info.json").read_text())
    info.update(
        model_id="national_q4",
        refreshed_at="2024-01-20T08:00:00Z",
        segment_id="us",
        date_range={"start": "2021-01-25", "end": "2024-01-21"},
    )
    (export / "export_info.json").write_text(json.dumps(info))
    model = read_meridian(export)
    assert (model.model_id, model.segment_id) == ("national_q4", "us")
    assert model.refreshed_at == datetime(2024, 1, 20, 8)
    assert (model.date_range_start, model.date_range_end) == (date(2021, 1, 25), date(2024, 1, 21))
    assert model.warnings == ()


def test_another_confidence_level_leaves_the_percentile_columns_empty(export):
    info = json.loads((export / "export_info.json").read_text())
    (export / "export_info.json").write_text(json.dumps({**info, "confidence_level": 0.8}))
    model = read_meridian(export)
    assert all(c.saturation_max_p05 is None and c.hill_slope_p95 is None for c in model.channels)
    assert any("confidence_level is 0.8" in w for w in model.warnings)


def truncate(export: Path) -> tuple[str, str]:
    path = export / "response_curves.csv"
    path.write_text(path.read_text()[:2000])
    return "channel", "different numbers of curve points (Channel0: 21, Channel1: 3); a truncated file?"


def not_a_number(export: Path) -> tuple[str, str]:
    path = export / "response_curves.csv"
    path.write_text(path.read_text().replace("13863048.828802938", "1.38e7 USD"))
    return "mean", "line 3: '1.38e7 USD' is not a finite number"


def drop_summary(export: Path) -> tuple[str, str]:
    (export / "summary_metrics.csv").unlink()
    return "summary_metrics.csv", "missing summary_metrics.csv"


def drop_n_times(export: Path) -> tuple[str, str]:
    info = json.loads((export / "export_info.json").read_text())
    del info["n_times"]
    (export / "export_info.json").write_text(json.dumps(info))
    return "n_times", "positive whole number"


def rename_column(export: Path) -> tuple[str, str]:
    path = export / "response_curves.csv"
    path.write_text(path.read_text().replace("ci_hi", "upper", 1))
    return "ci_hi", "missing column"


def other_weeks(export: Path) -> tuple[str, str]:
    path = export / "summary_metrics.csv"
    summary = pd.read_csv(path)
    summary.loc[summary["channel"] == "Channel1", "spend"] *= 0.5
    summary.to_csv(path, index=False)
    return "spend", "must cover the same weeks"


def drop_posterior(export: Path) -> tuple[str, str]:
    path = export / "summary_metrics.csv"
    summary = pd.read_csv(path)
    summary[~((summary["channel"] == "Channel2") & (summary["distribution"] == "posterior"))].to_csv(path, index=False)
    return "incremental_outcome", "channel Channel2: no posterior mean row"


@pytest.mark.parametrize(
    "break_export", [truncate, not_a_number, drop_summary, drop_n_times, rename_column, other_weeks, drop_posterior]
)
def test_a_broken_export_is_rejected_naming_file_and_field(export, break_export):
    field, reason = break_export(export)
    with pytest.raises(ByommRejection) as caught:
        read_meridian(export)
    assert caught.value.field == field
    assert reason in caught.value.reason
    assert caught.value.file.startswith(str(export))
