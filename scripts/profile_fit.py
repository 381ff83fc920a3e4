"""Where a fit's time goes: cProfile of one fit_segments call on generated segments.

    .venv/bin/python scripts/profile_fit.py --segments 100 --chain-method lanes --tree-depth 3

Prints the fit's wall and sampling seconds and the project's functions by cumulative time. Short
trees and few draws keep the sampler cheap on a CPU, so the rest of the fit path (holdout, lift
tests, backtests, diagnostics, artifacts) shows; on a GPU run it at full size (--draws 1000
--tree-depth 10 --segments 1000). Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import generate_demo
from curvehouse.fitting.segments import fit_segments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--chain-method", default="lanes")
    parser.add_argument("--draws", type=int, default=20, help="warmup and kept draws per chain")
    parser.add_argument("--tree-depth", type=int, default=3, help="max tree depth (warmup and sampling)")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    data = generate_demo(n_segments=args.segments, n_weeks=args.weeks, seed=11)
    model_input, registry = model_input_from_demo(data)
    config = {
        "sampler": {
            "chains": 2,
            "warmup": args.draws,
            "draws": args.draws,
            "draws_kept": min(args.draws, 200),
            "chain_method": args.chain_method,
            "max_tree_depth": args.tree_depth,
            "warmup_tree_depth": min(args.tree_depth, 6),
        },
        "holdout_weeks": 4,
        "backtest": {"folds": 1, "burn_in": args.draws, "draws": args.draws},
    }
    rejected: list[str] = []  # short fits fail the publish rule: counted, not printed one by one

    def progress(message: str) -> None:
        (rejected.append if " rejected: " in message else print)(message)

    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    artifacts = fit_segments(model_input, registry, config, progress=progress)
    profile.disable()
    seconds = time.perf_counter() - started
    print(f"fit_segments: {seconds:.1f} s, {len(artifacts):,} artifact rows, {len(rejected)} runs rejected")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(r"curvehouse", args.top)


if __name__ == "__main__":
    main()
