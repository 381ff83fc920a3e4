"""Long artifact rows of one fit: parameters, draws, curves, decomposition, channel summary.

Every row has the columns of ARTIFACT_COLUMNS; the dbt marts select their artifact and cast.
Intervals: p05/p95 (90%) and p10/p90 (80%).
"""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd

from curvehouse.posterior.artifact_names import check_names

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


def _frame(rows: list[dict]) -> pd.DataFrame:
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
    rows = []
    for parameter, grouped in posterior.items():
        dataset = az.convert_to_dataset({"v": np.nan_to_num(grouped, nan=1.0)})
        rhat = np.asarray(az.rhat(dataset)["v"])
        bulk = np.asarray(az.ess(dataset, method="bulk")["v"])
        tail = np.asarray(az.ess(dataset, method="tail")["v"])
        flat = grouped.reshape((-1,) + grouped.shape[2:])
        stats = interval_stats(flat)
        pstats = interval_stats(prior[parameter]) if parameter in prior else None
        names = labels.get(parameter)
        for index in np.ndindex(*flat.shape[1:]):
            segment = segments[index[0]]
            if np.isnan(stats["mean"][index]):
                continue
            rows.append(
                {
                    "run_id": run_ids[segment],
                    "segment_id": segment,
                    "artifact": "parameter",
                    "parameter": parameter,
                    "channel": names[index[1]] if names else None,
                    **{key: float(stats[key][index]) for key in ("mean", "sd", *QUANTILES)},
                    "rhat": float(rhat[index]),
                    "ess_bulk": float(bulk[index]),
                    "ess_tail": float(tail[index]),
                    **(
                        {
                            "prior_mean": float(pstats["mean"][index]),
                            "prior_sd": float(pstats["sd"][index]),
                            "prior_p05": float(pstats["p05"][index]),
                            "prior_p95": float(pstats["p95"][index]),
                        }
                        if pstats is not None
                        else {}
                    ),
                }
            )
    return _frame(rows)


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
        picked = grouped[chain_idx, draw_idx]  # (keep, S[, X])
        names = labels.get(parameter)
        for s, segment in enumerate(segments):
            block = picked[:, s]
            if block.ndim == 1:
                block = block[:, None]
            for x in range(block.shape[1]):
                column = block[:, x]
                if np.all(np.isnan(column)):
                    continue
                parts.append(
                    pd.DataFrame(
                        {
                            "run_id": run_ids[segment],
                            "segment_id": segment,
                            "artifact": "draw",
                            "parameter": parameter,
                            "channel": names[x] if names else None,
                            "draw_kind": kind,
                            "chain": chain_idx.astype(float),
                            "draw": draw_idx.astype(float),
                            "value": column,
                        }
                    )
                )
    if not parts:
        return _frame([])
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
    return _frame(rows)


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
    rows = []
    for s, segment in enumerate(segments):
        weeks = data_weeks[s]
        for name, draws in components.items():
            stats = interval_stats(draws[:, s, : len(weeks)])
            for t, week in enumerate(weeks):
                rows.append(
                    {
                        "run_id": run_ids[segment],
                        "segment_id": segment,
                        "artifact": "decomposition",
                        "parameter": name,
                        "channel": names.get(name),
                        "week_start": week,
                        "details": kinds[name],
                        **{key: float(stats[key][t]) for key in ("mean", "sd", *QUANTILES)},
                    }
                )
        for t, week in enumerate(weeks):
            rows.append(
                {
                    "run_id": run_ids[segment],
                    "segment_id": segment,
                    "artifact": "decomposition",
                    "parameter": "actual",
                    "week_start": week,
                    "details": "actual",
                    "value": float(actual[s, t]),
                    "mean": float(actual[s, t]),
                }
            )
    return _frame(rows)


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
    return _frame(rows)
