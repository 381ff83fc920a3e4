"""The benchmark's model input builders and one tiny end-to-end `curvehouse bench` run."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from curvehouse import bench
from curvehouse.cli import main
from curvehouse.demo import generate_demo
from curvehouse.demo.recovery import recovery_table

FOURIER = ["fourier_cos_1", "fourier_cos_2", "fourier_sin_1", "fourier_sin_2"]


@pytest.fixture(scope="module")
def daily_demo():
    return generate_demo(n_segments=2, n_weeks=20, seed=3, deferred_channel=None)


@pytest.fixture(scope="module")
def demo_input(daily_demo):
    return bench.model_input_from_demo(daily_demo)


def test_demo_input_has_complete_weeks_channels_and_controls(daily_demo, demo_input):
    long, registry = demo_input
    truth = daily_demo.truth
    weeks = pd.date_range(truth["start_date"], truth["last_complete_week_start"], freq="7D")
    assert list(long.columns) == ["segment_id", "week_start", "variable_kind", "variable_name", "value"]
    for _, frame in long.groupby("segment_id"):
        assert pd.DatetimeIndex(sorted(frame["week_start"].unique())).equals(weeks)
    names = long.groupby("variable_kind")["variable_name"].unique().map(sorted)
    assert names["outcome"] == ["outcome"]
    assert names["spend"] == sorted(registry["channel"])
    assert names["control"] == sorted(["competitor_index", "product_launch", "promo", *FOURIER])
    per_week = long.groupby(["segment_id", "week_start"]).size()
    assert (per_week == 1 + len(registry) + 3 + len(FOURIER)).all()


def test_demo_input_weekly_sums_equal_the_daily_rows(daily_demo, demo_input):
    long, _ = demo_input
    last = pd.Timestamp(daily_demo.truth["last_complete_week_start"]) + pd.Timedelta(days=6)
    spend = daily_demo.channel_spend[daily_demo.channel_spend["date"] <= last]
    outcomes = daily_demo.outcomes[daily_demo.outcomes["date"] <= last]
    rows = long.set_index("variable_kind")
    assert np.isclose(rows.loc["spend", "value"].sum(), spend["spend"].sum())
    assert np.isclose(rows.loc["outcome", "value"].sum(), outcomes["revenue"].sum())
    for (segment, channel), frame in spend.groupby(["segment_id", "channel"]):
        mine = long[(long["segment_id"] == segment) & (long["variable_name"] == channel)]
        assert np.isclose(mine["value"].sum(), frame["spend"].sum())


def test_fourier_terms_use_the_weeks_thursday(demo_input):
    long, _ = demo_input
    row = long[long["variable_name"] == "fourier_sin_2"].iloc[0]
    day = (row["week_start"] + pd.Timedelta(days=3)).dayofyear
    assert np.isclose(row["value"], np.sin(2 * np.pi * 2 * day / 365.25))


def test_geo_media_input_has_20_geos_156_weeks_4_channels():
    long, registry = bench.model_input_from_geo_media(bench.GEO_MEDIA_PATH)
    assert long["segment_id"].nunique() == 20
    assert long.groupby("segment_id")["week_start"].nunique().eq(156).all()
    assert sorted(long.loc[long["variable_kind"] == "spend", "variable_name"].unique()) == list(registry["channel"])
    assert len(registry) == 4 and registry["roi_prior_mean"].isna().all() and registry["adstock_max_lag"].isna().all()
    controls = set(long.loc[long["variable_kind"] == "control", "variable_name"])
    assert controls == {"competitor_activity_score_control", "sentiment_score_control", *FOURIER}
    raw = pd.read_csv(bench.GEO_MEDIA_PATH)
    outcome = long[long["variable_kind"] == "outcome"]["value"].sum()
    assert np.isclose(outcome, (raw["conversions"] * raw["revenue_per_conversion"]).sum())


def test_recovery_scores_against_the_truth_over_the_fitted_window():
    # Three weeks of truth; the fit saw the last two, so the first week's contribution is not its to explain.
    weeks = [
        {"week_start": w, "media": {"x": x, "y": y}}
        for w, x, y in (("2025-01-06", 100.0, 0.0), ("2025-01-13", 8.0, 12.0), ("2025-01-20", 12.0, 18.0))
    ]
    truth = {"segments": {"a": {"weekly": weeks}}}
    estimates = pd.DataFrame(
        {
            "segment_id": ["a", "a"],
            "channel": ["x", "y"],
            "roi_mean": [2.0, 1.5],
            "roi_p05": [1.5, 1.2],
            "roi_p95": [2.5, 1.8],
            "contribution_mean": [20.0, 30.0],
            "spend": [10.0, 30.0],
            "window_start": "2025-01-13",
            "window_end": "2025-01-26",
        }
    )
    table = recovery_table(estimates, truth)
    assert table["true_roi"].tolist() == pytest.approx([2.0, 1.0])  # (8 + 12) / 10, (12 + 18) / 30
    assert table["roi_in_90"].tolist() == [True, False]
    assert bench.recovery(estimates, truth) == pytest.approx(
        {"roi_mare": 0.25, "roi_coverage90": 0.5, "roi_width90": 0.55, "share_mae": 0.0, "share_mare": 0.0}
    )
    with pytest.raises(ValueError, match=r"lack column\(s\) \['spend'\]"):
        recovery_table(estimates.drop(columns="spend"), truth)


@pytest.fixture
def tiny_quick_bench(monkeypatch):
    """--quick with 20 + 20 draws, no holdout, and no PyMC-Marketing comparison (where the peers
    extra is installed it is minutes of its own)."""
    tiny = {"sampler": {"chains": 2, "warmup": 20, "draws": 20}, "holdout_weeks": 0}
    monkeypatch.setattr(bench, "QUICK_CONFIG", tiny)
    monkeypatch.setattr(bench, "_peer_module", lambda: (None, "switched off in this test"))


def test_bench_quick_runs_end_to_end(tiny_quick_bench, capsys, tmp_path):
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--scenarios", "s104x4", "--json", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("curvehouse bench | cores ")
    figures = [line for line in lines if line.startswith("s104x4 ")]
    assert len(figures) == 1
    for text in (
        "1 seg x 104 wk x 4 ch",
        "wall",
        "ESS/s",
        "max R-hat",
        "divergences",
        "published 0 rejected 1",
        "ROI MARE",
        "true ROI in 90%",
        "share MAE",
        "peak RSS",
    ):
        assert text in figures[0]
    result = json.loads(out.read_text())["results"][0]
    assert result["scenario"] == "s104x4" and result["wall_s"] > 0 and 0 <= result["roi_coverage90"] <= 1
    assert 0 < result["sampling_s"] < result["wall_s"] and "sampling" in figures[0]
    assert result["device_peak_mib"] is None  # a CPU reports no device memory


def test_scale1000_stands_beside_scale100_and_lanes_report_their_sampling_seconds():
    assert bench.SCENARIOS["scale1000"].segments == 1000 and "scale1000" not in bench.DEFAULT_SCENARIOS
    message = "curvehouse: fitted 1000 segments as lanes in 96.0s (sampling 41.5s)"
    assert bench.SAMPLING.match(message).group(1) == "41.5"


def test_stepped_scenario_reports_each_checkpoint_from_one_fit(tiny_quick_bench, capsys, tmp_path):
    """scale100 fits its segments once and reports after the first n of them for each step: the
    figures cover exactly n segments and the wall time grows with n."""
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--scenarios", "scale100", "--segments-steps", "1,2", "--json", str(out)]) == 0
    fits = [line for line in capsys.readouterr().err.splitlines() if line.startswith("curvehouse: fitting ")]
    assert len(fits) == 2  # the largest step, fitted once (not 1 + 2 fits)
    first, second = json.loads(out.read_text())["results"]
    assert (first["scenario"], second["scenario"]) == ("scale100@1", "scale100@2")
    assert first["shape"].startswith("1 seg x 156 wk x 6 ch") and second["shape"].startswith("2 seg")
    assert first["published"] + first["rejected"] == 1 and second["published"] + second["rejected"] == 2
    assert 0 < first["wall_s"] < second["wall_s"]


def test_pooling_scenario_fits_thin_and_thick_segments_unpooled_and_pooled(tiny_quick_bench, capsys, tmp_path):
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--scenarios", "pool12x156x4", "--json", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    fits = [line for line in err if line.startswith("curvehouse: fitting ")]
    # One NUTS run per segment under both poolings, the thin ones on their own weeks; pooled, each after
    # a first stage that fits every segment unpooled for the population.
    stages = [line for line in err if "stage 1 of 2" in line]
    assert len(fits) == 2 * bench.QUICK_SEGMENTS and len(stages) == bench.QUICK_SEGMENTS
    assert sum(f"({bench.THIN_WEEKS} weeks" in line for line in fits) == 2 * (bench.QUICK_SEGMENTS - 1)
    unpooled, pooled = json.loads(out.read_text())["results"]
    assert (unpooled["scenario"], pooled["scenario"]) == ("pool12x156x4/none", "pool12x156x4/partial")
    assert unpooled["shape"] == f"3 seg x 156 wk (2 of them {bench.THIN_WEEKS}) x 4 ch, pooling none"
    assert pooled["shape"].endswith("pooling partial")
    for result in (unpooled, pooled):
        assert result["published"] + result["rejected"] == 3 and 0 <= result["thin_roi_coverage90"] <= 1
        assert result["thin_roi_mare"] != result["roi_mare"]  # the thin subset, not all segments


def test_a_peer_fit_that_turns_on_float64_leaves_our_later_fits_in_float32(monkeypatch):
    """PyMC's JAX sampler enables x64 for the whole process when it loads (measured with
    pymc-marketing 0.19.2); the peers extra is not installed in CI, so a stand-in does what it does."""
    import jax

    def peer_fit(mmm_module, case, sampler, adstock_max_lag):
        jax.config.update("jax_enable_x64", True)
        raise RuntimeError("stand-in peer stops here")

    monkeypatch.setattr(bench, "_fit_peer", peer_fit)
    assert jax.config.jax_enable_x64 is False
    case = bench._Case("s104x4", "1 seg", pd.DataFrame(), pd.DataFrame(), None)
    text, figures = bench._peer_line(None, case, {}, {}, 8)
    assert "PyMC-Marketing failed" in text and figures["error"] == "stand-in peer stops here"
    assert jax.config.jax_enable_x64 is False
