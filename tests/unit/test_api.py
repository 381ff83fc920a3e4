"""The Python API as a notebook uses it: a wide weekly frame in, a real fit, ArviZ, save and load."""

from __future__ import annotations

import json

import arviz as az
import numpy as np
import pandas as pd
import pytest

import curvehouse
from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv", "linkedin"))
TINY = {
    "sampler": {"chains": 2, "warmup": 150, "draws": 100, "chain_method": "sequential", "target_accept": 0.8},
    "holdout_weeks": 0,
    "backtest": {"folds": 0},
    "baseline": {"kind": "fixed"},
    "publish": {"rhat_max": 3.0, "ess_min": 1, "divergences_max": 1000, "r2_min": 0.0},
}


@pytest.fixture(scope="module")
def generated():
    data = generate_demo(n_segments=2, n_weeks=80, seed=5, channels=CHANNELS, deferred_channel=None, daily=False)
    return model_input_from_demo(data)


def wide(model_input: pd.DataFrame) -> pd.DataFrame:
    """The long demo input as the wide weekly frame a notebook user has (no Fourier columns)."""
    rows = model_input[~model_input["variable_name"].str.startswith("fourier_")]
    frame = rows.pivot_table(index=["segment_id", "week_start"], columns="variable_name", values="value")
    return frame.reset_index().rename(columns={"outcome": "revenue", "week_start": "week"})


def test_a_wide_weekly_frame_becomes_the_long_input_the_spine_builds(generated):
    model_input, registry = generated
    spend = sorted(model_input.loc[model_input["variable_kind"] == "spend", "variable_name"].unique())
    built, built_registry = curvehouse.weekly_frame_input(
        wide(model_input),
        date="week",
        outcome="revenue",
        spend=spend,
        controls=["competitor_index", "product_launch", "promo"],
        segment="segment_id",
    )
    key = ["segment_id", "week_start", "variable_kind", "variable_name"]
    pd.testing.assert_frame_equal(
        built.sort_values(key).reset_index(drop=True),
        model_input.sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    assert built_registry["channel"].tolist() == spend


def test_bad_frames_are_named():
    frame = pd.DataFrame({"week": ["2026-01-06"], "revenue": [1.0], "tv": [2.0]})
    with pytest.raises(KeyError, match="search"):
        curvehouse.weekly_frame_input(frame, date="week", outcome="revenue", spend=["tv", "search"])
    with pytest.raises(ValueError, match="Monday"):
        curvehouse.weekly_frame_input(frame, date="week", outcome="revenue", spend=["tv"])


@pytest.fixture(scope="module")
def fitted(generated):
    model_input, registry = generated
    return curvehouse.fit(model_input, registry, TINY, progress=lambda _: None)


def test_the_fit_gives_its_runs_and_tables(fitted, generated):
    runs = fitted.runs
    assert sorted(runs["segment_id"]) == sorted(generated[0]["segment_id"].unique()) and len(runs) == 2
    assert set(runs["status"]) <= {"published", "rejected"} and runs["max_rhat"].notna().all()
    summary = fitted.table("summary")
    assert set(summary["segment_id"]) == set(runs["segment_id"]) and "mean" in summary
    with pytest.raises(KeyError, match="no 'nonsense' rows"):
        fitted.table("nonsense")


def test_inference_data_opens_in_arviz_with_every_segment(fitted, generated):
    model_input, _ = generated
    idata = fitted.to_inference_data()
    segments = sorted(model_input["segment_id"].unique())
    assert sorted(idata.posterior["segment"].values.tolist()) == segments
    assert set(idata.groups()) >= {"posterior", "prior", "sample_stats", "log_likelihood", "observed_data"}
    weeks = model_input[model_input["variable_kind"] == "outcome"].groupby("segment_id").size()
    assert idata.log_likelihood.sizes["obs"] == weeks.sum()
    summary = az.summary(idata, var_names=["roi"])
    assert len(summary) == len(segments) * len(CHANNELS) and summary["r_hat"].notna().all()
    loo = az.loo(idata)
    assert np.isfinite(loo.elpd_loo) and loo.n_data_points == weeks.sum()
    # The posterior's ROI is the one the published summary was computed from.
    roi = fitted.table("summary").query("parameter == 'roi'").set_index(["segment_id", "channel"])["mean"]
    for (segment, channel), mean in roi.items():
        draws = idata.posterior["roi"].sel(segment=segment, channel=channel)
        assert float(draws.mean()) == pytest.approx(mean, rel=1e-6)
    run_ids = json.loads(idata.posterior.attrs["run_ids"])
    assert run_ids == dict(zip(fitted.runs["segment_id"], fitted.runs.index, strict=True))


def test_save_and_load_round_trip(fitted, tmp_path):
    path = fitted.save(tmp_path / "fit.nc")
    again = curvehouse.load(path)
    texts = [c for c in fitted.artifacts if fitted.artifacts[c].dtype == object]  # Parquet reads None as None
    pd.testing.assert_frame_equal(again.artifacts.drop(columns=texts), fitted.artifacts.drop(columns=texts))
    for column in texts:
        saved, read = fitted.artifacts[column], again.artifacts[column]
        assert saved.isna().equals(read.isna()) and saved.dropna().equals(read.dropna()), column
    for group in fitted.to_inference_data().groups():
        assert again.to_inference_data()[group].equals(fitted.to_inference_data()[group]), group


def test_compare_two_methodologies_on_the_same_data(fitted, generated, tmp_path, capsys):
    from curvehouse.cli import main
    from curvehouse.compare import channel_changes, loo_table

    model_input, registry = generated
    student = curvehouse.fit(model_input, registry, {**TINY, "noise": "student_t"}, progress=lambda _: None)
    loo = loo_table({"normal": fitted, "student_t": student})
    assert set(loo.index) == {"normal", "student_t"} and np.isfinite(loo["elpd_loo"]).all()
    changes = channel_changes(fitted, student)
    roi = changes[changes["metric"] == "roi"].set_index(["segment_id", "channel"])
    assert len(roi) == 2 * len(CHANNELS)
    before = fitted.table("summary").query("parameter == 'roi'").set_index(["segment_id", "channel"])["mean"]
    after = student.table("summary").query("parameter == 'roi'").set_index(["segment_id", "channel"])["mean"]
    assert np.allclose(roi["change"], (after - before).loc[roi.index])

    paths = [fitted.save(tmp_path / "normal.nc"), student.save(tmp_path / "student_t.nc")]
    assert main(["compare", *map(str, paths), "--csv", str(tmp_path / "changes.csv")]) == 0
    out = capsys.readouterr().out
    assert "elpd_loo" in out and "normal.nc -> student_t.nc" in out
    assert len(pd.read_csv(tmp_path / "changes.csv")) == len(changes)
    shorter = curvehouse.fit(
        model_input[model_input["segment_id"] == roi.index[0][0]], registry, TINY, progress=lambda _: None
    )
    with pytest.raises(ValueError, match="not fitted on the same segments and weeks"):
        loo_table({"both": fitted, "one": shorter})
