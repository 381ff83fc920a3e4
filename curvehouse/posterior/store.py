"""Full posteriors beside the warehouse: each published run's InferenceData as one NetCDF file.

The warehouse keeps thinned draws (mmm_posterior_draws); the store keeps every draw, so a question
about uncertainty can be asked later with all of them. On DuckDB the store is the folder
``<database stem>.posteriors`` next to the database file, one ``<run_id>.nc`` per published run;
mmm_model_runs.posterior_path names the file relative to the database's folder. Files are written
while the fit runs and a rejected run's file is removed once the publish rule has judged it. The
store grows with fit_segments (append-only) and is deleted with it by ``curvehouse reset`` only.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import arviz as az
import numpy as np
import pandas as pd

from curvehouse import constants as k
from curvehouse.model.data import ModelData
from curvehouse.model.sampling import Posterior
from curvehouse.model.spec import ModelSpec
from curvehouse.posterior.inference_data import BY_OBSERVATION, inference_data

__all__ = [
    "PATH_TEXT",
    "PosteriorStore",
    "path_rows",
    "run_statuses",
    "segment_inference_data",
    "store_for_database",
    "with_paths",
]

PATH_TEXT = "posterior_path"  # the run text (mmm_model_runs column) naming a run's file
SUFFIX = ".nc"


@dataclass(frozen=True)
class PosteriorStore:
    """A folder of one NetCDF file per run; paths recorded relative to `root` (the database's folder)."""

    folder: Path
    root: Path

    def path(self, run_id: str) -> Path:
        return self.folder / f"{run_id}{SUFFIX}"

    def recorded(self, run_id: str) -> str:
        """The path as mmm_model_runs records it (relative to the database's folder)."""
        return self.path(run_id).relative_to(self.root).as_posix()

    def write(self, run_id: str, idata: az.InferenceData) -> Path:
        """Write atomically: a reader sees the whole file or none (a fit may be interrupted)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(run_id)
        partial = target.with_name(target.name + ".partial")
        idata.to_netcdf(str(partial))
        partial.replace(target)
        return target

    def writer(self, spec: ModelSpec) -> Callable[[ModelData, Posterior, dict[str, str]], None]:
        """A fit_segments keep_posterior hook writing each fitted segment's file under its run id."""

        def keep(data: ModelData, posterior: Posterior, run_ids: dict[str, str]) -> None:
            idata = inference_data(posterior, data, spec)
            for segment in data.segments:
                self.write(run_ids[segment], segment_inference_data(idata, segment))

        return keep

    def published(self, artifacts: pd.DataFrame) -> pd.DataFrame:
        """The artifacts with a posterior_path run row for every published run whose file was
        written; the files of the rejected runs among them are removed."""
        return with_paths(artifacts, {run_id: self.recorded(run_id) for run_id in self.keep_published(artifacts)})

    def keep_published(self, artifacts: pd.DataFrame) -> list[str]:
        """Remove the files of the artifacts' rejected runs; the published runs that have a file."""
        kept = []
        for run_id, status in run_statuses(artifacts).items():
            if status != k.STATUS_PUBLISHED:
                self.path(run_id).unlink(missing_ok=True)
            elif self.path(run_id).is_file():
                kept.append(run_id)
        return kept

    def describe(self) -> str:
        files = sorted(self.folder.glob(f"*{SUFFIX}"))
        size = sum(f.stat().st_size for f in files) / 2**20
        return f"{self.folder}: {len(files):,} full posteriors of published runs ({size:,.1f} MiB)"

    def remove(self) -> None:
        """Delete the whole store (curvehouse reset)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def store_for_database(database: str | Path) -> PosteriorStore:
    """The store of a DuckDB file: ``<stem>.posteriors`` in the same folder."""
    path = Path(database).resolve()
    return PosteriorStore(path.with_name(f"{path.stem}.posteriors"), path.parent)


def segment_inference_data(idata: az.InferenceData, segment: str) -> az.InferenceData:
    """One segment of a fit's InferenceData: a segment dim of length one where a group has one, and
    the observations that are its weeks, renumbered from 0."""
    groups = {}
    for group in idata.groups():
        dataset = idata[group]
        if group in BY_OBSERVATION:
            mine = np.flatnonzero(dataset["segment"].values == segment)
            dataset = dataset.isel(obs=mine).assign_coords(obs=np.arange(len(mine)))
        elif "segment" in dataset.dims:
            where = int(np.flatnonzero(dataset["segment"].values == segment)[0])
            dataset = dataset.isel(segment=[where])
        groups[group] = dataset
    return az.InferenceData(**groups)


def run_statuses(artifacts: pd.DataFrame) -> dict[str, str]:
    """run_id -> status (published | rejected) of the artifacts' runs."""
    rows = artifacts[(artifacts["artifact"] == "run") & (artifacts["parameter"] == "status")]
    return dict(zip(rows["run_id"], rows["details"], strict=True))


def with_paths(artifacts: pd.DataFrame, paths: dict[str, str]) -> pd.DataFrame:
    """The artifacts and a posterior_path run row (details: the path) for each run in paths."""
    if not paths:
        return artifacts
    segments = artifacts[artifacts["artifact"] == "run"].groupby("run_id")["segment_id"].first().to_dict()
    extra = path_rows(paths, segments).reindex(columns=artifacts.columns).astype(artifacts.dtypes.to_dict())
    return pd.concat([artifacts, extra], ignore_index=True)


def path_rows(paths: dict[str, str], segments: dict[str, str]) -> pd.DataFrame:
    """A posterior_path run row per run in paths (run_id -> path); segments: run_id -> segment_id."""
    return pd.DataFrame(
        {
            "run_id": list(paths),
            "segment_id": [segments[r] for r in paths],
            "artifact": "run",
            "parameter": PATH_TEXT,
            "details": list(paths.values()),
        }
    )
