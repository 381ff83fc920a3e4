"""The deterministic run id of a segment's fit: same input and methodology, same id.

A build skips a segment whose run id is already stored, so an unchanged segment is not fitted again.
"""

from __future__ import annotations

import hashlib
import os

import pandas as pd

from curvehouse.model.experiments import experiments_text, segment_experiments
from curvehouse.model.registry import exposure_driven_channels
from curvehouse.model.spec import ModelSpec

__all__ = ["REGISTRY_FIT_COLUMNS", "run_id_for", "run_ids_for"]

# Registry columns the fit reads: a change to them is a change of method, so it makes a new run.
REGISTRY_FIT_COLUMNS = ("channel", "channel_group", "roi_prior_mean", "roi_prior_sd", "adstock_max_lag")
# Optional registry columns the fit reads: hashed only where some channel of the segment sets one, so
# a registry without them gives the run ids it gave before they existed.
OPTIONAL_FIT_COLUMNS = (
    "channel_kind",
    "unit",
    "mroi_prior_mean",
    "mroi_prior_sd",
    "contribution_share_prior_mean",
    "contribution_share_prior_sd",
)


def run_id_for(
    segment_rows: pd.DataFrame,
    spec: ModelSpec,
    registry: pd.DataFrame,
    experiments: pd.DataFrame | None = None,
    centred_on: str | None = None,
) -> str:
    """Deterministic run id: the segment's model input, the methodology version, the registry's
    priors and lags of the segment's channels and, when it has any, the segment's experiments
    (curvehouse.model.experiments.segment_experiments), hashed; in refresh mode also the run it is
    centred on (the same weeks refreshed from another run are another fit); the segment's channels
    flagged exposure_driven, when any are. Without experiments or flags and outside refresh mode the
    id is the one it was before they existed."""
    rows = segment_rows.sort_values(list(_SORT))
    text = rows[list(_HASHED)].to_csv(index=False, float_format="%.6f")
    channels = _channels(rows)
    flagged = exposure_driven_channels(registry)
    return _run_id(text, channels, spec, _registry_text(channels, registry), flagged, experiments, centred_on)


def run_ids_for(
    model_input: pd.DataFrame,
    spec: ModelSpec,
    registry: pd.DataFrame,
    experiments: pd.DataFrame | None = None,
    centred_on: dict[str, str] | None = None,
) -> dict[str, str]:
    """run_id_for of every segment of the long input (experiments: all segments' lift tests;
    centred_on: segment -> the run a refresh is centred on), its rows written as text in one pass."""
    week = pd.to_datetime(model_input["week_start"])
    if not (week == week.dt.normalize()).all():  # text of a timestamp column depends on its rows
        return {
            s: run_id_for(rows, spec, registry, segment_experiments(experiments, s), (centred_on or {}).get(s))
            for s, rows in model_input.groupby("segment_id")
        }
    rows = model_input.sort_values(["segment_id", *_SORT])
    lines = rows[list(_HASHED)].to_csv(index=False, header=False, float_format="%.6f").split(os.linesep)
    header = ",".join(_HASHED) + os.linesep
    flagged = exposure_driven_channels(registry)
    counts = rows.groupby("segment_id", sort=False).size()
    is_channel = rows["variable_kind"].isin(_CHANNEL_KINDS)
    channels = rows.loc[is_channel].groupby("segment_id")["variable_name"].agg(set)
    cache: dict[frozenset, str] = {}
    ids, start = {}, 0
    for segment, n in counts.items():
        text = header + os.linesep.join(lines[start : start + n]) + os.linesep
        start += n
        mine = frozenset(channels.get(segment, set()))
        if mine not in cache:
            cache[mine] = _registry_text(mine, registry)
        tests = segment_experiments(experiments, segment) if experiments is not None else None
        ids[segment] = _run_id(text, mine, spec, cache[mine], flagged, tests, (centred_on or {}).get(segment))
    return ids


_SORT = ("week_start", "variable_kind", "variable_name")
_HASHED = ("week_start", "variable_kind", "variable_name", "value")
_CHANNEL_KINDS = ("spend", "organic")


def _channels(rows: pd.DataFrame) -> frozenset[str]:
    return frozenset(rows.loc[rows["variable_kind"].isin(_CHANNEL_KINDS), "variable_name"])


def _registry_text(channels: frozenset[str], registry: pd.DataFrame) -> str:
    """The registry rows of the channels, the columns the fit reads, as text."""
    mine = registry[registry["channel"].isin(channels)]
    optional = [c for c in OPTIONAL_FIT_COLUMNS if c in mine.columns and _set_anywhere(mine[c])]
    used = mine.reindex(columns=[*REGISTRY_FIT_COLUMNS, *optional])
    return used.sort_values("channel").to_csv(index=False, float_format="%.6f")


def _run_id(
    text: str,
    channels: frozenset[str],
    spec: ModelSpec,
    priors: str,
    flagged: frozenset[str],
    experiments: pd.DataFrame | None,
    centred_on: str | None,
) -> str:
    """The hash of a segment's input text and its method: priors is _registry_text of its channels,
    flagged the registry's exposure-driven channels."""
    key = f"{spec.version}\n{priors}\n{text}"
    exposure = sorted(flagged & channels)
    if exposure:  # absent when no channel is flagged, so unflagged run ids are unchanged
        key += f"\nexposure_driven {','.join(exposure)}"
    if experiments is not None and not experiments.empty:
        key += f"\nexperiments\n{experiments_text(experiments)}"
    if spec.fit_mode == "refresh" and centred_on:
        key += f"\ncentred on {centred_on}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _set_anywhere(values: pd.Series) -> bool:
    """Whether some value is set to other than its default (null, empty text, channel_kind 'paid')."""
    text = values.dropna().astype(str).str.strip().str.lower()
    return bool((~text.isin(("", "paid"))).any())
