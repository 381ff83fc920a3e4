"""Benchmark the built-in fit: wall time, sampling efficiency, diagnostics, and recovery of a known truth.

Each scenario builds the long weekly model input directly (as int_model_input_weekly would hold it),
fits it with ``fit_segments`` and the default methodology (4 chains x 1000 warmup + 1000 draws;
``quick``: 2 chains x 100 + 100 and at most QUICK_SEGMENTS segments) and reports one line of figures.
Generated scenarios know the true ROI and contribution of every channel, so they also report recovery.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import re
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from curvehouse.demo.generate import DEFAULT_CHANNELS, DEFAULT_SEED, ChannelSpec, DemoData, generate_demo
from curvehouse.demo.recovery import recovery

__all__ = [
    "DEFAULT_SCENARIOS",
    "SCENARIOS",
    "Scenario",
    "model_input_from_demo",
    "model_input_from_geo_media",
    "recovery",
    "run_bench",
]

LONG_COLUMNS = ["segment_id", "week_start", "variable_kind", "variable_name", "value"]
# Meridian's simulated geo dataset, kept in the repository (data/meridian/README.md says where it comes from).
GEO_MEDIA_PATH = Path(__file__).resolve().parents[1] / "data" / "meridian" / "geo_media.csv"
DEFAULT_STEPS = (10, 30, 100)
QUICK_CONFIG: dict = {"sampler": {"chains": 2, "warmup": 100, "draws": 100}}
QUICK_SEGMENTS = 3
DAYS_PER_YEAR = 365.25
MIB = 1024 * 1024
ESS_NOTE = "ESS/s = sum over segments of the min bulk ESS of the segment's parameters / wall s"
WALL_NOTE = (
    "wall = the fit_segments call (JIT compilation, holdout check and artifacts included; for scale100@n "
    "the time at which its n-th segment was done, in one fit of them all)"
)
FITTING = "curvehouse: fitting "
SAMPLING = re.compile(r"^curvehouse: fitted .* \(sampling ([0-9.]+)s\)$")


@dataclass(frozen=True)
class Scenario:
    """One benchmark size. source: ``demo`` (generated, weekly, truth known) or ``geo_media``."""

    name: str
    segments: int
    weeks: int
    channels: int
    source: str = "demo"
    stepped: bool = False  # also report after the first n segments for each of --segments-steps
    thin_segments: int = 0  # the last n segments keep only their last THIN_WEEKS weeks (new markets)
    poolings: tuple[str, ...] = ("none",)  # several: the same data fitted once per pooling, side by side


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("s104x4", 1, 104, 4),
        Scenario("s156x8", 1, 156, 8),
        Scenario("s208x15", 1, 208, 15),
        Scenario("geo20", 20, 156, 4, source="geo_media"),
        Scenario("seg20x156x4", 20, 156, 4),
        # 4 segments with three years and 8 thin ones with half a year, fitted independently and partially
        # pooled: the thin segments' recovery is reported apart.
        Scenario("pool12x156x4", 12, 156, 4, thin_segments=8, poolings=("none", "partial")),
        Scenario("scale100", 100, 156, 6, stepped=True),
        # sampler.chain_method auto: lanes of one program on a GPU; on a CPU one segment at a time (hours)
        Scenario("scale1000", 1000, 156, 6),
    )
}
DEFAULT_SCENARIOS = ("s104x4", "s156x8", "s208x15", "geo20", "seg20x156x4", "pool12x156x4")
THIN_WEEKS = 26


# --- model input ----------------------------------------------------------------------------


def _fourier_rows(weeks: pd.DataFrame, order: int) -> pd.DataFrame:
    """Yearly Fourier controls as the SQL macro writes them: day of year of the week's Thursday."""
    day = (weeks["week_start"] + pd.Timedelta(days=3)).dt.dayofyear.to_numpy()
    frames = [
        weeks.assign(
            variable_kind="control", variable_name=f"fourier_{name}_{k}", value=fn(2 * np.pi * k * day / DAYS_PER_YEAR)
        )
        for k in range(1, order + 1)
        for name, fn in (("sin", np.sin), ("cos", np.cos))
    ]
    return pd.concat(frames, ignore_index=True)


def _iso_weeks(frame: pd.DataFrame, keys: list[str], how: str, last_week: pd.Timestamp) -> pd.DataFrame:
    """Dated rows summed (or averaged) to ISO weeks dated on the Monday, up to ``last_week``."""
    week = frame["date"] - pd.to_timedelta(frame["date"].dt.weekday, unit="D")
    kept = frame.assign(week_start=week)[week <= last_week]
    grouped = kept.groupby(["segment_id", "week_start", *keys], sort=True)["value"]
    return (grouped.sum() if how == "sum" else grouped.mean()).reset_index()


def long_model_input(outcome: pd.DataFrame, spend: pd.DataFrame, controls: pd.DataFrame, order: int) -> pd.DataFrame:
    """The long model input (LONG_COLUMNS) of weekly outcome, spend and control rows (segment_id,
    week_start, value, and variable_name for spend and controls), with yearly Fourier controls of
    the given order, sorted as the SQL spine sorts it."""
    weeks = outcome[["segment_id", "week_start"]]
    parts = [
        outcome.assign(variable_kind="outcome", variable_name="outcome"),
        spend.assign(variable_kind="spend"),
        controls.assign(variable_kind="control"),
        _fourier_rows(weeks, order),
    ]
    frame = pd.concat([p[LONG_COLUMNS] for p in parts], ignore_index=True)
    return frame.sort_values(LONG_COLUMNS[:4], kind="stable").reset_index(drop=True)


def model_input_from_demo(data: DemoData, fourier_order: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The long model input and channel registry of demo data, aggregated as the SQL spine does.

    Complete ISO weeks only; weekly sums of revenue and spend (zero where a channel has no rows that
    week), weekly means of the user controls, and Fourier terms ``fourier_sin_k`` / ``fourier_cos_k``.
    """
    last_week = pd.Timestamp(data.truth["last_complete_week_start"])
    outcome = _iso_weeks(data.outcomes.rename(columns={data.truth["kpi"]: "value"}), [], "sum", last_week)
    spend = _iso_weeks(
        data.channel_spend.rename(columns={"channel": "variable_name", "spend": "value"}),
        ["variable_name"],
        "sum",
        last_week,
    )
    channels = spend[["segment_id", "variable_name"]].drop_duplicates()
    spined = (
        outcome[["segment_id", "week_start"]]
        .merge(channels, on="segment_id")
        .merge(spend, on=["segment_id", "week_start", "variable_name"], how="left")
        .fillna({"value": 0.0})
    )
    controls = _iso_weeks(
        data.controls.rename(columns={"control": "variable_name"}), ["variable_name"], "mean", last_week
    )
    return long_model_input(outcome, spined, controls, fourier_order), data.channel_registry


def model_input_from_geo_media(path: Path, fourier_order: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Meridian's geo file as model input: one segment per geo, revenue = conversions x revenue per
    conversion, spend per channel, the ``*_control`` columns, Fourier terms; a registry with default priors.
    A national file (no geo column, e.g. national_media.csv) is one segment named after the file."""
    raw = pd.read_csv(path, parse_dates=["time"])
    if "geo" not in raw.columns:
        raw.insert(0, "geo", path.stem)
    raw = raw.rename(columns={"geo": "segment_id", "time": "week_start"})
    channels = sorted(c.removesuffix("_spend") for c in raw.columns if c.endswith("_spend"))
    controls = sorted(c for c in raw.columns if c.endswith("_control"))
    keys = ["segment_id", "week_start"]
    outcome = raw[keys].assign(value=raw["conversions"] * raw["revenue_per_conversion"])
    spend = raw.melt(id_vars=keys, value_vars=[f"{c}_spend" for c in channels], var_name="variable_name")
    spend["variable_name"] = spend["variable_name"].str.removesuffix("_spend")
    control_rows = raw.melt(id_vars=keys, value_vars=controls, var_name="variable_name")
    return (
        long_model_input(outcome, spend, control_rows, fourier_order),
        default_registry(channels, raw["week_start"].min()),
    )


def default_registry(channels: Sequence[str], live_since: pd.Timestamp) -> pd.DataFrame:
    """A channel registry for a public data set: every channel live from the first week, no group of
    its own, the methodology's default priors and lags."""
    return pd.DataFrame(
        {
            "channel": list(channels),
            "display_name": list(channels),
            "channel_group": "media",
            "live_since": live_since,
            "is_primary": False,
            "roi_prior_mean": np.nan,
            "roi_prior_sd": np.nan,
            "adstock_max_lag": pd.array([None] * len(channels), dtype="Int64"),
        }
    )


def scenario_channels(n: int) -> tuple[ChannelSpec, ...]:
    """The first n default channels, then renamed clones (a seasonal clone gets campaign bursts so it is
    not collinear with its original)."""
    clones = tuple(
        replace(
            c,
            name=f"{c.name}_2",
            display_name=f"{c.display_name} 2",
            pattern="campaigns" if c.pattern == "steady_seasonal" else c.pattern,
        )
        for c in DEFAULT_CHANNELS
    )
    pool = DEFAULT_CHANNELS + clones
    if n > len(pool):
        raise ValueError(f"at most {len(pool)} channels, got {n}")
    return pool[:n]


# --- figures --------------------------------------------------------------------------------


def _estimates(artifacts: pd.DataFrame) -> pd.DataFrame:
    """recovery()'s input from fit_segments artifacts: channel summaries and each run's data window."""
    summary = artifacts[artifacts["artifact"] == "summary"]
    by_name = {
        name: summary[summary["parameter"] == name].set_index(["segment_id", "channel"])
        for name in ("roi", "contribution", "spend")
    }
    runs = artifacts[artifacts["artifact"] == "run"]
    window = runs.pivot_table(index="segment_id", columns="parameter", values="details", aggfunc="first")
    frame = pd.DataFrame(
        {
            "roi_mean": by_name["roi"]["mean"],
            "roi_p05": by_name["roi"]["p05"],
            "roi_p95": by_name["roi"]["p95"],
            "contribution_mean": by_name["contribution"]["mean"],
            "spend": by_name["spend"]["mean"],
        }
    ).reset_index()
    return frame.assign(
        window_start=frame["segment_id"].map(window["data_window_start"]),
        window_end=frame["segment_id"].map(window["data_window_end"]),
    )


def fit_figures(artifacts: pd.DataFrame, seconds: float) -> dict[str, float]:
    """Timing and diagnostics of one fit_segments call from its run rows."""
    runs = artifacts[artifacts["artifact"] == "run"]
    numbers = runs.pivot_table(index="segment_id", columns="parameter", values="value", aggfunc="first").reindex(
        columns=["min_ess_bulk", "max_rhat", "divergences"]
    )
    status = runs.loc[runs["parameter"] == "status", "details"]
    return {
        "wall_s": seconds,
        "s_per_segment": seconds / runs["segment_id"].nunique(),
        "ess_per_s": float(numbers["min_ess_bulk"].sum()) / seconds,
        "max_rhat": float(numbers["max_rhat"].max()),
        "divergences": int(numbers["divergences"].sum()),
        "published": int((status == "published").sum()),
        "rejected": int((status == "rejected").sum()),
    }


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024


def machine_facts() -> dict[str, str | int]:
    """Cores, JAX devices and library versions."""
    import curvehouse.model  # noqa: F401, I001  (before JAX: it gives XLA one host device per chain)
    import jax
    import numpyro

    devices = jax.devices()
    return {
        "cores": os.cpu_count() or 0,
        "jax_devices": f"{len(devices)} x {devices[0].platform}",
        "python": platform.python_version(),
        "jax": jax.__version__,
        "numpyro": numpyro.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


def format_line(label: str, shape: str, f: dict) -> str:
    """One printed line of figures."""
    parts = [
        f"{label:<16} {shape:<24}",
        f"wall {f['wall_s']:7.1f} s ({f['s_per_segment']:.1f} s/segment)",
        f"ESS/s {f['ess_per_s']:7.2f}",
        f"max R-hat {f['max_rhat']:.3f}",
        f"divergences {f['divergences']}",
        f"published {f['published']} rejected {f['rejected']}",
    ]
    if "roi_mare" in f:
        parts.append(
            f"ROI MARE {f['roi_mare']:.3f}, true ROI in 90% {f['roi_coverage90']:.0%} "
            f"(width {f['roi_width90']:.2f} x true), share MAE {f['share_mae']:.3f}"
        )
    else:
        parts.append("recovery n/a (no truth)")
    if "thin_roi_mare" in f:
        parts.append(
            f"thin segments: ROI MARE {f['thin_roi_mare']:.3f}, true ROI in 90% {f['thin_roi_coverage90']:.0%} "
            f"(width {f['thin_roi_width90']:.2f} x true), share MAE {f['thin_share_mae']:.3f}"
        )
    parts.append(f"peak RSS {f['peak_rss_mib']:.0f} MiB")
    if f.get("sampling_s") is not None:
        parts.insert(2, f"sampling {f['sampling_s']:.1f} s")
    if f.get("device_peak_mib") is not None:
        parts.append(f"device peak {f['device_peak_mib']:.0f} MiB")
    return " | ".join(parts)


# --- running --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    """One fit to run: its label, input, registry and truth (None when unknown)."""

    label: str
    shape: str
    long: pd.DataFrame
    registry: pd.DataFrame
    truth: dict | None
    checkpoints: tuple[int, ...] = ()  # stepped: also report after the first n segments for each n
    pooling: str = "none"
    thin: tuple[str, ...] = ()  # segments cut to their last THIN_WEEKS weeks, reported apart


def _cases(scenario: Scenario, quick: bool, steps: Sequence[int], geo_media: Path) -> list[_Case]:
    n_segments = min(scenario.segments, QUICK_SEGMENTS) if quick else scenario.segments
    if scenario.source == "geo_media":
        long, registry = model_input_from_geo_media(geo_media)
        truth = None
    else:
        data = generate_demo(
            n_segments,
            scenario.weeks,
            DEFAULT_SEED,
            channels=scenario_channels(scenario.channels),
            deferred_channel=None,
            daily=False,
        )
        long, registry = model_input_from_demo(data)
        truth = data.truth
    order = list(dict.fromkeys(long["segment_id"]) if truth is None else truth["segments"])
    counts = tuple(sorted({min(n, n_segments) for n in steps})) if scenario.stepped else (n_segments,)
    weeks = long["week_start"].nunique()
    kept = long[long["segment_id"].isin(order[: counts[-1]])]
    thin = tuple(order[n_segments - min(scenario.thin_segments, n_segments - 1) : n_segments])
    shape = f"{{n}} seg x {weeks} wk" + (f" ({len(thin)} of them {THIN_WEEKS})" if thin else "")
    shape += f" x {scenario.channels} ch"
    if thin:
        starts = pd.to_datetime(kept["week_start"])
        kept = kept[~kept["segment_id"].isin(thin) | (starts > starts.max() - pd.Timedelta(weeks=THIN_WEEKS))]
    return [
        _Case(
            f"{scenario.name}/{pooling}" if len(scenario.poolings) > 1 else scenario.name,
            shape + (f", pooling {pooling}" if len(scenario.poolings) > 1 else ""),
            kept,
            registry,
            truth,
            counts if scenario.stepped else (),
            pooling,
            thin,
        )
        for pooling in scenario.poolings
    ]


def _fit(case: _Case, config: dict) -> tuple[pd.DataFrame, float, list[tuple[str, float, float]], float]:
    """Artifacts, wall seconds, per fitted group (in fitting order: a segment, or all as lanes) its
    name, the seconds since the start at which it was done (when the next one started) and the process
    peak RSS then, and the seconds spent sampling (the fits' own NUTS runs, from the progress lines)."""
    from curvehouse.fitting.segments import fit_segments  # JAX and ArviZ load only when something is fitted

    started = time.perf_counter()
    done: list[tuple[str, float, float]] = []
    fitting: list[str] = []
    sampling = [0.0]

    def progress(message: str) -> None:
        print(message, file=sys.stderr)
        if match := SAMPLING.match(message):
            sampling[0] += float(match.group(1))
        if message.startswith(FITTING):
            if fitting:
                done.append((fitting[-1], time.perf_counter() - started, peak_rss_mib()))
            fitting.append(message[len(FITTING) :].split(" (")[0])

    artifacts = fit_segments(case.long, case.registry, config, progress=progress)
    seconds = time.perf_counter() - started
    if fitting:
        done.append((fitting[-1], seconds, peak_rss_mib()))
    return artifacts, seconds, done, sampling[0]


def peak_device_mib() -> float | None:
    """Peak memory in use on JAX's first device so far, where the device reports it (GPUs do; CPUs do not)."""
    import jax

    stats = jax.devices()[0].memory_stats() or {}
    return stats["peak_bytes_in_use"] / MIB if "peak_bytes_in_use" in stats else None


def _peer_module() -> tuple[object | None, str]:
    """pymc_marketing.mmm, or None and why not."""
    try:
        return importlib.import_module("pymc_marketing.mmm"), ""
    except ImportError as exc:
        return None, f"{exc} (install the 'peers' extra: pip install -e '.[peers]')"


def _fit_peer(mmm_module, case: _Case, sampler: dict, adstock_max_lag: int) -> tuple[pd.DataFrame, float]:
    """PyMC-Marketing's MMM per segment (geometric adstock, logistic saturation, the same controls and
    yearly Fourier order), NUTS on its numpyro backend with the same chains and draws."""
    rows = []
    started = time.perf_counter()
    for segment, frame in case.long.groupby("segment_id", sort=True):
        wide = frame.pivot(index="week_start", columns="variable_name", values="value")
        kinds = frame.drop_duplicates("variable_name").set_index("variable_name")["variable_kind"]
        channels = sorted(kinds.index[kinds == "spend"])
        controls = sorted(c for c in kinds.index[kinds == "control"] if not c.startswith("fourier_"))
        fourier_order = int((kinds.index.str.startswith("fourier_sin_")).sum())
        model = mmm_module.MMM(
            date_column="week_start",
            channel_columns=channels,
            control_columns=controls or None,
            adstock=mmm_module.GeometricAdstock(l_max=adstock_max_lag),
            saturation=mmm_module.LogisticSaturation(),
            yearly_seasonality=fourier_order,
        )
        model.fit(
            wide[channels + controls].reset_index(),
            wide["outcome"].reset_index(drop=True),
            chains=sampler["chains"],
            tune=sampler["warmup"],
            draws=sampler["draws"],
            target_accept=sampler["target_accept"],
            nuts_sampler="numpyro",
            random_seed=sampler["seed"],
            progressbar=False,
        )
        contribution = model.compute_channel_contribution_original_scale().sum("date")
        draws = contribution.transpose("chain", "draw", "channel").to_numpy().reshape(-1, len(channels))
        spend = wide[channels].sum().to_numpy()
        roi = draws / spend
        window = {"window_start": wide.index.min(), "window_end": wide.index.max() + pd.Timedelta(days=6)}
        rows += [
            {
                "segment_id": segment,
                "channel": c,
                "roi_mean": roi[:, j].mean(),
                "roi_p05": np.quantile(roi[:, j], 0.05),
                "roi_p95": np.quantile(roi[:, j], 0.95),
                "contribution_mean": draws[:, j].mean(),
                "spend": spend[j],
                **window,
            }
            for j, c in enumerate(channels)
        ]
    return pd.DataFrame(rows), time.perf_counter() - started


def _peer_line(mmm_module, case: _Case, ours: dict, sampler: dict, adstock_max_lag: int) -> tuple[str, dict]:
    import jax

    # PyMC's JAX sampler switches the whole process to 64-bit floats when it loads; later fits of
    # ours in the same run would then run (slower, and with other numbers) in float64.
    x64 = jax.config.jax_enable_x64
    try:
        estimates, seconds = _fit_peer(mmm_module, case, sampler, adstock_max_lag)
    except Exception as exc:  # noqa: BLE001 - an external library's failure is reported, not fatal to the benchmark
        return f"{case.label:<16} PyMC-Marketing failed: {type(exc).__name__}: {exc}", {"error": str(exc)}
    finally:
        jax.config.update("jax_enable_x64", x64)
    figures = {"wall_s": seconds, "time_ratio": seconds / ours["wall_s"]}
    text = f"{case.label:<16} PyMC-Marketing wall {seconds:.1f} s = {figures['time_ratio']:.2f} x curvehouse"
    if case.truth is not None:
        figures.update(recovery(estimates, case.truth))
        text += (
            f" | ROI MARE {figures['roi_mare']:.3f} vs {ours['roi_mare']:.3f}, true ROI in 90% "
            f"{figures['roi_coverage90']:.0%} vs {ours['roi_coverage90']:.0%} (width {figures['roi_width90']:.2f} "
            f"vs {ours['roi_width90']:.2f} x true), share MAE "
            f"{figures['share_mae']:.3f} vs {ours['share_mae']:.3f} (peer vs curvehouse)"
        )
    return text, figures


def run_bench(
    scenarios: Sequence[str],
    quick: bool = False,
    steps: Sequence[int] = DEFAULT_STEPS,
    geo_media: Path = GEO_MEDIA_PATH,
    echo: Callable[[str], None] = print,
    chain_method: str | None = None,
) -> dict:
    """Run the scenarios, echo a header and one line per fit; return every figure. chain_method:
    the sampler's, where given (lanes: every segment of a fit a lane of one program).

    JAX's persistent compilation cache stays off (unless CURVEHOUSE_JAX_CACHE is set), so every
    wall figure includes a cold compile, as a first build on a fresh machine pays it.
    """
    os.environ.setdefault("CURVEHOUSE_JAX_CACHE", "off")
    from curvehouse.model.spec import spec_from_config

    config = QUICK_CONFIG if quick else {}
    if chain_method is not None:
        config = {**config, "sampler": {**config.get("sampler", {}), "chain_method": chain_method}}
    spec = spec_from_config(config)
    sampler = spec.sampler.__dict__
    facts = machine_facts()
    echo(
        "curvehouse bench | "
        + ", ".join(f"{k} {v}" for k, v in facts.items())
        + f" | sampler {spec.sampler.chains} chains x {spec.sampler.warmup} warmup + {spec.sampler.draws} draws"
        + (" (quick)" if quick else " (default methodology)")
        + f", chain method {spec.sampler.chain_method}"
    )
    cache = os.environ["CURVEHOUSE_JAX_CACHE"]
    echo(
        f"  {WALL_NOTE}; {ESS_NOTE}; peak RSS = process peak so far; "
        f"compilation cache: {'off (cold compiles counted)' if cache.lower() in ('', 'off') else cache}"
    )
    peer, why_not = _peer_module()
    if peer is None:
        echo(f"  PyMC-Marketing comparison skipped: {why_not}")
    else:
        echo(
            "  PyMC-Marketing fits the single-segment scenarios too (its MMM is one segment at a time; "
            "at ~6 min a fit here, the multi-segment scenarios would take hours)"
        )
    results = []
    for name in scenarios:
        scenario = SCENARIOS[name]
        if scenario.source == "geo_media" and not geo_media.is_file():
            echo(f"{name:<16} skipped: {geo_media} not found")
            continue
        for case in _cases(scenario, quick, steps, geo_media):
            artifacts, seconds, done, sampling = _fit(case, {**config, "pooling": case.pooling})
            for label, shape, figures in _case_figures(case, artifacts, seconds, done):
                if not case.checkpoints:
                    figures.update(sampling_s=sampling, device_peak_mib=peak_device_mib())
                echo(format_line(label, shape, figures))
                result = {"scenario": label, "shape": shape, **figures}
                if peer is not None and case.long["segment_id"].nunique() == 1:
                    text, result["pymc_marketing"] = _peer_line(peer, case, figures, sampler, spec.adstock_max_lag)
                    echo(text)
                results.append(result)
    return {
        "machine": facts,
        "sampler": sampler,
        "quick": quick,
        "pymc_marketing": "compared" if peer is not None else f"skipped: {why_not}",
        "results": results,
    }


def _case_figures(
    case: _Case, artifacts: pd.DataFrame, seconds: float, done: list[tuple[str, float, float]]
) -> list[tuple[str, str, dict]]:
    """One (label, shape, figures) per report: the whole fit, or for a stepped scenario one per
    checkpoint n, from its first n fitted segments and the wall time when the n-th was done (one
    fit of the largest count, so the checkpoints show how the cost per segment evolves)."""
    points = [
        (n, [name for name, _, _ in done[:n]], done[n - 1][1], done[n - 1][2])
        for n in case.checkpoints
        if 0 < n <= len(done)
    ]
    if not case.checkpoints:
        n = artifacts["segment_id"].nunique()
        points = [(n, list(artifacts["segment_id"].unique()), seconds, peak_rss_mib())]
    out = []
    for n, names, wall, rss in points:
        subset = artifacts[artifacts["segment_id"].isin(names)]
        figures = fit_figures(subset, wall)
        if case.truth is not None:
            estimates = _estimates(subset)
            figures.update(recovery(estimates, case.truth))
            if case.thin:
                thin = recovery(estimates[estimates["segment_id"].isin(case.thin)], case.truth)
                figures.update({f"thin_{name}": value for name, value in thin.items()})
        figures["peak_rss_mib"] = rss
        out.append((f"{case.label}@{n}" if case.checkpoints else case.label, case.shape.format(n=n), figures))
    return out


def _plain(value: object) -> object:
    """NaN and infinities as None, recursively, so the JSON is strict."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def write_json(report: dict, path: Path) -> None:
    """The figures as JSON (NaN written as null)."""
    path.write_text(json.dumps(_plain(report), indent=1, allow_nan=False) + "\n")
