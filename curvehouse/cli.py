"""The ``curvehouse`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from curvehouse import bench
from curvehouse.demo import generate

DEFAULT_DEMO_DIR = Path("data/demo")


def _demo_data(args: argparse.Namespace) -> int:
    """Generate the demo data and write it as CSV files plus the ground truth."""
    try:
        data = generate.generate_demo(
            n_segments=args.segments, n_weeks=args.weeks, seed=args.seed, end_date=args.end_date, daily=not args.weekly
        )
    except ValueError as exc:
        print(f"curvehouse demo-data: {exc}", file=sys.stderr)
        return 2
    for path in generate.write_demo(data, args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


def _add_demo_data(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo-data",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        help="write seeded demo data with a known ground truth",
        description="Write the raw input tables as CSV files, with _ground_truth.json beside them.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_DEMO_DIR, help="output folder")
    parser.add_argument("--segments", type=int, default=generate.DEFAULT_SEGMENTS, help="number of segments")
    parser.add_argument("--weeks", type=int, default=generate.DEFAULT_WEEKS, help="complete ISO weeks of history")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=generate.DEFAULT_END_DATE,
        help="last day of data, YYYY-MM-DD; its week stays incomplete in daily mode",
    )
    parser.add_argument("--weekly", action="store_true", help="one row per complete week instead of daily rows")
    parser.set_defaults(handler=_demo_data)


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = sorted(set(names) - set(bench.SCENARIOS))
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"unknown scenario(s) {unknown}; known: {', '.join(bench.SCENARIOS)}")
    return names


def _counts(text: str) -> list[int]:
    try:
        counts = [int(n) for n in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers separated by commas, got {text!r}")
    return counts


def _bench(args: argparse.Namespace) -> int:
    """Fit the benchmark scenarios and print (and optionally write) their figures."""
    report = bench.run_bench(args.scenarios, quick=args.quick, steps=args.segments_steps, geo_media=args.geo_media)
    if args.json:
        bench.write_json(report, args.json)
        print(f"wrote {args.json}")
    return 0


def _add_bench(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        help="benchmark the built-in fit: time, ESS/s, diagnostics, recovery of a known truth",
        description=f"Fit benchmark scenarios ({', '.join(bench.SCENARIOS)}) with the default methodology "
                    "and print one line of figures per fit.",
    )
    parser.add_argument("--scenarios", type=_names, default=",".join(bench.DEFAULT_SCENARIOS),
                        help="comma-separated scenario names")
    quick = bench.QUICK_CONFIG["sampler"]
    parser.add_argument("--quick", action="store_true",
                        help=f"{quick['chains']} chains x {quick['warmup']} warmup + {quick['draws']} draws, "
                             f"at most {bench.QUICK_SEGMENTS} segments")
    parser.add_argument("--segments-steps", type=_counts, default=",".join(map(str, bench.DEFAULT_STEPS)),
                        help="segment counts the stepped scenario (scale100) fits, comma-separated")
    parser.add_argument("--geo-media", type=Path, default=bench.GEO_MEDIA_PATH, help="Meridian geo_media.csv")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    parser.set_defaults(handler=_bench)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="curvehouse", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_demo_data(subparsers)
    _add_bench(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)
