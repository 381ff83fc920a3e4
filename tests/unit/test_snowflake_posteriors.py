"""Full posteriors on Snowflake: a partition returns its published runs' NetCDF files as pieces, and
the model puts them on a stage and names them on the run (posterior_path) instead of storing them.

The partition is the real per-segment function with a real NumPyro fit (as in
test_snowflake_partition.py); the stage is Snowpark's local testing emulator, which keeps stage files
in a local folder: a real account's PUT, the stage's permissions and the procedure's temp space are
not covered here (tests/e2e/test_snowflake_live.py runs against an account when credentials are set).
"""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd
import pytest

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.posterior.store import PATH_TEXT
from curvehouse.snowflake import posteriors
from curvehouse.snowflake.partition import PartitionFit
from tests.e2e.conftest import SMALL_FIT

cloudpickle = pytest.importorskip("cloudpickle", reason="the snowflake extra is not installed")

CHANNELS = tuple(c for c in DEFAULT_CHANNELS if c.name in ("paid_search", "tv"))
TINY = {
    **SMALL_FIT,
    "sampler": {**SMALL_FIT["sampler"], "warmup": 60, "draws": 40, "draws_kept": 10},
    "holdout_weeks": 0,
    "backtest": {"folds": 0},
    "publish": {"rhat_max": 5.0, "ess_min": 1, "divergences_max": 1000, "r2_min": -10.0},
}


@pytest.fixture(scope="module")
def outputs():
    """Two segments' partitions: the first fitted to publish, the second under an R-hat bar no fit clears."""
    data = generate_demo(n_segments=2, n_weeks=40, seed=6, channels=CHANNELS, deferred_channel=None, daily=False)
    long, registry = model_input_from_demo(data)
    published, rejected = sorted(long["segment_id"].unique())
    strict = {**TINY, "publish": {**TINY["publish"], "rhat_max": 1.0}}
    out = {}
    for segment, config in ((published, TINY), (rejected, strict)):
        fitter = cloudpickle.loads(cloudpickle.dumps(PartitionFit(registry, config, posterior_store=True)))
        out[segment] = fitter(long[long["segment_id"] == segment].rename(columns=str.upper).reset_index(drop=True))
    return out


def _lower(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns=str.lower)


def _status(frame: pd.DataFrame) -> str:
    rows = frame[(frame["ARTIFACT"] == "run") & (frame["PARAMETER"] == "status")]
    return rows["DETAILS"].iloc[0]


def test_a_published_run_returns_its_posterior_as_pieces_and_a_rejected_one_none(outputs, tmp_path):
    published, rejected = outputs.values()
    assert _status(published) == "published" and _status(rejected) == "rejected"
    assert not (rejected["ARTIFACT"] == posteriors.POSTERIOR_CHUNK).any()
    chunks = _lower(published[published["ARTIFACT"] == posteriors.POSTERIOR_CHUNK])
    (run_id, data), *more = posteriors.files_from_chunks(chunks).items()
    assert not more and run_id == published["RUN_ID"].iloc[0]
    (tmp_path / "run.nc").write_bytes(data)
    idata = az.from_netcdf(str(tmp_path / "run.nc"))
    assert idata.posterior["segment"].values.tolist() == [published["SEGMENT_ID"].iloc[0]]
    assert idata.posterior.sizes["chain"] * idata.posterior.sizes["draw"] == 2 * 40
    # The posterior is the one the published summary came from.
    roi = published[(published["ARTIFACT"] == "summary") & (published["PARAMETER"] == "roi")]
    for channel, mean in zip(roi["CHANNEL"], roi["MEAN"], strict=True):
        assert float(idata.posterior["roi"].sel(channel=channel).mean()) == pytest.approx(mean, rel=1e-6)


def test_pieces_fit_a_varchar_and_arrive_whole_or_are_refused(monkeypatch):
    data = np.random.default_rng(0).bytes(10_000)
    monkeypatch.setattr(posteriors, "CHUNK_CHARS", 1_000)
    rows = posteriors.chunk_rows({"r1": data, "r2": b"small"}, {"r1": "apac", "r2": "emea"})
    assert rows["details"].str.len().max() <= 1_000 and (rows["run_id"] == "r1").sum() > 1
    assert posteriors.files_from_chunks(rows.sample(frac=1.0, random_state=1)) == {"r1": data, "r2": b"small"}
    with pytest.raises(ValueError, match="run r1: posterior pieces"):
        posteriors.files_from_chunks(rows.drop(index=rows.index[1]))


def test_the_model_puts_the_files_on_a_stage_and_names_them(outputs):
    snowpark = pytest.importorskip("snowflake.snowpark", reason="the snowflake extra is not installed")
    session = snowpark.Session.builder.config("local_testing", True).create()
    try:
        frame = pd.concat(outputs.values(), ignore_index=True)
        runs_and_pieces = frame[frame["ARTIFACT"].isin(["run", posteriors.POSTERIOR_CHUNK])]
        result = session.create_dataframe(runs_and_pieces)
        stored = posteriors.stage_posteriors(session, result, "@curvehouse_posteriors").to_pandas()
        assert not (stored["ARTIFACT"] == posteriors.POSTERIOR_CHUNK).any()
        paths = stored[stored["PARAMETER"] == PATH_TEXT]
        published = next(iter(outputs.values()))["RUN_ID"].iloc[0]
        assert paths["RUN_ID"].tolist() == [published]
        assert paths["DETAILS"].tolist() == [f"@curvehouse_posteriors/{published}.nc"]
        assert len(stored) == (runs_and_pieces["ARTIFACT"] == "run").sum() + 1
        idata = posteriors.load_stage_posterior(session, paths["DETAILS"].iloc[0])
        assert idata.posterior["segment"].values.tolist() == [paths["SEGMENT_ID"].iloc[0]]
    finally:
        session.close()
