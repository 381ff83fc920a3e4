"""The Python API for notebooks and scripts: fit from pandas, keep every draw, save and load.

    import curvehouse
    model_input, registry = curvehouse.weekly_frame_input(frame, date="week", outcome="revenue",
                                                          spend=["tv", "search"])
    fit = curvehouse.fit(model_input, registry, {"sampler": {"chains": 4}})
    fit.runs, fit.table("summary")           # what the dbt build publishes, as DataFrames
    idata = fit.to_inference_data()          # ArviZ: az.summary(idata), az.loo(idata)
    fit.save("fit.nc"); curvehouse.load("fit.nc")

`fit` runs the code the dbt model runs (curvehouse.fitting.segments.fit_segments) on the same
inputs and settings, so a fit here and the dbt build of the same data and seed publish the same
runs; it also keeps each segment's full posterior, which the warehouse thins.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import arviz as az
import numpy as np
import pandas as pd
import xarray as xr

from curvehouse.bench import default_registry, long_model_input
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.data import ModelData
from curvehouse.model.sampling import Posterior
from curvehouse.model.spec import spec_from_config
from curvehouse.posterior.inference_data import BY_OBSERVATION, inference_data
from curvehouse.posterior.store import PATH_TEXT
from curvehouse.posterior.summaries import ARTIFACT_COLUMNS

__all__ = ["Fit", "fit", "load", "load_posterior", "load_run", "weekly_frame_input"]

ARTIFACTS_SUFFIX = ".artifacts.parquet"  # beside a saved fit's NetCDF: its artifact rows


@dataclass(frozen=True)
class Fit:
    """One fit_segments call: its artifact rows (one run per segment) and every segment's full
    posterior as ArviZ InferenceData with a segment dim."""

    artifacts: pd.DataFrame
    posterior: az.InferenceData | None

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run: its status, publish reasons, diagnostics, fit figures and provenance
        (the columns of mmm_model_runs that the fit writes), indexed by run_id."""
        rows = self.artifacts[self.artifacts["artifact"] == "run"]
        numbers = rows.pivot_table(index=["run_id", "segment_id"], columns="parameter", values="value", aggfunc="first")
        texts = rows.dropna(subset=["details"]).pivot(
            index=["run_id", "segment_id"], columns="parameter", values="details"
        )
        return texts.join(numbers, how="outer").reset_index(level="segment_id")

    def table(self, artifact: str) -> pd.DataFrame:
        """The artifact rows of one kind (summary, parameter, curve, decomposition, draw, review,
        experiment, backtest), with only the columns that kind fills."""
        kinds = set(self.artifacts["artifact"])
        if artifact not in kinds:
            raise KeyError(f"no {artifact!r} rows in this fit; it has {', '.join(sorted(kinds))}")
        rows = self.artifacts[self.artifacts["artifact"] == artifact]
        return rows.dropna(axis="columns", how="all").reset_index(drop=True)

    def to_inference_data(self) -> az.InferenceData:
        """Every fitted segment's full posterior (curvehouse.posterior.inference_data)."""
        if self.posterior is None:
            raise ValueError(
                "no full posterior: this fit refitted no segment, or was read from a warehouse whose store "
                "lacks a file of one of its runs (rejected runs, var posterior_store false, "
                "runs fitted before the store existed: mmm_model_runs.posterior_path is null)"
            )
        return self.posterior

    def save(self, path: str | Path) -> Path:
        """The posterior as NetCDF at path (ArviZ's format) and the artifact rows beside it
        (path + ARTIFACTS_SUFFIX, Parquet)."""
        path = Path(path)
        self.to_inference_data().to_netcdf(str(path))
        self.artifacts.to_parquet(_artifacts_path(path), index=False)
        return path


def fit(
    model_input: pd.DataFrame,
    registry: pd.DataFrame,
    config: dict | None = None,
    experiments: pd.DataFrame | None = None,
    progress: Callable[[str], None] = print,
) -> Fit:
    """Fit every segment of model_input (the long int_model_input_weekly frame; weekly_frame_input
    builds it from a wide weekly frame) with config (the mmm settings of dbt_project.yml, as a dict;
    None: the defaults) and the lift tests in experiments (the raw experiments columns)."""
    spec = spec_from_config(config)
    kept: list[az.InferenceData] = []

    def keep(data: ModelData, posterior: Posterior, run_ids: dict[str, str]) -> None:
        kept.append(inference_data(posterior, data, spec))

    artifacts = fit_segments(
        model_input, registry, config, progress=progress, experiments=experiments, keep_posterior=keep
    )
    return Fit(artifacts, _with_run_ids(_joined(kept), artifacts) if kept else None)


def load(path: str | Path) -> Fit:
    """A fit saved with Fit.save."""
    path = Path(path)
    return Fit(pd.read_parquet(_artifacts_path(path)).astype(_dtypes()), az.from_netcdf(str(path)))


def load_run(database: str | Path, run_id: str = "current", segment: str | None = None) -> Fit:
    """Runs a `dbt build` stored in a DuckDB file, as a Fit: one run id, or the current run of every
    segment (or of one). Its artifacts are the rows fit_segments keeps (thinned draws); its full
    posterior is read from the store beside the database (curvehouse.posterior.store) where every
    run has a file there, else to_inference_data says why it has none."""
    import duckdb  # the API's fits need no database

    path = Path(database)
    if not path.is_file():
        raise FileNotFoundError(f"no DuckDB file at {path}: run `dbt build` first (env CURVEHOUSE_DUCKDB_PATH)")
    with duckdb.connect(str(path), read_only=True) as con:
        if run_id == "current":
            where = "run_id in (select run_id from mmm_model_runs where is_current)"
            where += " and segment_id = $segment" if segment else ""
            params = {"segment": segment} if segment else {}
        else:
            where, params = "run_id = $run_id", {"run_id": run_id}
        artifacts = con.execute(f"select * from fit_segments where {where}", params).df()
    if artifacts.empty:
        wanted = (
            f"run {run_id}" if run_id != "current" else f"current run{f' of segment {segment!r}' if segment else 's'}"
        )
        raise LookupError(f"{path}: no {wanted} in fit_segments")
    artifacts = artifacts[list(ARTIFACT_COLUMNS)].astype(_dtypes())
    return Fit(artifacts, _stored_posterior(path, artifacts))


def load_posterior(database: str | Path, run_id: str) -> az.InferenceData:
    """The full posterior of one stored run (every draw), from the store beside the DuckDB file."""
    return load_run(database, run_id).to_inference_data()


def _stored_posterior(database: Path, artifacts: pd.DataFrame) -> az.InferenceData | None:
    """The runs' files in the store, joined (None unless every run has one)."""
    runs = artifacts[artifacts["artifact"] == "run"]
    paths = runs[runs["parameter"] == PATH_TEXT].set_index("run_id")["details"]
    run_ids = sorted(set(runs["run_id"]))
    files = [database.resolve().parent / paths[r] for r in run_ids if r in paths.index]
    if len(files) < len(run_ids) or not all(f.is_file() for f in files):
        return None
    return _with_run_ids(_joined([az.from_netcdf(str(f)) for f in files]), artifacts)


def weekly_frame_input(
    frame: pd.DataFrame,
    date: str,
    outcome: str,
    spend: Iterable[str],
    controls: Iterable[str] = (),
    segment: str | None = None,
    default_segment: str = "total",
    fourier_order: int = 2,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A wide weekly frame (one row per week, or per segment x week with a segment column) as the
    long model input, with yearly Fourier controls as the SQL spine adds them, and a registry of
    the spend columns (paid channels, live from the first week, the methodology's default priors).

    date holds each week's Monday (ISO weeks); outcome and spend are in currency."""
    spend, controls = list(spend), list(controls)
    missing = [c for c in [date, outcome, *spend, *controls, *([segment] if segment else [])] if c not in frame]
    if missing:
        raise KeyError(f"columns not in the frame: {', '.join(missing)}")
    weeks = pd.to_datetime(frame[date])
    if (weeks.dt.dayofweek != 0).any():
        raise ValueError(f"column {date!r} must hold each week's Monday (ISO weeks), not {weeks.iloc[0]:%A %Y-%m-%d}")
    wide = frame[[outcome, *spend, *controls]].astype(float).reset_index(drop=True)
    wide.insert(0, "week_start", weeks.to_numpy())
    wide.insert(0, "segment_id", frame[segment].astype(str).to_numpy() if segment else default_segment)
    melt = lambda columns: wide.melt(["segment_id", "week_start"], columns, "variable_name")  # noqa: E731
    model_input = long_model_input(wide.assign(value=wide[outcome]), melt(spend), melt(controls), fourier_order)
    return model_input, default_registry(spend, weeks.min())


def _artifacts_path(path: Path) -> Path:
    return path.with_name(path.name + ARTIFACTS_SUFFIX)


def _dtypes() -> dict[str, str]:
    return {c: t for c, t in ARTIFACT_COLUMNS.items() if t != "object"}


def _joined(parts: list[az.InferenceData]) -> az.InferenceData:
    """One InferenceData from the groups a fit sampled (one segment each, or lanes of several):
    segment-level groups joined along segment, the per-observation groups along obs."""
    if len(parts) == 1:
        return parts[0]
    groups = {}
    for group in parts[0].groups():
        datasets = [part[group] for part in parts]
        if group in BY_OBSERVATION:
            joined = xr.concat(datasets, dim="obs")
            groups[group] = joined.assign_coords(obs=np.arange(joined.sizes["obs"]))
        else:
            with_segment = [
                d if "segment" in d.dims else d.expand_dims(segment=part.posterior["segment"].values)
                for d, part in zip(datasets, parts, strict=True)
            ]
            groups[group] = xr.concat(with_segment, dim="segment", data_vars="minimal", coords="minimal")
        groups[group].attrs = datasets[0].attrs
    return az.InferenceData(**groups)


def _with_run_ids(idata: az.InferenceData, artifacts: pd.DataFrame) -> az.InferenceData:
    """The run id of each segment's fit as an attribute of the posterior (JSON text: segment -> run id)."""
    runs = artifacts.loc[artifacts["artifact"] == "run", ["segment_id", "run_id"]].drop_duplicates()
    idata.posterior.attrs["run_ids"] = json.dumps(dict(zip(runs["segment_id"], runs["run_id"], strict=True)))
    return idata
