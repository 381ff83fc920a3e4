"""Time the demo fit with backtests on or off: `python scripts/bench_backtests.py FOLDS` (docs/benchmarks.md).

Fits the generated demo data (3 segments) with the default methodology and `backtest.folds` FOLDS,
and prints each run's fit seconds and backtest scores and the time spent in the backtests.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import generate_demo
from curvehouse.fitting import segments


def main(folds: int) -> None:
    spent: list[float] = []
    inner = segments.run_backtests

    def timed(*args, **kwargs):
        started = time.perf_counter()
        out = inner(*args, **kwargs)
        spent.append(time.perf_counter() - started)
        return out

    segments.run_backtests = timed
    model_input, registry = model_input_from_demo(generate_demo())
    started = time.perf_counter()
    frame = segments.fit_segments(model_input, registry, {"backtest": {"folds": folds}})
    total = time.perf_counter() - started
    runs = frame[frame["artifact"] == "run"].pivot(index="segment_id", columns="parameter", values="value")
    columns = ["fit_seconds", "backtest_folds", "backtest_mape", "backtest_coverage_80", "backtest_coverage_90"]
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(runs[[*columns, "mape_holdout"]])
    print(f"folds={folds} total {total:.1f}s, backtests per segment {[round(s, 1) for s in spent]}")


if __name__ == "__main__":
    main(int(sys.argv[1]))
