"""Every driver kind from raw files to the report: one `dbt build` on the driver fixture
(curvehouse.demo.drivers: search and tv on spend, social exposure-driven, email organic, a price
index treatment) with search given a marginal-ROI prior, then `curvehouse report` on the warehouse.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from curvehouse.cli import main
from curvehouse.demo.drivers import TRUTH_FILE, write_driver_fixture
from tests.e2e.conftest import SMALL_FIT, dbt_build

pytestmark = pytest.mark.e2e

FIT = {**SMALL_FIT, "publish": {**SMALL_FIT["publish"], "r2_min": 0.0}}
SEGMENTS = {"north", "south"}


@pytest.fixture(scope="module")
def driver_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("drivers_full")
    folder = root / "raw"
    write_driver_fixture(folder)
    registry = pd.read_csv(folder / "channel_registry.csv")
    search = registry["channel"].eq("search")
    registry["mroi_prior_mean"] = None
    registry["mroi_prior_sd"] = None
    registry.loc[search, ["roi_prior_mean", "roi_prior_sd"]] = None
    registry.loc[search, ["mroi_prior_mean", "mroi_prior_sd"]] = (1.0, 1.0)
    registry.to_csv(folder / "channel_registry.csv", index=False)
    build = dbt_build(root, raw_data_path=folder, mmm=FIT)
    assert build.returncode == 0, build.output[-6000:]
    truth = json.loads((folder / TRUTH_FILE).read_text())
    return build, truth, root


def current(build, table: str, where: str = "true") -> pd.DataFrame:
    return build.query(f"select * from {table} where is_current and {where}")


def test_every_segment_publishes_with_all_driver_kinds(driver_build):
    build, _, _ = driver_build
    runs = current(build, "mmm_model_runs")
    assert set(runs["segment_id"]) == SEGMENTS
    assert (runs["status"] == "published").all()
    assert all("email" in c for c in runs["channels"])


def test_organic_channel_has_a_contribution_and_a_curve_in_its_own_unit_and_no_roi(driver_build):
    build, truth, _ = driver_build
    summary = current(build, "mmm_channel_summary", "channel = 'email'").set_index("segment_id")
    assert set(summary["channel_kind"]) == {"organic"} and set(summary["saturation_unit"]) == {"sends"}
    assert summary[["spend", "roi_mean", "marginal_roi_mean", "current_weekly_spend"]].isna().all().all()
    assert (summary["contribution_p05"] < summary["contribution_mean"]).all()
    assert (summary["contribution_mean"] < summary["contribution_p95"]).all()
    for segment, row in summary.iterrows():
        true = truth["segments"][segment]["channels"]["email"]["contribution"]
        assert row["contribution_p95"] > 0 and row["volume"] > 0 and row["half_saturation_volume_mean"] > 0
        assert row["contribution_p05"] < 3 * true and row["contribution_p95"] > true / 3  # same order as the truth
    curves = current(build, "mmm_saturation_curves", "channel = 'email'")
    assert curves["weekly_spend"].isna().all() and curves["marginal_roi_mean"].isna().all()
    top = curves.groupby("segment_id")["weekly_volume"].max()
    assert top.to_dict() == pytest.approx(summary["max_weekly_volume"].to_dict())
    roi_rows = current(build, "mmm_channel_parameters", "channel = 'email' and parameter = 'roi'")
    assert roi_rows.empty


def test_exposure_driven_channel_is_fitted_on_impressions_and_planned_in_spend(driver_build):
    build, truth, _ = driver_build
    summary = current(build, "mmm_channel_summary", "channel_kind = 'paid'")
    units = dict(zip(summary["channel"], summary["saturation_unit"], strict=False))
    assert units == {"search": "spend", "tv": "spend", "social": "impressions"}
    social = summary[summary["channel"] == "social"].set_index("segment_id")
    for segment, row in social.iterrows():
        expected = truth["segments"][segment]["social_cost_per_impression"]
        assert row["cost_per_impression"] == pytest.approx(expected, rel=1e-6)
        assert row["roi_mean"] > 0 and row["spend"] > 0
    assert summary.loc[summary["channel"] != "social", "cost_per_impression"].isna().all()
    curves = current(build, "mmm_saturation_curves", "channel = 'social'")
    assert set(curves["saturation_unit"]) == {"impressions"} and curves["weekly_spend"].notna().all()


def test_treatment_has_a_signed_effect_in_parameters_decomposition_and_context(driver_build):
    build, _, _ = driver_build
    effect = current(build, "mmm_channel_parameters", "parameter = 'treatment_effect'")
    assert set(effect["channel"]) == {"price"} and set(effect["channel_kind"]) == {"non_media"}
    assert (effect["p95"] < 0).all()  # true effect: revenue falls as the price index rises
    parts = build.query(
        "select segment_id, component_kind, sum(value_mean) as total from mmm_decomposition_weekly "
        "where is_current and component = 'price' group by all"
    )
    assert set(parts["component_kind"]) == {"treatment"} and set(parts["segment_id"]) == SEGMENTS
    kinds = build.query(
        "select distinct component, component_kind from mmm_decomposition_weekly where is_current "
        "and component_kind in ('channel', 'organic', 'treatment')"
    )
    assert dict(zip(kinds["component"], kinds["component_kind"], strict=True)) == {
        "search": "channel",
        "tv": "channel",
        "social": "channel",
        "email": "organic",
        "price": "treatment",
    }
    context = build.query("select * from main_agent.agent_mmm_context")
    rows = context.set_index(["segment_id", "channel"])
    for segment in SEGMENTS:
        assert rows.at[(segment, "price"), "channel_kind"] == "non_media"
        assert rows.at[(segment, "price"), "treatment_effect_high"] < 0
        assert rows.at[(segment, "email"), "channel_kind"] == "organic"
        assert pd.isna(rows.at[(segment, "email"), "roi_mean"])
        assert rows.at[(segment, "social"), "saturation_unit"] == "impressions"


def test_marginal_roi_prior_is_the_prior_of_record(driver_build):
    build, _, _ = driver_build
    kinds = current(build, "mmm_channel_parameters", "parameter = 'roi' and channel_kind = 'paid'")
    assert dict(kinds.groupby("channel")["prior_kind"].first()) == {"search": "mroi", "tv": "roi", "social": "roi"}


def test_planning_never_sees_organic_channels_or_treatments(driver_build):
    build, _, _ = driver_build
    for table in ("mmm_curves", "mmm_planning_channels", "mmm_saturation_audit", "mmm_scenarios"):
        column = "channel_name" if table == "mmm_curves" else "channel"
        names = set(build.query(f"select distinct {column} as c from {table}")["c"])
        assert names, table
        assert not names & {"email", "price"}, table


def test_the_report_shows_organic_contributions_and_treatments(driver_build, tmp_path, capsys):
    build, _, _ = driver_build
    out = tmp_path / "report"
    assert main(["report", "--duckdb", str(build.db_path), "--out", str(out)]) == 0
    capsys.readouterr()
    pages = " ".join(p.read_text() for p in out.glob("*.html"))
    assert "Organic channels" in pages and "Email" in pages
    assert "Non-media treatments" in pages and "price" in pages
