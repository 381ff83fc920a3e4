"""A non-media treatment's and an exposure-driven channel's fit artifacts through the marts: their
rows, added to a copy of the demo build's fit_segments, are read by the parameter, curve, summary and
decomposition marts and the agents' context as documented. (The raw input of treatments and
impressions reaches the fit through the inputs' models; this checks the fit's side of the contract.)"""

from __future__ import annotations

import shutil
import subprocess

import duckdb
import pandas as pd
import pytest

from curvehouse.drivers_bench import exposure_data, treatment_data
from curvehouse.fitting.segments import fit_segments
from curvehouse.posterior.summaries import ARTIFACT_COLUMNS
from tests.e2e.conftest import DEMO_DATA, PROJECT_DIR, SMALL_FIT, Build, dbt_command

pytestmark = pytest.mark.e2e

MARTS = (
    "int_fit_runs_pivoted mmm_model_runs mmm_channel_parameters mmm_saturation_curves int_channel_summary_pivoted "
    "mmm_channel_summary mmm_decomposition_weekly int_curves_builtin mmm_curves agent_saturation_positions "
    "agent_mmm_context"
)
FIT = {**SMALL_FIT, "holdout_weeks": 0, "backtest": {"folds": 0}, "publish": {**SMALL_FIT["publish"], "r2_min": 0.3}}


@pytest.fixture(scope="module")
def drivers_build(demo_build, tmp_path_factory) -> Build:
    work = tmp_path_factory.mktemp("drivers")
    db_path = work / "curvehouse.duckdb"
    shutil.copy(demo_build.db_path, db_path)
    quiet = lambda _: None  # noqa: E731
    treated, exposed = treatment_data(), exposure_data()
    frames = [
        fit_segments(d.long[d.long["segment_id"] == "seg_1"].assign(segment_id=name), d.registry, FIT, progress=quiet)
        for name, d in (("treated", treated), ("exposed", exposed))
    ]
    artifacts = pd.concat(frames, ignore_index=True)[list(ARTIFACT_COLUMNS)]
    with duckdb.connect(str(db_path)) as con:
        con.register("artifacts", artifacts)
        con.sql(f"insert into main.fit_segments ({', '.join(ARTIFACT_COLUMNS)}) select * from artifacts")
    command, env = dbt_command(work, DEMO_DATA, db_path, {})
    proc = subprocess.run(
        [*command, "--select", MARTS], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=1800
    )
    assert proc.returncode == 0, proc.stdout[-5000:]
    return Build(proc.returncode, proc.stdout, db_path, work / "target")


def test_a_treatment_publishes_a_signed_effect_per_unit_and_its_contribution(drivers_build):
    rows = drivers_build.query(
        "select * from mmm_channel_parameters where segment_id = 'treated' and channel_kind = 'non_media'"
    ).set_index("parameter")
    assert set(rows.index) == {"treatment_effect", "treatment_contribution"}
    assert set(rows["channel"]) == {"price_index"} and rows["is_current"].all()
    effect = rows.loc["treatment_effect"]
    assert effect["p95"] < 0 and effect["unit"] == "outcome currency per week per unit of the treatment (index)"
    assert 0.7 < effect["treatment_reference"] < 1.0  # the price index's window minimum
    paid = drivers_build.query("select distinct channel_kind from mmm_channel_parameters where parameter = 'roi'")
    assert list(paid["channel_kind"]) == ["paid"]


def test_a_treatment_is_a_decomposition_component_and_an_agent_context_row(drivers_build):
    parts = drivers_build.query(
        "select component, component_kind, channel, sum(value_mean) as total from mmm_decomposition_weekly "
        "where segment_id = 'treated' and component_kind = 'treatment' group by all"
    )
    assert list(parts["component"]) == ["price_index"] and list(parts["channel"]) == ["price_index"]
    context = drivers_build.query("select * from main_agent.agent_mmm_context where segment_id = 'treated'")
    row = context[context["channel_kind"] == "non_media"].iloc[0]
    assert row["channel"] == "price_index" and row["treatment_effect_high"] < 0
    assert row["contribution_mean"] == pytest.approx(parts["total"].iloc[0], rel=1e-6)
    assert pd.isna(row["roi_mean"]) and pd.isna(row["spend"]) and pd.isna(row["contribution_share"])
    channels = context[context["channel_kind"] == "paid"]
    assert len(channels) == 3 and channels["contribution_share"].sum() == pytest.approx(1.0)


def test_an_exposure_driven_channel_says_so_on_its_curves_and_summary(drivers_build):
    summary = drivers_build.query(
        "select channel, saturation_unit, cost_per_impression from mmm_channel_summary where segment_id = 'exposed'"
    ).set_index("channel")
    assert summary.at["video", "saturation_unit"] == "impressions"
    assert 0.01 < summary.at["video", "cost_per_impression"] < 0.013  # 0.01 rising 30% over the window
    assert set(summary.loc[["search", "social"], "saturation_unit"]) == {"spend"}
    assert summary.loc[["search", "social"], "cost_per_impression"].isna().all()
    curves = drivers_build.query(
        "select distinct channel, saturation_unit from mmm_saturation_curves where segment_id = 'exposed'"
    )
    assert dict(zip(curves["channel"], curves["saturation_unit"], strict=True))["video"] == "impressions"
    demo = drivers_build.query("select distinct saturation_unit from mmm_channel_summary where segment_id = 'apac'")
    assert list(demo["saturation_unit"]) == ["spend"]
    context = drivers_build.query(
        "select saturation_unit from main_agent.agent_mmm_context where segment_id = 'exposed' and channel = 'video'"
    )
    assert list(context["saturation_unit"]) == ["impressions"]
