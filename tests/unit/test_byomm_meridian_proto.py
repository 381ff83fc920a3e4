"""Meridian MMM proto schema reader and writer, on a real Meridian 2.1.0 fit (tests/fixtures/meridian_proto).

Expected numbers come from the message itself, parsed with the schema's generated message classes
(the descriptors vendored from mmm-proto-schema 1.6.0), from national_media.csv, and from the Hill
curve written out here. The fixture holds the same fit as the CSV export fixture (same data,
settings and seed 7), so the proto reader and the CSV export reader must agree.
"""

from __future__ import annotations

import functools
import random
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curvehouse.byomm._meridian_proto import KPI_TYPES, MERIDIAN_MODEL_TYPE_URL, Mmm
from curvehouse.byomm.detect import SNIFF_BYTES, detect_format
from curvehouse.byomm.landing import load_landing_folder
from curvehouse.byomm.meridian import read_meridian
from curvehouse.byomm.meridian_proto import (
    SPEND_MULTIPLIERS,
    is_meridian_proto,
    read_meridian_proto,
    write_meridian_proto,
)
from curvehouse.byomm.records import ByommRejection

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PROTO = FIXTURES / "meridian_proto" / "national_media.binpb"
EXPORT = FIXTURES / "meridian" / "national_media_export"  # the same fit, exported as CSV
DATA = FIXTURES / "meridian" / "national_media.csv"
CHANNELS = ["Channel0", "Channel1", "Channel2", "Channel3"]
WEEKS = 156
NOW = datetime(2025, 3, 10, 12, 0)


def hill(spend: np.ndarray, half_point: float, saturation_max: float, slope: float) -> np.ndarray:
    """Our convention, written out: weekly response at a sustained weekly spend."""
    return saturation_max * spend**slope / (spend**slope + half_point**slope)


def hill_slope_at(spend: float, half_point: float, saturation_max: float, slope: float) -> float:
    """d hill / d spend, written out: M S K^S s^(S-1) / (s^S + K^S)^2."""
    return saturation_max * slope * half_point**slope * spend ** (slope - 1) / (spend**slope + half_point**slope) ** 2


@functools.cache
def message():
    return Mmm.FromString(PROTO.read_bytes())


def media(name: str):
    analysis = message().marketing_analysis_list.marketing_analyses[0]
    return next(m for m in analysis.media_analyses if m.channel_name == name)


def revenue(channel):
    return next(o for o in channel.media_outcomes if o.kpi_type == KPI_TYPES["REVENUE"])


@pytest.fixture(scope="module")
def model():
    return read_meridian_proto(PROTO)


def test_the_fixture_is_what_the_reader_assumes():
    proto = message()
    assert proto.mmm_kernel.model.type_url == MERIDIAN_MODEL_TYPE_URL
    (analysis,) = proto.marketing_analysis_list.marketing_analyses
    interval = analysis.date_interval
    start = date(interval.start_date.year, interval.start_date.month, interval.start_date.day)
    end = date(interval.end_date.year, interval.end_date.month, interval.end_date.day)
    assert (start, (end - start).days) == (date(2021, 1, 25), 7 * WEEKS)
    assert [m.channel_name for m in analysis.media_analyses] == [*CHANNELS, "All Channels"]
    for name in CHANNELS:
        curve = media(name).response_curve
        assert curve.input_name == "spend"
        spends = [p.input_value for p in curve.response_points]
        np.testing.assert_allclose(spends, np.array(SPEND_MULTIPLIERS) * media(name).spend_info.spend, rtol=1e-9)
        assert [u.probability for u in revenue(media(name)).contribution.value.uncertainties] == [0.9]


def test_reads_the_model_its_dates_and_channels(model):
    assert (model.source, model.model_id) == ("meridian_proto", "meridian_national_media")
    assert (model.date_range_start, model.date_range_end) == (date(2021, 1, 25), date(2024, 1, 21))
    assert [c.channel_name for c in model.channels] == CHANNELS
    modified = datetime.fromtimestamp(PROTO.stat().st_mtime, tz=UTC).replace(tzinfo=None, microsecond=0)
    assert model.refreshed_at == modified and "modification time" in model.warnings[-1]
    assert model.segment_id is None


def test_points_are_the_response_curve_per_week(model):
    for channel in model.channels:
        totals = [
            (p.input_value, p.incremental_kpi) for p in media(channel.channel_name).response_curve.response_points
        ]
        assert channel.points == tuple((s / WEEKS, r / WEEKS, None, None) for s, r in totals)


def test_the_hill_curve_reproduces_the_response_points(model):
    for channel in model.channels:
        points = np.array([p[:2] for p in channel.points])[1:]  # zero spend gives zero on any curve
        fitted = hill(points[:, 0], channel.saturation_half_point, channel.saturation_max, channel.hill_slope)
        np.testing.assert_allclose(fitted, points[:, 1], rtol=0.005)
        assert channel.extras["fit_max_relative_error"] == pytest.approx(np.max(np.abs(fitted / points[:, 1] - 1)))
        average_week = media(channel.channel_name).spend_info.spend / WEEKS
        at_one = media(channel.channel_name).response_curve.response_points[5].incremental_kpi / WEEKS
        assert hill(average_week, channel.saturation_half_point, channel.saturation_max, channel.hill_slope) == (
            pytest.approx(at_one, rel=0.005)
        )
        assert channel.saturation_half_point_p05 is None and channel.hill_slope_p95 is None


def test_contribution_spend_and_total_are_the_proto_values(model):
    for channel in model.channels:
        outcome = revenue(media(channel.channel_name))
        (interval,) = outcome.contribution.value.uncertainties
        assert channel.contribution_mean == outcome.contribution.value.value
        assert (channel.contribution_lower, channel.contribution_upper) == (interval.lowerbound, interval.upperbound)
        assert channel.spend == media(channel.channel_name).spend_info.spend
        total = outcome.contribution.value.value / outcome.contribution.share.value
        assert model.total_revenue == pytest.approx(total, rel=1e-4)
    data = pd.read_csv(DATA)
    assert model.total_revenue == pytest.approx((data["conversions"] * data["revenue_per_conversion"]).sum(), rel=0.01)


def test_observed_weekly_spend_is_the_range_of_the_data(model):
    data = pd.read_csv(DATA)
    for channel in model.channels:
        spend = data[f"{channel.channel_name}_spend"]
        assert channel.observed_spend_min == pytest.approx(spend.min(), rel=1e-6)
        assert channel.observed_spend_max == pytest.approx(spend.max(), rel=1e-6)


def test_the_csv_export_of_the_same_fit_agrees(model):
    export = read_meridian(EXPORT)
    assert [c.channel_name for c in export.channels] == CHANNELS
    assert model.total_revenue == pytest.approx(export.total_revenue, rel=1e-9)
    for ours, theirs in zip(model.channels, export.channels, strict=True):
        for field in ("spend", "contribution_mean", "contribution_lower", "contribution_upper"):
            assert getattr(ours, field) == pytest.approx(getattr(theirs, field), rel=1e-9), field
        # the export's curve has 21 points (multipliers 0..2 by 0.1), the proto's 11 (by 0.2): the same points
        np.testing.assert_allclose([p[:2] for p in ours.points], [p[:2] for p in theirs.points[::2]], rtol=1e-9)
        for field in ("saturation_half_point", "saturation_max", "hill_slope"):
            assert getattr(ours, field) == pytest.approx(getattr(theirs, field), rel=0.05), field


def test_sniffing_needs_a_proto_name_and_mmm_fields(tmp_path):
    head = PROTO.read_bytes()[:SNIFF_BYTES]
    assert is_meridian_proto(head) and is_meridian_proto(head[:3])  # the kernel runs past the sniffed bytes
    assert not is_meridian_proto(b"")
    assert not is_meridian_proto(b'{"model_id": "x"}')
    assert not is_meridian_proto(b"\x0a" + b"\xff" * 12)  # a length that is no varint
    shutil.copy(PROTO, tmp_path / "model.binpb")
    shutil.copy(PROTO, tmp_path / "model.bin")
    (tmp_path / "model.pb").write_text('{"model_id": "acme_mmm", "channels": []}')
    assert detect_format(tmp_path / "model.binpb") == "meridian_proto"
    assert detect_format(tmp_path / "model.pb") == "custom_json"
    with pytest.raises(ByommRejection, match="unknown format"):
        detect_format(tmp_path / "model.bin")


def test_garbage_and_truncated_protos_are_rejected_naming_the_file(tmp_path):
    garbage = tmp_path / "garbage.binpb"
    garbage.write_bytes(random.Random(7).randbytes(4096))
    truncated = tmp_path / "truncated.binpb"
    truncated.write_bytes(PROTO.read_bytes()[: PROTO.stat().st_size // 2])
    with pytest.raises(ByommRejection, match="unknown format") as caught:
        detect_format(garbage)
    assert caught.value.file == str(garbage)
    assert detect_format(truncated) == "meridian_proto"  # its first bytes are fine: the reader tells
    for path in (garbage, truncated):
        with pytest.raises(ByommRejection, match="not a wire-format MMM proto") as caught:
            read_meridian_proto(path)
        assert caught.value.file == str(path)


def test_the_landing_folder_loads_a_proto_and_rejects_a_broken_one(tmp_path):
    folder = tmp_path / "landing"
    folder.mkdir()
    shutil.copy(PROTO, folder / "meridian_q4.binpb")
    (folder / "broken.binpb").write_bytes(PROTO.read_bytes()[:200_000])
    curves, rejections = load_landing_folder(folder, now=NOW)
    assert set(curves["source"]) == {"meridian_proto"}
    assert sorted(curves["channel_name"]) == CHANNELS
    assert set(curves["model_id"]) == {"meridian_national_media"}
    (rejection,) = rejections.to_dict("records")
    assert (rejection["file"], rejection["format"]) == (str(folder / "broken.binpb"), "meridian_proto")


def mart_rows() -> pd.DataFrame:
    """Two channels of one model version and segment, as the mmm_curves mart publishes them."""
    shared = {
        "run_id": "r1",
        "model_id": "acme_mmm",
        "source": "builtin",
        "segment_id": "emea",
        "date_range_start": pd.Timestamp("2024-01-01"),
        "date_range_end": pd.Timestamp("2024-12-29"),  # 52 weeks
        "total_revenue": 8_500_000.0,
        "is_current": True,
    }
    channels = [
        ("tv", 50_000.0, 200_000.0, 1.4, 1_200_000.0, 980_000.0, 1_450_000.0, 800_000.0),
        ("search", 12_000.0, 90_000.0, 0.9, 2_700_000.0, 2_400_000.0, 3_000_000.0, 900_000.0),
    ]
    names = ["channel_name", "saturation_half_point", "saturation_max", "hill_slope"]
    names += ["contribution_mean", "contribution_lower", "contribution_upper", "spend"]
    return pd.DataFrame([{**shared, **dict(zip(names, c, strict=True))} for c in channels])


def test_written_curves_parse_with_the_schema_classes(tmp_path):
    rows = mart_rows()
    write_meridian_proto(rows, tmp_path / "acme_mmm.binpb")
    (analysis,) = Mmm.FromString((tmp_path / "acme_mmm.binpb").read_bytes()).marketing_analysis_list.marketing_analyses
    interval = analysis.date_interval
    assert (interval.start_date.year, interval.start_date.month, interval.start_date.day) == (2024, 1, 1)
    assert (interval.end_date.year, interval.end_date.month, interval.end_date.day) == (2024, 12, 30)  # exclusive
    weeks = 52
    for row, written in zip(rows.to_dict("records"), analysis.media_analyses, strict=True):
        params = (row["saturation_half_point"], row["saturation_max"], row["hill_slope"])
        assert written.channel_name == row["channel_name"]
        assert written.spend_info.spend == row["spend"]
        assert written.spend_info.spend_share == pytest.approx(row["spend"] / rows["spend"].sum())
        points = np.array([(p.input_value, p.incremental_kpi) for p in written.response_curve.response_points])
        np.testing.assert_allclose(points[:, 0], np.array(SPEND_MULTIPLIERS) * row["spend"])
        np.testing.assert_allclose(points[:, 1], weeks * hill(points[:, 0] / weeks, *params), rtol=1e-12)
        (outcome,) = written.media_outcomes
        assert outcome.kpi_type == KPI_TYPES["REVENUE"]
        (interval,) = outcome.contribution.value.uncertainties
        assert (outcome.contribution.value.value, interval.probability) == (row["contribution_mean"], 0.9)
        assert (interval.lowerbound, interval.upperbound) == (row["contribution_lower"], row["contribution_upper"])
        assert outcome.contribution.share.value == pytest.approx(row["contribution_mean"] / row["total_revenue"])
        assert outcome.roi.value == pytest.approx(row["contribution_mean"] / row["spend"])
        assert outcome.roi.uncertainties[0].lowerbound == pytest.approx(row["contribution_lower"] / row["spend"])
        assert outcome.marginal_roi.value == pytest.approx(hill_slope_at(row["spend"] / weeks, *params))


def test_written_curves_read_back_with_our_reader(tmp_path):
    rows = mart_rows()
    write_meridian_proto(rows, tmp_path / "acme_mmm.binpb")
    assert detect_format(tmp_path / "acme_mmm.binpb") == "meridian_proto"
    back = read_meridian_proto(tmp_path / "acme_mmm.binpb")
    assert back.model_id == "acme_mmm" and any("file name" in w for w in back.warnings)
    assert (back.date_range_start, back.date_range_end) == (date(2024, 1, 1), date(2024, 12, 29))
    assert back.total_revenue == pytest.approx(8_500_000.0, rel=1e-12)
    for row, channel in zip(rows.to_dict("records"), back.channels, strict=True):
        assert channel.channel_name == row["channel_name"]
        for field in ("saturation_half_point", "saturation_max", "hill_slope"):
            assert getattr(channel, field) == pytest.approx(row[field], rel=1e-4), field
        for field in ("contribution_mean", "contribution_lower", "contribution_upper", "spend"):
            assert getattr(channel, field) == row[field], field


def test_a_read_model_round_trips(tmp_path, model):
    write_meridian_proto(model, tmp_path / "again.binpb")
    back = read_meridian_proto(tmp_path / "again.binpb")
    assert (back.date_range_start, back.date_range_end) == (model.date_range_start, model.date_range_end)
    assert back.total_revenue == pytest.approx(model.total_revenue, rel=1e-12)
    for ours, theirs in zip(back.channels, model.channels, strict=True):
        for field in ("saturation_half_point", "saturation_max", "hill_slope"):
            assert getattr(ours, field) == pytest.approx(getattr(theirs, field), rel=1e-4), field
        for field in ("contribution_mean", "contribution_lower", "contribution_upper", "spend"):
            assert getattr(ours, field) == getattr(theirs, field), field


def test_the_writer_wants_one_model(tmp_path):
    rows = mart_rows()
    two_segments = pd.concat([rows, rows.assign(segment_id="na")])
    with pytest.raises(ValueError, match="holds 2 models"):
        write_meridian_proto(two_segments, tmp_path / "x.binpb")
    with pytest.raises(ValueError, match="missing column"):
        write_meridian_proto(rows.drop(columns="hill_slope"), tmp_path / "x.binpb")


def test_the_real_library_parses_what_we_write(tmp_path):
    """Only where mmm-proto-schema is installed (not in the project's environment)."""
    mmm_pb2 = pytest.importorskip("mmm.v1.mmm_pb2")
    write_meridian_proto(mart_rows(), tmp_path / "acme_mmm.binpb")
    data = (tmp_path / "acme_mmm.binpb").read_bytes()
    theirs = mmm_pb2.Mmm.FromString(data)
    assert theirs.SerializeToString(deterministic=True) == Mmm.FromString(data).SerializeToString(deterministic=True)
    assert [m.channel_name for m in theirs.marketing_analysis_list.marketing_analyses[0].media_analyses] == [
        "tv",
        "search",
    ]
