"""The per-segment fit exactly as Snowflake calls it: pandas partitions with upper-case columns in,
upper-case artifact frames out, one partition per segment - real NumPyro fits with tiny settings.

Snowflake's apply_in_pandas hands each partition to PartitionFit in its own UDTF call; here the same
callable is applied to each segment's rows in turn (what Snowflake would run in parallel), after a
cloudpickle round trip like the one that ships it to the warehouse.
"""

from __future__ import annotations

import pandas as pd
import pytest

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.fitting.run_ids import run_id_for
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.experiments import segment_experiments
from curvehouse.model.spec import spec_from_config
from curvehouse.posterior.summaries import ARTIFACT_COLUMNS
from curvehouse.snowflake.fanout import UdtfSettings
from curvehouse.snowflake.partition import FAILURE_PREFIX, OUTPUT_SCHEMA, PartitionFit, fit_partition
from tests.e2e.conftest import SMALL_FIT

cloudpickle = pytest.importorskip("cloudpickle", reason="the snowflake extra is not installed")

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv"))
TINY = {
    **SMALL_FIT,
    "sampler": {**SMALL_FIT["sampler"], "warmup": 60, "draws": 60, "draws_kept": 10},
    "holdout_weeks": 0,
}
BROKEN = "emea_broken"


@pytest.fixture(scope="module")
def partitions():
    """Three segments as Snowflake partitions (upper-case columns), the third made unfittable: its
    values hold text, which stands for any error raised inside one segment's fit."""
    data = generate_demo(n_segments=3, n_weeks=40, seed=5, channels=CHANNELS, deferred_channel=None, daily=False)
    long, registry = model_input_from_demo(data)
    segments = sorted(long["segment_id"].unique())
    parts = {s: long[long["segment_id"] == s].rename(columns=str.upper).reset_index(drop=True) for s in segments[:2]}
    broken = long[long["segment_id"] == segments[2]].assign(segment_id=BROKEN).astype({"value": object})
    broken.loc[broken.index[:3], "value"] = "n/a"
    parts[BROKEN] = broken.rename(columns=str.upper).reset_index(drop=True)
    return parts, registry


@pytest.fixture(scope="module")
def outputs(partitions):
    parts, registry = partitions
    fitter = cloudpickle.loads(cloudpickle.dumps(PartitionFit(registry=registry, config=TINY)))
    return {segment: fitter(frame) for segment, frame in parts.items()}


def _runs(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["ARTIFACT"] == "run"].set_index("PARAMETER")


def test_output_schema_is_the_artifact_columns_upper_cased():
    assert list(OUTPUT_SCHEMA) == [c.upper() for c in ARTIFACT_COLUMNS]
    kinds = {"object": "string", "float64": "double", "datetime64[ns]": "timestamp"}
    assert [OUTPUT_SCHEMA[c.upper()] for c in ARTIFACT_COLUMNS] == [kinds[t] for t in ARTIFACT_COLUMNS.values()]


def test_every_partition_returns_the_output_schema(outputs):
    for frame in outputs.values():
        assert list(frame.columns) == list(OUTPUT_SCHEMA)
        assert frame["SEGMENT_ID"].nunique() == 1
        assert frame["WEEK_START"].dtype == "datetime64[ns]"
        assert frame["VALUE"].dtype == "float64"


def test_good_segments_publish_while_the_failing_one_is_rejected(partitions, outputs):
    parts, _ = partitions
    good = [s for s in parts if s != BROKEN]
    for segment in good:
        runs = _runs(outputs[segment])
        assert runs.at["status", "DETAILS"] == "published", runs.at["status_reason", "DETAILS"]
        assert (outputs[segment]["ARTIFACT"] == "curve").any()
    broken = outputs[BROKEN]
    assert set(broken["ARTIFACT"]) == {"run"}
    runs = _runs(broken)
    assert runs.at["status", "DETAILS"] == "rejected"
    assert runs.at["status_reason", "DETAILS"].startswith(f"{FAILURE_PREFIX}: ValueError")
    assert runs.at["n_weeks", "VALUE"] == 40
    assert runs.at["data_window_start", "DETAILS"] < runs.at["data_window_end", "DETAILS"]
    assert runs.at["methodology_version", "DETAILS"] == spec_from_config(TINY).version


def test_a_failed_run_is_retried_next_build_not_taken_as_fitted(partitions, outputs):
    """The failed run's id is not the deterministic one, so existing_run_ids will not skip the segment."""
    parts, registry = partitions
    frame = parts[BROKEN].rename(columns=str.lower)
    failed_id = outputs[BROKEN]["RUN_ID"].iloc[0]
    assert failed_id != run_id_for(frame, spec_from_config(TINY), registry)


def test_partition_output_equals_the_in_process_fit(partitions, outputs):
    """The UDTF path runs the same curvehouse fit: same run ids and numbers as fit_segments on DuckDB."""
    parts, registry = partitions
    segment = next(s for s in parts if s != BROKEN)
    local = fit_segments(parts[segment].rename(columns=str.lower), registry, TINY, progress=lambda _: None)
    remote = outputs[segment].rename(columns=str.lower)
    cols = ["run_id", "artifact", "parameter", "channel", "mean", "p05", "p95"]

    def pick(f: pd.DataFrame) -> pd.DataFrame:
        return f[f["artifact"] == "parameter"][cols].reset_index(drop=True)

    pd.testing.assert_frame_equal(pick(local), pick(remote), check_dtype=False)


def test_unchanged_segments_are_not_refitted(partitions, outputs):
    parts, registry = partitions
    segment = next(s for s in parts if s != BROKEN)
    run_id = outputs[segment]["RUN_ID"].iloc[0]
    again = fit_partition(parts[segment], registry, TINY, existing_run_ids=frozenset({run_id}))
    assert again.empty and list(again.columns) == list(OUTPUT_SCHEMA)


def test_a_bad_config_is_a_rejected_run_too(partitions):
    parts, registry = partitions
    segment = next(s for s in parts if s != BROKEN)
    out = fit_partition(parts[segment], registry, {"noise": "cauchy"})
    runs = _runs(out)
    assert runs.at["status", "DETAILS"] == "rejected"
    assert "noise" in runs.at["status_reason", "DETAILS"]


def test_udtf_settings_pick_anaconda_or_the_pypi_repository():
    base = {
        "anaconda_packages": ["numpyro", "jax"],
        "pypi_packages": ["numpyro==0.22.0"],
        "artifact_repository": "snowflake.snowpark.pypi_shared_repository",
        "resource_constraint": {"architecture": "x86"},
    }
    anaconda = UdtfSettings.from_vars({**base, "package_source": "anaconda"}, ["@code/curvehouse.zip"])
    assert anaconda.register_kwargs() == {"imports": ["@code/curvehouse.zip"], "packages": ["numpyro", "jax"]}
    pypi = UdtfSettings.from_vars({**base, "package_source": "pypi"}, ["@code/curvehouse.zip"]).register_kwargs()
    assert pypi["packages"] == ["numpyro==0.22.0"]
    assert pypi["artifact_repository"] == "snowflake.snowpark.pypi_shared_repository"
    assert pypi["resource_constraint"] == {"architecture": "x86"}
    with pytest.raises(ValueError, match="package_source"):
        UdtfSettings.from_vars({**base, "package_source": "conda-forge"}, None)
    with pytest.raises(ValueError, match="unknown key"):
        UdtfSettings.from_vars({**base, "packages": []}, None)
    with pytest.raises(ValueError, match="artifact_repository"):
        UdtfSettings.from_vars({**base, "package_source": "pypi", "artifact_repository": None}, None)


def test_experiments_travel_into_the_partition_and_its_run_id(partitions):
    """A segment's lift tests (upper-case, as Snowflake returns stg_raw__experiments) reach the fit:
    its run id is the one with experiments, so a build that stored that run skips the segment."""
    parts, registry = partitions
    segment = next(s for s in parts if s != BROKEN)
    experiments = pd.DataFrame(
        {
            "EXPERIMENT_ID": ["geo_1"],
            "SEGMENT_ID": [segment],
            "CHANNEL": ["tv"],
            "START_DATE": [pd.Timestamp("2025-01-06")],
            "END_DATE": [pd.Timestamp("2025-02-02")],
            "BASELINE_WEEKLY_SPEND": [1000.0],
            "TEST_WEEKLY_SPEND": [0.0],
            "LIFT_WEEKLY": [-500.0],
            "LIFT_WEEKLY_SD": [100.0],
            "METHOD": ["geo holdout"],
        }
    )
    rows = parts[segment].rename(columns=str.lower).assign(week_start=lambda f: pd.to_datetime(f["week_start"]))
    spec = spec_from_config(TINY)
    with_tests = run_id_for(rows, spec, registry, segment_experiments(experiments.rename(columns=str.lower), segment))
    assert with_tests != run_id_for(rows, spec, registry)
    fitter = cloudpickle.loads(
        cloudpickle.dumps(
            PartitionFit(
                registry=registry, config=TINY, existing_run_ids=frozenset({with_tests}), experiments=experiments
            )
        )
    )
    assert fitter(parts[segment]).empty
