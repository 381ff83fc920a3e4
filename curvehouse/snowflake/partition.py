"""The per-segment fit exactly as Snowflake runs it: one partition of model input in, artifacts out.

Snowflake calls ``PartitionFit`` once per partition (one segment) from a vectorized UDTF
(``group_by("SEGMENT_ID").apply_in_pandas``), with upper-case column names. It lower-cases them,
calls the same ``curvehouse.fitting.segments.fit_segments`` as the DuckDB build, and returns the
artifact frame with upper-case names in ``OUTPUT_COLUMNS`` order (the UDTF's output schema). A
partition whose fit raises returns one rejected run per segment with the error as the reason
instead of raising, so one bad segment never kills the query that fits the others. Its run_id
differs from the deterministic one (the failure is not a verdict on the data), so the next build
tries that segment again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

__all__ = ["OUTPUT_SCHEMA", "PartitionFit", "failed_run_rows", "fit_partition", "output_frame"]

FAILURE_PREFIX = "fit failed in its Snowflake partition"
MAX_REASON_CHARS = 2000


# The UDTF's output schema: curvehouse.posterior.summaries.ARTIFACT_COLUMNS upper-cased (a unit test
# keeps the two equal), spelled out so the calling procedure declares it without importing ArviZ.
_TEXT = ("RUN_ID", "SEGMENT_ID", "ARTIFACT", "PARAMETER", "CHANNEL")
_NUMBERS = ("SPEND_LEVEL",)
_STATS = (
    "CHAIN",
    "DRAW",
    "VALUE",
    "MEAN",
    "SD",
    "P05",
    "P10",
    "P50",
    "P90",
    "P95",
    "RHAT",
    "ESS_BULK",
    "ESS_TAIL",
    "PRIOR_MEAN",
    "PRIOR_SD",
    "PRIOR_P05",
    "PRIOR_P95",
)
OUTPUT_SCHEMA: dict[str, str] = {
    **{c: "string" for c in _TEXT},
    "WEEK_START": "timestamp",
    **{c: "double" for c in _NUMBERS},
    "DRAW_KIND": "string",
    **{c: "double" for c in _STATS},
    "DETAILS": "string",
}
_PANDAS_DTYPES = {"string": "object", "double": "float64", "timestamp": "datetime64[ns]"}


@dataclass(frozen=True)
class PartitionFit:
    """Everything a partition needs besides its rows, pickled with it into the UDTF.

    ``refreshed_at`` is the build's timestamp (naive UTC), shared by every partition so that all
    runs of one build carry the same refreshed_at, as on DuckDB.
    """

    registry: pd.DataFrame
    config: dict
    existing_run_ids: frozenset[str] = frozenset()
    previous: pd.DataFrame | None = None
    refreshed_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))
    experiments: pd.DataFrame | None = None
    posterior_store: bool = False

    def __call__(self, partition: pd.DataFrame) -> pd.DataFrame:
        return fit_partition(
            partition,
            self.registry,
            self.config,
            self.existing_run_ids,
            self.previous,
            self.refreshed_at,
            self.experiments,
            self.posterior_store,
        )


def fit_partition(
    partition: pd.DataFrame,
    registry: pd.DataFrame,
    config: dict,
    existing_run_ids: frozenset[str] = frozenset(),
    previous: pd.DataFrame | None = None,
    refreshed_at: datetime | None = None,
    experiments: pd.DataFrame | None = None,
    posterior_store: bool = False,
) -> pd.DataFrame:
    """Fit the segment(s) of one partition; upper-case artifact columns, or rejected runs on failure.

    partition: long model input (segment_id, week_start, variable_kind, variable_name, value), any case;
    experiments: lift tests of any segments (stg_raw__experiments, any case); each fit takes its own;
    posterior_store: also return each published run's full posterior as rows of pieces
    (curvehouse.snowflake.posteriors, which the calling model puts on a stage).
    """
    # JAX loads inside the UDTF, not in the calling procedure
    from curvehouse.fitting.segments import fit_segments
    from curvehouse.model.spec import spec_from_config
    from curvehouse.posterior.store import PosteriorStore
    from curvehouse.snowflake.posteriors import chunk_rows

    rows = partition.rename(columns=str.lower)
    now = (refreshed_at or datetime.now(UTC).replace(tzinfo=None)).replace(tzinfo=UTC)
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="curvehouse_posteriors_"))
    store = PosteriorStore(folder, folder) if posterior_store else None
    try:
        artifacts = fit_segments(
            rows,
            registry,
            config,
            existing_run_ids=existing_run_ids,
            previous=previous,
            now=now,
            progress=_log,
            experiments=None if experiments is None else experiments.rename(columns=str.lower),
            keep_posterior=store.writer(spec_from_config(config)) if store else None,
        )
        if store:
            segments = artifacts.groupby("run_id")["segment_id"].first()
            files = {run_id: store.path(run_id).read_bytes() for run_id in store.keep_published(artifacts)}
            if files:
                pieces = chunk_rows(files, segments.to_dict()).reindex(columns=artifacts.columns)
                artifacts = pd.concat([artifacts, pieces.astype(artifacts.dtypes.to_dict())], ignore_index=True)
    except Exception as exc:  # noqa: BLE001 - one segment's failure must not fail the other partitions' query
        _log(f"curvehouse: {FAILURE_PREFIX}: {traceback.format_exc()}")
        artifacts = failed_run_rows(rows, config, exc, now, time.perf_counter() - started)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return output_frame(artifacts)


def failed_run_rows(
    rows: pd.DataFrame, config: dict | None, error: BaseException, now: datetime, seconds: float = 0.0
) -> pd.DataFrame:
    """One rejected run per segment in ``rows``, naming the error, with what is known of its data."""
    version, methodology, settings = _methodology(config)
    stamp = now.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    reason = f"{FAILURE_PREFIX}: {type(error).__name__}: {error}"[:MAX_REASON_CHARS]
    out = []
    for segment, part in rows.groupby("segment_id", sort=True):
        weeks = pd.to_datetime(part["week_start"], errors="coerce").dropna()
        spend = part.loc[part["variable_kind"] == "spend", "variable_name"]
        digest = pd.util.hash_pandas_object(part.astype(str), index=False).sum()
        run_id = hashlib.sha256(f"{segment}|{version}|{digest}|failed|{stamp}".encode()).hexdigest()[:16]
        texts = {
            "status": "rejected",
            "status_reason": reason,
            "warnings": "",
            "refreshed_at": stamp,
            "data_window_start": weeks.min().date().isoformat() if len(weeks) else None,
            "data_window_end": (weeks.max() + pd.Timedelta(days=6)).date().isoformat() if len(weeks) else None,
            "methodology_version": version,
            "methodology": methodology,
            **settings,
            "channels": ",".join(sorted(spend.astype(str).unique())),
        }
        numbers = {"n_weeks": float(weeks.nunique()), "fit_seconds": float(seconds)}
        base = {"run_id": run_id, "segment_id": segment, "artifact": "run"}
        out += [{**base, "parameter": k, "value": v} for k, v in numbers.items()]
        out += [{**base, "parameter": k, "details": v} for k, v in texts.items()]
    frame = pd.DataFrame(out, columns=[c.lower() for c in OUTPUT_SCHEMA])
    return frame.astype({c.lower(): _PANDAS_DTYPES[k] for c, k in OUTPUT_SCHEMA.items() if k != "string"})


def _methodology(config: dict | None) -> tuple[str | None, str | None, dict[str, str | None]]:
    """Version, JSON and pooling/noise/fit_mode of the config, or nulls when it does not parse."""
    try:
        from curvehouse.model.spec import spec_from_config

        spec = spec_from_config(config)
    except Exception:  # noqa: BLE001 - the failure being reported may be the config itself
        return None, json.dumps(config, sort_keys=True, default=str), {"pooling": None, "noise": None, "fit_mode": None}
    return (
        spec.version,
        json.dumps(spec.to_dict(), sort_keys=True),
        {"pooling": spec.pooling, "noise": spec.noise, "fit_mode": spec.fit_mode},
    )


def output_frame(artifacts: pd.DataFrame) -> pd.DataFrame:
    """Artifacts in OUTPUT_SCHEMA order with upper-case names and plain dtypes for Snowflake."""
    frame = artifacts.rename(columns=str.upper).reindex(columns=list(OUTPUT_SCHEMA))
    for column, kind in OUTPUT_SCHEMA.items():
        if kind == "string":
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
        else:
            frame[column] = frame[column].astype(_PANDAS_DTYPES[kind])
    return frame.reset_index(drop=True)


def _log(message: str) -> None:
    """Progress and errors to stderr, which Snowflake keeps in the UDTF's event table when enabled."""
    print(message, file=sys.stderr, flush=True)
