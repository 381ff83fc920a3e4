"""Benchmark: the fit node's time before sampling as history grows.

One real fit of the demo segments gives a build's artifacts (draws, curves, decomposition: as many
rows as a default build stores per run). A DuckDB table ``fit_segments`` then holds that build N
times over as N earlier builds of changed data (new run ids, later refresh times), and the timed
part is what the dbt model does before its first sample: read the history (curvehouse.published),
hash the run ids, build the model data and check the segments, on data none of those runs fitted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import duckdb
import pandas as pd

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import generate_demo
from curvehouse.fitting.segments import fit_segments
from curvehouse.published import read_history

__all__ = ["DEFAULT_BUILDS", "run_history_bench"]

DEFAULT_BUILDS = (1, 20)
SEGMENTS = 3
REPEATS = 5  # timed runs per history size; the median is reported
# Few samples, but the default number of draws kept per parameter, so a run stores the rows a default build does.
ARTIFACT_FIT = {
    "sampler": {"chains": 2, "warmup": 100, "draws": 100, "draws_kept": 200, "chain_method": "sequential"},
    "publish": {"rhat_max": 10.0, "ess_min": 1, "divergences_max": 10_000, "r2_min": -100.0},
}
TABLE = "fit_segments"


class _Sampling(Exception):
    """Raised by the progress callback when the fit announces its first sampling: the timer stops there."""


def _stop_at_sampling(message: str) -> None:
    if message.startswith("curvehouse: fitting "):
        raise _Sampling


def _earlier_builds(artifacts: pd.DataFrame, n: int) -> pd.DataFrame:
    """``artifacts`` as n builds: each copy gets its own run ids and a refresh time a week apart."""
    copies = []
    refreshed = artifacts["parameter"] == "refreshed_at"
    for b in range(n):
        copy = artifacts.assign(run_id=artifacts["run_id"] + f"_b{b:03d}")
        copy.loc[refreshed, "details"] = (pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=b)).isoformat(sep=" ")
        copies.append(copy)
    return pd.concat(copies, ignore_index=True)


def _time_before_sampling(
    con: duckdb.DuckDBPyConnection, model_input: pd.DataFrame, registry: pd.DataFrame, config: dict
) -> float:
    started = time.perf_counter()
    history = read_history(con, TABLE)
    try:
        fit_segments(
            model_input,
            registry,
            config,
            existing_run_ids=history.run_ids,
            previous=history.current_parameters,
            progress=_stop_at_sampling,
        )
    except _Sampling:
        return time.perf_counter() - started
    raise RuntimeError("the fit never reached sampling: every segment was already fitted")


def run_history_bench(builds: Sequence[int] = DEFAULT_BUILDS) -> dict[str, dict[str, float]]:
    """Print and return, per number of earlier builds, the stored rows and the median seconds before sampling."""
    model_input, registry = model_input_from_demo(generate_demo(n_segments=SEGMENTS, daily=False))
    print(f"history bench: one real fit of {SEGMENTS} demo segments for the stored artifacts ...", flush=True)
    artifacts = fit_segments(model_input, registry, ARTIFACT_FIT, progress=lambda _: None)
    # The build being timed sees changed data (every value 0.1% higher): no stored run id matches it.
    changed = model_input.assign(value=model_input["value"] * 1.001)
    figures: dict[str, dict[str, float]] = {}
    with duckdb.connect() as con:
        for n in builds:
            stored = _earlier_builds(artifacts, n)
            con.execute(f"create or replace table {TABLE} as select * from stored")
            seconds = sorted(_time_before_sampling(con, changed, registry, {}) for _ in range(REPEATS))
            figures[str(n)] = {
                "stored_rows": float(len(stored)),
                "stored_runs": float(n * SEGMENTS),
                "seconds_before_sampling": seconds[REPEATS // 2],
            }
            print(
                f"history bench: {n:>4} earlier builds ({len(stored):>10,} stored rows, {n * SEGMENTS:>4} runs): "
                f"{seconds[REPEATS // 2]:.3f} s before sampling (median of {REPEATS}; "
                f"read history + run ids + model data + checks)",
                flush=True,
            )
    return figures
