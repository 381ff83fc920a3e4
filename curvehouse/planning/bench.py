"""Planning benchmark (``curvehouse bench --scenarios planning``): seconds per segment for the stored
response surface (>= 10,000 scenarios) and the 21-level frontier, and the latency of a runtime what-if
query on DuckDB.

The surface and frontier run on seeded curve sets shaped like the demo's (8 channels, 200 posterior
draws: the default draws kept per run). The what-if latency is measured on a built project database
(its mmm_what_if macro and tables), since the macro is created by `dbt build`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from curvehouse.demo.generate import DEFAULT_CHANNELS
from curvehouse.planning.audit import saturation_audit
from curvehouse.planning.config import planning_spec
from curvehouse.planning.curves import CurveSet
from curvehouse.planning.frontier import efficient_frontier
from curvehouse.planning.scenarios import plan_scenarios
from curvehouse.planning.surface import response_surface

__all__ = ["bench_curves", "run_planning_bench", "what_if_latency"]

TARGETS = {"surface_plus_frontier_s": 30.0, "what_if_ms": 50.0}


def bench_curves(segment: int, n_draws: int = 200) -> CurveSet:
    """A seeded curve set with the demo's channels: half points near each channel's typical weekly spend,
    ceilings from its ROI, posterior-like draws (15% log-sd), bounds at 40%..160% of current spend."""
    rng = np.random.default_rng(1000 + segment)
    spend = np.array([c.weekly_spend for c in DEFAULT_CHANNELS]) * rng.uniform(0.7, 1.3, len(DEFAULT_CHANNELS))
    half = spend * rng.uniform(0.6, 1.5, spend.size)
    smax = spend * np.array([c.roi for c in DEFAULT_CHANNELS]) * rng.uniform(2.0, 3.5, spend.size)
    slope = np.array([c.slope for c in DEFAULT_CHANNELS])

    def draws(values: np.ndarray, sd: float) -> np.ndarray:
        return values * np.exp(sd * rng.standard_normal((n_draws, values.size)))

    return CurveSet(
        segment_id=f"bench_{segment}",
        run_id="bench",
        channels=tuple(c.name for c in DEFAULT_CHANNELS),
        groups=tuple(c.group for c in DEFAULT_CHANNELS),
        half_dc=draws(half, 0.15),
        smax_dc=draws(smax, 0.15),
        slope_dc=draws(slope, 0.05),
        current_c=spend,
        lower_c=0.4 * spend,
        upper_c=1.6 * spend,
        base=4.0 * smax.sum(),
        calibration=1.0,
        interval_source="posterior_draws",
        materialise_c=np.full(spend.size, 3.0),
        observed_min_c=0.4 * spend,
        observed_max_c=1.6 * spend,
    )


def what_if_latency(db_path: Path, repeats: int = 50) -> dict[str, float] | str:
    """First and median milliseconds of mmm_what_if on a built DuckDB file's current allocation, or why not."""
    import duckdb

    if not db_path.is_file():
        return f"skipped: {db_path} not found (run dbt build first, or pass --planning-db)"
    with duckdb.connect(str(db_path), read_only=True) as con:
        found = con.sql("select count(*) from duckdb_functions() where function_name = 'mmm_what_if'").fetchone()[0]
        if not found:
            return f"skipped: {db_path} has no mmm_what_if macro (built before the planning layer?)"
        rows = con.sql(
            "select segment_id, list(channel order by channel), list(current_weekly_spend order by channel) "
            "from mmm_planning_channels group by 1 order by 1 limit 1"
        ).fetchall()
        if not rows:
            return f"skipped: {db_path} has no current curves"
        segment, channels, spends = rows[0]
        query = "select * from mmm_what_if(?, ?, ?)"
        times = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            con.execute(query, [segment, channels, spends]).fetchall()
            times.append((time.perf_counter() - started) * 1000)
        scalar = []
        for _ in range(repeats):
            started = time.perf_counter()
            con.execute("select mmm_marginal_roi(?, ?, ?)", [segment, channels[0], spends[0]]).fetchall()
            scalar.append((time.perf_counter() - started) * 1000)
    return {
        "first_ms": times[0],
        "median_ms": statistics.median(times[1:]),
        "marginal_roi_median_ms": statistics.median(scalar),
        "segment": segment,
        "channels": len(channels),
    }


def run_planning_bench(db_path: Path, segments: int = 3, echo: Callable[[str], None] = print) -> dict:
    """Time surface, frontier (and scenarios + audit) per segment, then the runtime what-if; echo one line each."""
    spec = planning_spec({})
    echo(
        f"planning bench | {segments} segments x {len(DEFAULT_CHANNELS)} channels x 200 draws | surface >= "
        f"{spec.surface_min_scenarios:,} scenarios, frontier {spec.frontier_levels} levels (top {spec.frontier_top_k} "
        f"alternatives) | targets: surface + frontier < {TARGETS['surface_plus_frontier_s']:.0f} s per segment, "
        f"what-if < {TARGETS['what_if_ms']:.0f} ms"
    )
    results = []
    for i in range(segments):
        curves = bench_curves(i)
        timings = {}
        for name, step in (
            ("surface", lambda c=curves: response_surface(c, spec)),
            ("frontier", lambda c=curves: efficient_frontier(c, spec)),
            ("scenarios_audit", lambda c=curves: (plan_scenarios(c, spec), saturation_audit(c, spec))),
        ):
            started = time.perf_counter()
            out = step()
            timings[name] = time.perf_counter() - started
            if name == "surface":
                timings["scenarios"] = int(out["scenario_id"].nunique())
        total = timings["surface"] + timings["frontier"]
        echo(
            f"  {curves.segment_id:<10} surface {timings['scenarios']:,} scenarios {timings['surface']:6.2f} s | "
            f"frontier 21 levels {timings['frontier']:6.2f} s | "
            f"scenarios + audit {timings['scenarios_audit']:5.2f} s | "
            f"surface + frontier {total:6.2f} s ({'ok' if total < TARGETS['surface_plus_frontier_s'] else 'OVER'})"
        )
        results.append({"segment": curves.segment_id, **timings, "surface_plus_frontier_s": total})
    latency = what_if_latency(db_path)
    if isinstance(latency, str):
        echo(f"  what-if on DuckDB: {latency}")
    else:
        ok = "ok" if latency["median_ms"] < TARGETS["what_if_ms"] else "OVER"
        echo(
            f"  what-if on DuckDB ({db_path}, segment {latency['segment']}, {latency['channels']} channels): "
            f"mmm_what_if median {latency['median_ms']:.1f} ms ({ok}; first call {latency['first_ms']:.0f} ms), "
            f"mmm_marginal_roi median {latency['marginal_roi_median_ms']:.1f} ms"
        )
    return {"segments": results, "what_if": latency}
