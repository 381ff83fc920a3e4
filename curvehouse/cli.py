"""The ``curvehouse`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from curvehouse import bench
from curvehouse.byomm.upload import UploadRejected, upload_model
from curvehouse.demo import generate

DEFAULT_DEMO_DIR = Path("data/demo")
DEFAULT_REPORT_DIR = Path("target/report")
DEFAULT_LANDING_DIR = Path("byomm")


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


PLANNING_BENCH = "planning"  # the planning layer's benchmark (curvehouse.planning.bench), not a fit
HISTORY_BENCH = "history"  # the fit node's time before sampling as history grows (curvehouse.history_bench)
SBC_BENCH = "sbc"  # simulation-based calibration of the built-in fit (curvehouse.sbc_bench)
EXPERIMENTS_BENCH = "experiments"  # the fit without and with a lift experiment (curvehouse.experiments_bench)
REFRESH_BENCH = "refresh"  # rolling monthly refreshes on the real data sets (curvehouse.refresh_bench)
ORGANIC_BENCH = "organic"  # the fit without and with an organic channel (curvehouse.organic_bench)
DRIVER_BENCHES = ("treatment", "exposure")  # fits without and with a driver kind (curvehouse.drivers_bench)
BASELINE_BENCH = "baseline"  # the fit without and with the time-varying baseline (curvehouse.baseline_bench)
# Scenarios with a runner of their own; the others are fits of curvehouse.bench.SCENARIOS.
OTHER_BENCHES = (
    PLANNING_BENCH,
    HISTORY_BENCH,
    SBC_BENCH,
    EXPERIMENTS_BENCH,
    REFRESH_BENCH,
    ORGANIC_BENCH,
    *DRIVER_BENCHES,
    BASELINE_BENCH,
)


def _names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    known = [*bench.SCENARIOS, *OTHER_BENCHES]
    unknown = sorted(set(names) - set(known))
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"unknown scenario(s) {unknown}; known: {', '.join(known)}")
    return names


def _datasets(text: str) -> list[str]:
    from curvehouse.refresh_bench import DATASETS

    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names or set(names) - set(DATASETS):
        raise argparse.ArgumentTypeError(f"expected data sets among {', '.join(DATASETS)}, got {text!r}")
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
    fits = [name for name in args.scenarios if name not in OTHER_BENCHES]
    report = (
        bench.run_bench(
            fits,
            quick=args.quick,
            steps=args.segments_steps,
            geo_media=args.geo_media,
            chain_method=args.chain_method,
        )
        if fits
        else {}
    )
    if PLANNING_BENCH in args.scenarios:
        from curvehouse.planning.bench import run_planning_bench

        report["planning"] = run_planning_bench(args.planning_db)
    if HISTORY_BENCH in args.scenarios:
        from curvehouse.history_bench import run_history_bench

        report["history"] = run_history_bench(args.history_builds)
    if SBC_BENCH in args.scenarios:
        from curvehouse.sbc_bench import run_sbc_bench

        report["sbc"] = run_sbc_bench(args.sbc_segments)
    if EXPERIMENTS_BENCH in args.scenarios:
        from curvehouse.experiments_bench import run_experiments_bench

        config = bench.QUICK_CONFIG if args.quick else None
        report["experiments"] = run_experiments_bench(args.experiment_replications, config)
    if REFRESH_BENCH in args.scenarios:
        from curvehouse.refresh_bench import run_refresh_bench

        report["refresh"] = run_refresh_bench(args.quick, args.refresh_datasets)
    if ORGANIC_BENCH in args.scenarios:
        from curvehouse.organic_bench import BENCH_CONFIG, run_organic_bench

        report["organic"] = run_organic_bench(bench.QUICK_CONFIG if args.quick else BENCH_CONFIG)
    drivers = tuple(name for name in args.scenarios if name in DRIVER_BENCHES)
    if drivers:
        from curvehouse.drivers_bench import run_drivers_bench

        report["drivers"] = run_drivers_bench(drivers, quick=args.quick)
    if BASELINE_BENCH in args.scenarios:
        from curvehouse.baseline_bench import run_baseline_bench

        report["baseline"] = run_baseline_bench(bench.QUICK_CONFIG if args.quick else None)
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
        f"and print one line of figures per fit; {PLANNING_BENCH}: the planning layer; {HISTORY_BENCH}: "
        f"the fit node's time before sampling after N earlier builds; {SBC_BENCH}: simulation-based calibration; "
        f"{EXPERIMENTS_BENCH}: one channel's ROI without and with a lift experiment; "
        f"{REFRESH_BENCH}: 12 rolling monthly refreshes after a full fit on each real data set; "
        "treatment, exposure: generated data fitted without and with a non-media treatment / exposure-driven media; "
        f"{BASELINE_BENCH}: a relaunch's level shift fitted with a fixed and a time-varying baseline.",
    )
    parser.add_argument(
        "--scenarios", type=_names, default=",".join(bench.DEFAULT_SCENARIOS), help="comma-separated scenario names"
    )
    quick = bench.QUICK_CONFIG["sampler"]
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{quick['chains']} chains x {quick['warmup']} warmup + {quick['draws']} draws, "
        f"at most {bench.QUICK_SEGMENTS} segments",
    )
    parser.add_argument(
        "--segments-steps",
        type=_counts,
        default=",".join(map(str, bench.DEFAULT_STEPS)),
        help="segment counts at which the stepped scenario (scale100) reports, comma-separated: one fit of the largest",
    )
    parser.add_argument(
        "--chain-method",
        default=None,
        help="the fits' mmm.sampler.chain_method: auto (the methodology's default: lanes on a GPU only), lanes, "
        "parallel, vectorized or sequential",
    )
    parser.add_argument("--geo-media", type=Path, default=bench.GEO_MEDIA_PATH, help="Meridian geo_media.csv")
    parser.add_argument(
        "--planning-db",
        type=Path,
        default=Path(os.environ.get("CURVEHOUSE_DUCKDB_PATH", "curvehouse.duckdb")),
        help="built DuckDB file the planning scenario times its what-if query on",
    )
    parser.add_argument(
        "--history-builds",
        type=_counts,
        default="1,20",
        help="numbers of earlier builds the history scenario stores before timing one, comma-separated",
    )
    parser.add_argument(
        "--sbc-segments",
        type=int,
        default=100,
        help=f"segments the {SBC_BENCH} scenario draws from the prior and fits (2 chains x 300 warmup + 300 draws)",
    )
    parser.add_argument(
        "--experiment-replications",
        type=int,
        default=5,
        help=f"generated segments the {EXPERIMENTS_BENCH} scenario fits without and with its experiment",
    )
    parser.add_argument(
        "--refresh-datasets",
        type=_datasets,
        default="robyn,national,demo,geo20",
        help="data sets the refresh scenario rolls through, comma-separated",
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    parser.set_defaults(handler=_bench)


def _add_duckdb_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--duckdb",
        type=Path,
        default=Path(os.environ.get("CURVEHOUSE_DUCKDB_PATH", "curvehouse.duckdb")),
        help="the DuckDB file `dbt build` wrote (env CURVEHOUSE_DUCKDB_PATH)",
    )


def _report(args: argparse.Namespace) -> int:
    """Render the static report site from the warehouse tables."""
    from curvehouse.report import DuckDBReader, SnowflakeReader, build_report  # matplotlib loads only here

    try:
        if args.target == "snowflake":
            from curvehouse.snowflake.profile import connect, report_schemas, target_settings

            settings = target_settings(args.profiles_dir, args.target)
            reader = SnowflakeReader(connect(settings), report_schemas(settings))
        else:
            reader = DuckDBReader(args.duckdb)
    except (FileNotFoundError, KeyError, ValueError) as exc:
        print(f"curvehouse report: {exc}", file=sys.stderr)
        return 2
    result = build_report(reader, args.out, progress=lambda m: print(m, file=sys.stderr, flush=True))
    reader.close()
    print(f"wrote {len(result.files)} files into {result.out_dir}; open {result.index}")
    print(result.pdf_message)
    if result.not_built:
        print(f"not built yet (sections say so): {', '.join(result.not_built)}")
    return 0


def _add_report(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        help="render the board one-pager, charts, diagnostics and markdown files from the warehouse",
        description="Read the published tables (a DuckDB file, or Snowflake through the dbt profile's snowflake "
        "target and its environment variables) and write a self-contained static site: HTML pages "
        "with inline SVG charts, one-pager.pdf and markdown files for agents and reviewers.",
    )
    _add_duckdb_option(parser)
    parser.add_argument("--target", choices=("duckdb", "snowflake"), default="duckdb", help="where the tables are")
    parser.add_argument(
        "--profiles-dir",
        type=Path,
        default=Path(os.environ.get("DBT_PROFILES_DIR", "profiles")),
        help="the folder of the dbt profiles.yml (env DBT_PROFILES_DIR)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT_DIR, help="output folder")
    parser.set_defaults(handler=_report)


def _recovery(args: argparse.Namespace) -> int:
    """Score the current published runs of a built DuckDB file against the demo's ground truth."""
    import json

    from curvehouse.demo.recovery import published_estimates, recovery, recovery_table

    try:
        truth = json.loads(args.truth.read_text())
        estimates = published_estimates(args.duckdb)
    except (FileNotFoundError, json.JSONDecodeError) as exc:
        print(f"curvehouse recovery: {exc}", file=sys.stderr)
        return 2
    table = recovery_table(estimates, truth)
    if table.empty:
        print(
            f"curvehouse recovery: no published run in {args.duckdb} matches a segment x channel of {args.truth}",
            file=sys.stderr,
        )
        return 1
    print(f"{'segment':<16} {'channel':<14} {'true ROI':>8}  {'ROI mean [90% interval]':<26} in 90%  share est / true")
    for row in table.itertuples(index=False):
        interval = f"{row.roi_mean:.2f} [{row.roi_p05:.2f}, {row.roi_p95:.2f}]"
        print(
            f"{row.segment_id:<16} {row.channel:<14} {row.true_roi:>8.2f}  {interval:<26} "
            f"{'yes' if row.roi_in_90 else 'NO':<6}  {row.share:.3f} / {row.true_share:.3f}"
        )
    figures = recovery(estimates, truth)
    print(
        f"true ROI in the 90% interval: {int(table['roi_in_90'].sum())}/{len(table)} "
        f"({figures['roi_coverage90']:.0%}, mean width {figures['roi_width90']:.2f} x true) | "
        f"ROI MARE {figures['roi_mare']:.3f} | contribution share MAE {figures['share_mae']:.3f} "
        f"({figures['share_mare']:.0%} of the true share on average; truth over each run's data window)"
    )
    return 0


def _add_recovery(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "recovery",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        help="score the published channel estimates against the demo data's ground truth",
        description="Read mmm_channel_summary (current published runs) and compare each ROI interval and "
        "contribution share with the truth the demo generator wrote, over the weeks each run fitted.",
    )
    _add_duckdb_option(parser)
    parser.add_argument(
        "--truth", type=Path, default=DEFAULT_DEMO_DIR / generate.TRUTH_FILE, help="the generator's _ground_truth.json"
    )
    parser.set_defaults(handler=_recovery)


def _upload(args: argparse.Namespace) -> int:
    """Validate a BYOMM file or folder and copy it into the landing folder."""
    try:
        landed = upload_model(args.path, args.landing, args.default_segment, args.consistency_tolerance, args.name)
    except UploadRejected as exc:
        print(f"curvehouse upload: rejected: {exc}", file=sys.stderr)
        return 1
    print(landed.describe())
    print("the next `dbt build` loads it into mmm_curves")
    return 0


def _add_upload(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "upload",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        help="validate a BYOMM model file or folder and land it for the next build",
        description="Check a custom JSON file, Recast CSV, Robyn output folder or Meridian export exactly as the "
        "build will read it, then copy it into the landing folder (var byomm_path). A file the build "
        "would reject is refused with the reason, and nothing is landed.",
    )
    parser.add_argument("path", type=Path, help="the model file or tool output folder")
    parser.add_argument("--landing", type=Path, default=DEFAULT_LANDING_DIR, help="landing folder (var byomm_path)")
    parser.add_argument("--name", help="entry name in the landing folder (default: the file or folder name)")
    parser.add_argument(
        "--default-segment", default="total", help="segment of models that name none (var byomm_default_segment)"
    )
    parser.add_argument(
        "--consistency-tolerance",
        type=float,
        default=0.25,
        help="contribution vs curve gap above which a warning is recorded (var byomm_consistency_tolerance)",
    )
    parser.set_defaults(handler=_upload)


def _reset(args: argparse.Namespace) -> int:
    """Say what a reset deletes, ask, then drop the history tables and the posterior store."""
    import duckdb

    from curvehouse.posterior.store import store_for_database
    from curvehouse.reset import drop_history, find_history

    if not args.duckdb.exists():
        print(f"curvehouse reset: no DuckDB file at {args.duckdb}", file=sys.stderr)
        return 2
    store = store_for_database(args.duckdb)
    with duckdb.connect(str(args.duckdb)) as con:
        tables = find_history(con)
        if not tables and not store.folder.is_dir():
            print(f"curvehouse reset: {args.duckdb} holds no history (no fit_segments or int_curves_byomm table)")
            return 0
        print(f"curvehouse reset deletes, from {args.duckdb}:")
        for table in tables:
            print(f"  {table.describe()}")
        if store.folder.is_dir():
            print(f"  {store.describe()}")
        print(
            "The next `dbt build` refits every segment and reloads the BYOMM landing folder; until then the "
            "mmm_* tables still show the old runs."
        )
        if not args.yes:
            if not sys.stdin.isatty():
                print(
                    "curvehouse reset: not confirmed (no terminal); pass --yes to reset without asking", file=sys.stderr
                )
                return 1
            if input("Type 'reset' to delete them: ").strip() != "reset":
                print("curvehouse reset: not confirmed; nothing deleted")
                return 1
        drop_history(con, tables)
    store.remove()
    print(f"deleted {', '.join([*(t.name for t in tables), store.folder.name])}")
    return 0


def _add_reset(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reset",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        help="delete every stored run and BYOMM version (the history no dbt command removes)",
        description="Drop fit_segments (every built-in run: published, rejected and superseded, with its draws, "
        "curves and decompositions) and int_curves_byomm (every BYOMM version ever loaded) from a "
        "built DuckDB file, and the full posteriors stored beside it (<stem>.posteriors), after saying what "
        "they hold and asking for confirmation. "
        "`dbt build --full-refresh` never does this.",
    )
    _add_duckdb_option(parser)
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(handler=_reset)


def _compare(args: argparse.Namespace) -> int:
    """PSIS-LOO of two fits of the same data (saved files or stored runs) and how each channel's numbers moved."""
    import pandas as pd

    from curvehouse.api import load, load_run  # JAX and ArviZ load only for this command
    from curvehouse.compare import channel_changes, loo_table

    fits = {}
    for which in (args.before, args.after):
        try:
            if which.endswith(".nc") or Path(which).is_file():
                if not Path(which).is_file():
                    raise FileNotFoundError(f"no saved fit at {which} (Fit.save writes one)")
                fits[Path(which).name] = load(which)
            else:
                fits[which] = load_run(args.duckdb, which)
                fits[which].to_inference_data()  # a ValueError where the store keeps no file of the run
        except (FileNotFoundError, LookupError, ValueError) as exc:
            print(f"curvehouse compare: {exc}", file=sys.stderr)
            return 2
    if len(fits) < 2:
        print("curvehouse compare: give two different fits", file=sys.stderr)
        return 2
    try:
        loo = loo_table(fits)
    except ValueError as exc:
        print(f"curvehouse compare: {exc}", file=sys.stderr)
        return 2
    changes = channel_changes(*fits.values())
    before, after = fits
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.max_rows", 500):
        print("PSIS-LOO (higher elpd_loo predicts held-out weeks better; elpd_diff against the best, dse its se):")
        print(loo.round(2).to_string())
        print(f"\nChannel metrics, {before} -> {after} (90% intervals):")
        print(changes.round(3).to_string(index=False))
    if args.csv:
        changes.to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    return 0


def _add_compare(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="compare two fits of the same data (saved files or stored runs): PSIS-LOO and every channel's change",
        description="Compare two fits of the same data (e.g. under two methodologies): each is a file saved "
        "with curvehouse.Fit.save (.nc) or a run id of the DuckDB build whose full posterior the store beside "
        "the database keeps (mmm_model_runs.posterior_path). Prints ArviZ's PSIS-LOO comparison and, per "
        "segment and channel, ROI, half point and contribution with 90%% intervals in both and the change.",
    )
    parser.add_argument("before", help="the first fit: a saved fit (.nc) or a run id")
    parser.add_argument("after", help="the second fit: a saved fit (.nc) or a run id")
    _add_duckdb_option(parser)
    parser.add_argument("--csv", type=Path, metavar="OUT", help="also write the channel changes as CSV")
    parser.set_defaults(handler=_compare)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="curvehouse", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_demo_data(subparsers)
    _add_bench(subparsers)
    _add_report(subparsers)
    _add_recovery(subparsers)
    _add_upload(subparsers)
    _add_reset(subparsers)
    _add_compare(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args) or 0)
