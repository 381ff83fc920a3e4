"""Full posteriors on Snowflake: each published run's NetCDF file on a stage.

A fit partition (a UDTF call) cannot write to a stage, so it returns its published runs' files as
text rows beside the artifacts (artifact POSTERIOR_CHUNK: base64 pieces small enough for a VARCHAR).
The fit_segments model, a stored procedure with a session, runs the UDTF once (cache_result), puts
each file on the stage named by var posterior_stage as <run_id>.nc, and returns the artifacts with a
posterior_path run row per file instead of the pieces, so fit_segments never holds them.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "CHUNK_CHARS",
    "POSTERIOR_CHUNK",
    "chunk_rows",
    "ensure_stage",
    "files_from_chunks",
    "load_stage_posterior",
    "stage_posteriors",
]

POSTERIOR_CHUNK = "posterior_chunk"  # artifact of the pieces; never stored in fit_segments
CHUNK_CHARS = 8_000_000  # base64 characters a row (Snowflake's VARCHAR holds 16 MB)


def chunk_rows(files: dict[str, bytes], segments: dict[str, str]) -> pd.DataFrame:
    """The files (run_id -> NetCDF bytes) as rows: parameter = piece index, value = pieces of the
    file, details = the piece (base64 text); segments: run_id -> segment_id."""
    rows = []
    for run_id, data in files.items():
        text = base64.b64encode(data).decode("ascii")
        pieces = [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)] or [""]
        rows += [
            {
                "run_id": run_id,
                "segment_id": segments[run_id],
                "artifact": POSTERIOR_CHUNK,
                "parameter": str(i),
                "value": float(len(pieces)),
                "details": piece,
            }
            for i, piece in enumerate(pieces)
        ]
    return pd.DataFrame(rows, columns=["run_id", "segment_id", "artifact", "parameter", "value", "details"])


def files_from_chunks(rows: pd.DataFrame) -> dict[str, bytes]:
    """The files the rows hold (lower-case columns), each checked whole: every piece present once."""
    files = {}
    for run_id, pieces in rows.groupby("run_id"):
        order = pieces.assign(index=pieces["parameter"].astype(int)).sort_values("index")
        expected = int(order["value"].iloc[0])
        if order["index"].tolist() != list(range(expected)):
            raise ValueError(
                f"run {run_id}: posterior pieces {order['index'].tolist()} arrived, expected 0..{expected - 1}"
            )
        files[run_id] = base64.b64decode("".join(order["details"]))
    return files


def ensure_stage(session: Any, stage: str) -> None:
    """Create the stage (an internal one) unless it exists."""
    session.sql(f"create stage if not exists {stage.lstrip('@')}").collect()


def stage_posteriors(session: Any, result: Any, stage: str) -> Any:
    """Run the fit (a Snowpark DataFrame of the UDTF's output) once, put the published runs' files on
    the stage, and return its artifacts with a POSTERIOR_PATH row per file instead of the pieces."""
    from snowflake.snowpark.functions import col

    from curvehouse import warehouse
    from curvehouse.posterior.store import path_rows
    from curvehouse.snowflake.partition import output_frame

    done = result.cache_result()
    chunks = warehouse.to_pandas(done.filter(col("ARTIFACT") == POSTERIOR_CHUNK))
    artifacts = done.filter(col("ARTIFACT") != POSTERIOR_CHUNK)
    if chunks.empty:
        return artifacts
    folder = Path(tempfile.mkdtemp(prefix="curvehouse_posteriors_"))
    target = f"@{stage.lstrip('@').rstrip('/')}"
    paths = {}
    for run_id, data in files_from_chunks(chunks).items():
        local = folder / f"{run_id}.nc"
        local.write_bytes(data)
        session.file.put(str(local), target, auto_compress=False, overwrite=True)
        local.unlink()
        paths[run_id] = f"{target}/{local.name}"
    segments = chunks.groupby("run_id")["segment_id"].first().to_dict()
    rows = path_rows(paths, segments)
    extra = session.create_dataframe(output_frame(rows))  # OUTPUT_SCHEMA's columns and dtypes
    return artifacts.union_all_by_name(extra)


def load_stage_posterior(session: Any, path: str) -> Any:
    """A run's full posterior (ArviZ InferenceData) from its file on a stage (mmm_model_runs.posterior_path)."""
    import arviz as az

    folder = Path(tempfile.mkdtemp(prefix="curvehouse_posterior_"))
    local = folder / Path(path).name
    local.write_bytes(session.file.get_stream(path).read())
    return az.from_netcdf(str(local))
