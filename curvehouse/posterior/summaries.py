"""Long artifact rows of one fit: parameters, draws, curves, decomposition, channel summary.

Every row has the columns of ARTIFACT_COLUMNS; the dbt marts select their artifact and cast.
Intervals: p05/p95 (90%) and p10/p90 (80%).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from curvehouse.posterior.artifact_names import check_names
from curvehouse.posterior.convergence import convergence

__all__ = [
    "ARTIFACT_COLUMNS",
    "curve_rows",
    "decomposition_rows",
    "draw_rows",
    "empty_artifacts",
    "interval_stats",
    "parameter_rows",
    "summary_rows",
]

ARTIFACT_COLUMNS = {
    "run_id": "object",
    "segment_id": "object",
    "artifact": "object",
    "parameter": "object",
    "channel": "object",
    "week_start": "datetime64[ns]",
    "spend_level": "float64",
    "draw_kind": "object",
    "chain": "float64",
    "draw": "float64",
    "value": "float64",
    "mean": "float64",
    "sd": "float64",
    "p05": "float64",
    "p10": "float64",
    "p50": "float64",
    "p90": "float64",
    "p95": "float64",
    "rhat": "float64",
    "ess_bulk": "float64",
    "ess_tail": "float64",
    "prior_mean": "float64",
    "prior_sd": "float64",
    "prior_p05": "float64",
    "prior_p95": "float64",
    "details": "object",
}
QUANTILES = {"p05": 0.05, "p10": 0.10, "p50": 0.50, "p90": 0.90, "p95": 0.95}


def empty_artifacts() -> pd.DataFrame:
    """An empty artifact frame with the right dtypes (an incremental run that fits nothing)."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in ARTIFACT_COLUMNS.items()})


def records_frame(rows: list[dict]) -> pd.DataFrame:
    """Artifact rows given as dicts (absent columns null) as one frame with the contract's dtypes."""
    frame = pd.DataFrame(rows, columns=list(ARTIFACT_COLUMNS))
    return frame.astype({c: t for c, t in ARTIFACT_COLUMNS.items() if t != "object"})


def interval_stats(draws: np.ndarray, axis: int = 0) -> dict[str, np.ndarray]:
    """Mean, sd and the published quantiles along the draw axis (NaN draws ignored).

    All quantiles in one call, and the NaN-aware path only where there are NaNs: numpy's
    nanquantile falls back to one sort per element, which is slow on every segment's draws.
    """
    nan = bool(np.isnan(draws).any())
    mean, std, quantile = (np.nanmean, np.nanstd, np.nanquantile) if nan else (np.mean, np.std, np.quantile)
    values = quantile(draws, list(QUANTILES.values()), axis=axis)
    return {"mean": mean(draws, axis=axis), "sd": std(draws, axis=axis), **dict(zip(QUANTILES, values, strict=True))}


def parameter_rows(
    run_ids: dict[str, str],
    segments: tuple[str, ...],
    labels: dict[str, tuple[str, ...] | None],
    posterior: dict[str, np.ndarray],
    prior: dict[str, np.ndarray],
) -> pd.DataFrame:
    """One row per segment x parameter x channel (or control / segment-level).

    posterior: name -> (chains, draws, S[, X]); prior: name -> (N, S[, X]); labels name the last axis
    (channels, or controls for gamma; None for segment-level sites). NaN marks channels a segment lacks.
    """
    parts = []
    for parameter, grouped in posterior.items():
        flat = grouped.reshape((-1,) + grouped.shape[2:])
        stats = interval_stats(flat)
        present = ~np.isnan(stats["mean"])
        segment, channel = _element_labels(segments, labels.get(parameter), present.shape, present)
        columns = {
            "run_id": np.array([run_ids[s] for s in segments], dtype=object)[segment],
            "segment_id": np.array(segments, dtype=object)[segment],
            "artifact": "parameter",
            "parameter": parameter,
            "channel": channel,
            **{key: stats[key][present] for key in ("mean", "sd", *QUANTILES)},
            **{key: v[present] for key, v in convergence(np.nan_to_num(grouped, nan=1.0)).items()},
        }
        if parameter in prior:
            pstats = interval_stats(prior[parameter])
            columns.update({f"prior_{key}": pstats[key][present] for key in ("mean", "sd", "p05", "p95")})
        parts.append(pd.DataFrame(columns))
    return _concat(parts)


def _element_labels(
    segments: tuple[str, ...], names: tuple[str, ...] | None, shape: tuple[int, ...], keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """Segment index and channel (or control) name of each kept element of an (S[, X]) array, in
    row-major order."""
    index = np.indices(shape).reshape(len(shape), -1)[:, keep.ravel()]
    channel = np.array(names, dtype=object)[index[1]] if names else None
    return index[0], channel


def draw_rows(
    run_ids: dict[str, str],
    segments: tuple[str, ...],
    labels: dict[str, tuple[str, ...] | None],
    draws: dict[str, np.ndarray],
    kind: str,
    keep: int,
) -> pd.DataFrame:
    """Long, thinned draws: draws name -> (chains, draws, S[, X]) for posterior, (N, S[, X]) for prior."""
    parts = []
    for parameter, values in draws.items():
        grouped = values if kind == "posterior" else values[None]
        n_chains, n_draws = grouped.shape[:2]
        step = max(1, (n_chains * n_draws) // keep)
        chain_idx, draw_idx = np.divmod(np.arange(n_chains * n_draws)[::step][:keep], n_draws)
        picked = np.moveaxis(grouped[chain_idx, draw_idx], 0, -1)  # (S[, X], keep)
        present = ~np.all(np.isnan(picked), axis=-1)
        segment, channel = _element_labels(segments, labels.get(parameter), present.shape, present)
        n_kept = len(chain_idx)
        parts.append(
            pd.DataFrame(
                {
                    "run_id": np.repeat(np.array([run_ids[s] for s in segments], dtype=object)[segment], n_kept),
                    "segment_id": np.repeat(np.array(segments, dtype=object)[segment], n_kept),
                    "artifact": "draw",
                    "parameter": parameter,
                    "channel": None if channel is None else np.repeat(channel, n_kept),
                    "draw_kind": kind,
                    "chain": np.tile(chain_idx.astype(float), len(segment)),
                    "draw": np.tile(draw_idx.astype(float), len(segment)),
                    "value": picked[present].ravel(),
                }
            )
        )
    return _concat(parts)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames of artifact rows as one frame with every artifact column and its dtype."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_artifacts()
    return pd.concat([empty_artifacts(), *parts], ignore_index=True).astype(
        {c: t for c, t in ARTIFACT_COLUMNS.items() if t != "object"}
    )


def curve_rows(
    run_ids: dict[str, str],
    segments: tuple[str, ...],
    channels: tuple[str, ...],
    grid: np.ndarray,
    response: np.ndarray,
    marginal: np.ndarray,
    channel_mask: np.ndarray,
) -> pd.DataFrame:
    """Saturation curve rows: response and marginal ROI over the observed weekly spend grid.

    grid: (S, C, G); response, marginal: (N, S, C, G).
    """
    rs, ms = interval_stats(response), interval_stats(marginal)
    rows = []
    for s, segment in enumerate(segments):
        for c, channel in enumerate(channels):
            if channel_mask[s, c] <= 0:
                continue
            for g in range(grid.shape[2]):
                for parameter, stats in (("response", rs), ("marginal_roi", ms)):
                    rows.append(
                        {
                            "run_id": run_ids[segment],
                            "segment_id": segment,
                            "artifact": "curve",
                            "parameter": parameter,
                            "channel": channel,
                            "spend_level": float(grid[s, c, g]),
                            "draw": float(g),
                            **{key: float(stats[key][s, c, g]) for key in ("mean", "sd", *QUANTILES)},
                        }
                    )
    return records_frame(rows)


def decomposition_rows(
    run_ids: dict[str, str],
    data_weeks: tuple[tuple, ...],
    segments: tuple[str, ...],
    components: dict[str, np.ndarray],
    names: dict[str, tuple[str, ...]],
    kinds: dict[str, str],
    actual: np.ndarray,
) -> pd.DataFrame:
    """Weekly decomposition: one row per segment x week x component (mean and 90% interval).

    components: component name -> (N, S, T) in outcome currency; kinds: component -> kind
    (baseline, trend, seasonality, holiday, control, channel, fitted); actual: (S, T).
    """
    lengths = np.array([len(weeks) for weeks in data_weeks])
    segment, week = np.nonzero(np.arange(lengths.max())[None] < lengths[:, None])  # each segment's weeks
    week_start = np.array([w for weeks in data_weeks for w in weeks], dtype="datetime64[ns]")
    base = {
        "run_id": np.array([run_ids[s] for s in segments], dtype=object)[segment],
        "segment_id": np.array(segments, dtype=object)[segment],
        "artifact": "decomposition",
        "week_start": week_start,
    }
    parts = []
    for name, draws in components.items():
        stats = interval_stats(draws[:, :, : lengths.max()])
        parts.append(
            {
                **base,
                "parameter": name,
                "channel": names.get(name),
                "details": kinds[name],
                **{key: stats[key][segment, week] for key in ("mean", "sd", *QUANTILES)},
            }
        )
    observed = actual[segment, week].astype(float)
    parts.append({**base, "parameter": "actual", "details": "actual", "value": observed, "mean": observed})
    frame = _concat([pd.DataFrame(part) for part in parts])
    # Rows by segment, then component, then week.
    order = np.lexsort(
        (np.tile(week, len(parts)), np.repeat(np.arange(len(parts)), len(week)), np.tile(segment, len(parts)))
    )
    return frame.iloc[order].reset_index(drop=True)


def summary_rows(
    run_ids: dict[str, str],
    segments: tuple[str, ...],
    channels: tuple[str, ...],
    quantities: dict[str, np.ndarray],
    scalars: dict[str, np.ndarray],
    channel_mask: np.ndarray,
) -> pd.DataFrame:
    """Channel summary metrics: quantities name -> (N, S, C) draws; scalars name -> (S, C) values."""
    check_names("summary_intervals", list(quantities))
    check_names("summary_scalars", list(scalars))
    rows = []
    stats = {name: interval_stats(v) for name, v in quantities.items()}
    for s, segment in enumerate(segments):
        for c, channel in enumerate(channels):
            if channel_mask[s, c] <= 0:
                continue
            base = {"run_id": run_ids[segment], "segment_id": segment, "artifact": "summary", "channel": channel}
            for name, st in stats.items():
                rows.append(
                    {**base, "parameter": name, **{key: float(st[key][s, c]) for key in ("mean", "sd", *QUANTILES)}}
                )
            for name, values in scalars.items():
                rows.append({**base, "parameter": name, "value": float(values[s, c]), "mean": float(values[s, c])})
    return records_frame(rows)
