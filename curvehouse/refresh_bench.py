"""Benchmark: is the monthly refresh stable on real data?

Per data set: a full fit on the window ending 12 months before the data's end, then 12 rolling
monthly refreshes (each on the trailing refresh_window_weeks up to the last week of its month,
centred on the previous published run, full or refresh, read back as a build reads it). Per refresh:
published or rejected (with the reason), divergences, R2, and each channel's ROI with its 90%
interval; a ROI outside the previous run's interval is flagged beside the change in the data that
could explain it (the channel's weekly spend against the previous run's window, spend outside the
range that run was fitted on).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from curvehouse import bench
from curvehouse.demo.generate import generate_demo
from curvehouse.fitting.segments import fit_segments
from curvehouse.model.spec import spec_from_config
from curvehouse.public_data import model_input_from_robyn
from curvehouse.published import read_history

__all__ = ["DATASETS", "explain_move", "monthly_ends", "run_refresh_bench"]

DATASETS = ("robyn", "national", "demo", "geo20")
MONTHS = 12
NATIONAL_MEDIA = bench.GEO_MEDIA_PATH.parents[2] / "tests" / "fixtures" / "meridian" / "national_media.csv"
SPEND_CHANGE = 0.10  # a relative change of weekly spend below this does not explain a ROI move
MAX_DETAIL_SEGMENTS = 3  # data sets with more segments print counts and the flagged moves only
# --quick: smaller fits, judged by an ESS they can reach (R-hat and divergences as the methodology's).
QUICK_CONFIG: dict = {"sampler": {"chains": 2, "warmup": 300, "draws": 300}, "publish": {"ess_min": 100.0}}


@dataclass(frozen=True)
class _Step:
    end: pd.Timestamp
    mode: str


def _load(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    if name == "robyn":
        return model_input_from_robyn()
    if name == "national":
        return bench.model_input_from_geo_media(NATIONAL_MEDIA)
    if name == "geo20":
        return bench.model_input_from_geo_media(bench.GEO_MEDIA_PATH)
    return bench.model_input_from_demo(generate_demo())  # data/demo: the default demo


def monthly_ends(weeks: Sequence[pd.Timestamp], months: int = MONTHS) -> list[pd.Timestamp]:
    """The last week of each of the data's last months + 1 calendar months (complete or not): the
    first ends the full fit's window, the others the refreshes'."""
    index = pd.DatetimeIndex(sorted(set(weeks)))
    last = pd.Series(index, index=index.to_period("M")).groupby(level=0).max()
    return list(last.iloc[-(months + 1) :])


def explain_move(now: pd.DataFrame, before: pd.DataFrame, outcome_now: float, outcome_before: float) -> str:
    """What changed between the previous run's window (before) and the refresh window (now): the
    channel's weekly spend ('value' columns), its range, and the mean weekly outcome. Empty when
    nothing did (within SPEND_CHANGE, inside the range fitted before)."""
    mean_now, mean_before = now["value"].mean(), before["value"].mean()
    reasons = []
    if mean_before > 0 and abs(mean_now / mean_before - 1) >= SPEND_CHANGE:
        reasons.append(f"spend/week {mean_before:,.0f} -> {mean_now:,.0f} ({mean_now / mean_before - 1:+.0%})")
    elif mean_before == 0 and mean_now > 0:
        reasons.append("new spend")
    if now["value"].max() > before["value"].max():
        reasons.append(f"top week {now['value'].max():,.0f} above the fitted range (max {before['value'].max():,.0f})")
    if outcome_before > 0 and abs(outcome_now / outcome_before - 1) >= SPEND_CHANGE:
        change = outcome_now / outcome_before - 1
        reasons.append(f"outcome/week {outcome_before:,.0f} -> {outcome_now:,.0f} ({change:+.0%}, not the channel's)")
    return "; ".join(reasons)


def _config(quick: bool) -> dict:
    return QUICK_CONFIG if quick else {}


def _trailing(model_input: pd.DataFrame, end: pd.Timestamp, weeks: int) -> pd.DataFrame:
    week = model_input["week_start"]
    return model_input[(week <= end) & (week > end - pd.Timedelta(weeks=weeks))]


def _fit_step(
    step: _Step, model_input: pd.DataFrame, registry: pd.DataFrame, config: dict, history: pd.DataFrame
) -> pd.DataFrame:
    spec = spec_from_config(config)
    if step.mode == "full":
        rows = _trailing(model_input, step.end, spec.window_weeks)
        return fit_segments(rows, registry, config, now=step.end.to_pydatetime(), progress=lambda _: None)
    with duckdb.connect() as con:
        con.register("fit_segments", history)
        previous = read_history(con, "fit_segments").current_parameters
    rows = model_input[model_input["week_start"] <= step.end]
    return fit_segments(
        rows,
        registry,
        {**config, "fit_mode": "refresh"},
        previous=previous,
        now=step.end.to_pydatetime(),
        progress=lambda _: None,
    )


def _runs(artifacts: pd.DataFrame) -> pd.DataFrame:
    """One row per segment: run_id, status, status_reason, divergences, r2, window start and end."""
    run = artifacts[artifacts["artifact"] == "run"]
    texts = run.pivot_table(index=["segment_id", "run_id"], columns="parameter", values="details", aggfunc="first")
    numbers = run.pivot_table(index=["segment_id", "run_id"], columns="parameter", values="value", aggfunc="first")
    out = texts[["status", "status_reason", "data_window_start", "data_window_end"]].join(
        numbers.reindex(columns=["divergences", "r2_in_sample"])
    )
    return out.reset_index().set_index("segment_id")


def _roi(artifacts: pd.DataFrame) -> pd.DataFrame:
    rows = artifacts[(artifacts["artifact"] == "summary") & (artifacts["parameter"] == "roi")]
    return rows.set_index(["segment_id", "channel"])[["mean", "p05", "p95"]]


def _rows(model_input: pd.DataFrame, segment: str, name: str, start: str, end: str) -> pd.DataFrame:
    rows = model_input[(model_input["segment_id"] == segment) & (model_input["variable_name"] == name)]
    return rows[(rows["week_start"] >= pd.Timestamp(start)) & (rows["week_start"] <= pd.Timestamp(end))]


def _dataset(name: str, quick: bool, echo: Callable[[str], None]) -> dict:
    model_input, registry = _load(name)
    model_input = model_input.assign(week_start=pd.to_datetime(model_input["week_start"]))
    ends = monthly_ends(model_input["week_start"])
    steps = [_Step(ends[0], "full"), *(_Step(end, "refresh") for end in ends[1:])]
    config = _config(quick)
    segments = sorted(model_input["segment_id"].unique())
    detail = len(segments) <= MAX_DETAIL_SEGMENTS
    echo(
        f"{name}: {len(segments)} segment(s), {model_input['week_start'].nunique()} weeks; full fit to {ends[0].date()}"
    )
    history = pd.DataFrame()
    current: dict[str, tuple[pd.Series, pd.DataFrame]] = {}  # segment -> (run row, ROI rows) of its current run
    figures = []
    for step in steps:
        artifacts = _fit_step(step, model_input, registry, config, history)
        history = pd.concat([history, artifacts], ignore_index=True)
        runs, roi = _runs(artifacts), _roi(artifacts)
        moves, explained = [], 0
        for segment, run in runs.iterrows():
            published = run["status"] == "published"
            if detail:
                echo(_step_line(step, segment, run, roi, name))
            if segment in current and published:
                for line, why in _moves(model_input, segment, current[segment], run, roi):
                    moves.append(line)
                    explained += bool(why)
            if published:
                current[segment] = (run, roi.loc[segment] if segment in roi.index.get_level_values(0) else roi.iloc[:0])
        if not detail:
            echo(_summary_line(step, runs))
        elif runs.empty:
            echo(f"  {step.end.date()} {step.mode}: nothing fitted")
        for line in moves:
            echo(f"    {line}")
        figures.append(
            {
                "end": step.end.date().isoformat(),
                "mode": step.mode,
                "published": int((runs["status"] == "published").sum()),
                "segments": len(runs),
                "divergences": float(runs["divergences"].fillna(0).sum()),
                "r2_median": float(runs["r2_in_sample"].median()),
                "reasons": sorted(set(runs.loc[runs["status"] != "published", "status_reason"])),
                "roi_moves_outside": len(moves),
                "roi_moves_explained": explained,
            }
        )
    return {"dataset": name, "segments": len(segments), "steps": figures}


def _step_line(step: _Step, segment: str, run: pd.Series, roi: pd.DataFrame, name: str) -> str:
    status = run["status"] if run["status"] == "published" else f"REJECTED ({run['status_reason']})"
    head = f"  {step.end.date()} {step.mode:7s} {name}/{segment}: {status}"
    if pd.isna(run["divergences"]):  # rejected before fitting
        return head
    head += f", {run['divergences']:.0f} div, R2 {run['r2_in_sample']:.3f}"
    if segment not in roi.index.get_level_values(0):
        return head
    cells = [f"{c} {r['mean']:.2f} [{r['p05']:.2f}, {r['p95']:.2f}]" for c, r in roi.loc[segment].iterrows()]
    return head + " | ROI " + ", ".join(cells)


def _summary_line(step: _Step, runs: pd.DataFrame) -> str:
    rejected = runs[runs["status"] != "published"]
    reasons = "; ".join(f"{segment}: {reason}" for segment, reason in rejected["status_reason"].items())
    return (
        f"  {step.end.date()} {step.mode:7s} published {len(runs) - len(rejected)}/{len(runs)}, "
        f"{runs['divergences'].fillna(0).sum():.0f} div, R2 median {runs['r2_in_sample'].median():.3f}"
        + (f", rejected: {reasons}" if reasons else "")
    )


def _moves(
    model_input: pd.DataFrame, segment: str, previous: tuple[pd.Series, pd.DataFrame], run: pd.Series, roi: pd.DataFrame
) -> list[tuple[str, str]]:
    """(line, explanation) per channel whose ROI left the previous run's 90% interval."""
    before_run, before = previous
    out = []
    if segment not in roi.index.get_level_values(0):
        return out
    for channel, now in roi.loc[segment].iterrows():
        if channel not in before.index:
            continue
        was = before.loc[channel]
        if was["p05"] <= now["mean"] <= was["p95"]:
            continue
        windows = [(r["data_window_start"], r["data_window_end"]) for r in (run, before_run)]
        spend = [_rows(model_input, segment, channel, *w) for w in windows]
        outcome = [_rows(model_input, segment, "outcome", *w)["value"].mean() for w in windows]
        why = explain_move(spend[0], spend[1], outcome[0], outcome[1])
        line = (
            f"{segment}/{channel}: ROI {was['mean']:.2f} [{was['p05']:.2f}, {was['p95']:.2f}] -> {now['mean']:.2f} "
            f"outside; {why or 'no change in its spend explains it'}"
        )
        out.append((line, why))
    return out


def run_refresh_bench(
    quick: bool = False, datasets: Sequence[str] = DATASETS, echo: Callable[[str], None] = print
) -> dict:
    """Run the rolling refreshes of each data set; echo one line per refresh (and per flagged ROI
    move) and return the figures."""
    sampler = spec_from_config(_config(quick)).sampler
    echo(
        f"refresh bench: full fit, then {MONTHS} monthly refreshes per data set; "
        f"{sampler.chains} chains x {sampler.warmup}+{sampler.draws} draws; ROI mean [90% interval]"
    )
    report = []
    for name in datasets:
        with warnings.catch_warnings():  # R-hat of the held parameters (constant draws) is NaN, as stored
            warnings.simplefilter("ignore", RuntimeWarning)
            report.append(_dataset(name, quick, echo))
        moved = sum(s["roi_moves_outside"] for s in report[-1]["steps"])
        explained = sum(s["roi_moves_explained"] for s in report[-1]["steps"])
        published = sum(s["published"] for s in report[-1]["steps"][1:])
        total = sum(s["segments"] for s in report[-1]["steps"][1:])
        echo(
            f"{name}: refreshes published {published}/{total}; ROI moves outside the previous interval "
            f"{moved}, with a change in the data that could explain them {explained}"
        )
    return {"datasets": report, "quick": quick}
