"""Turn the long weekly model input into padded arrays: one shape for all segments.

Every segment is padded to the longest window and the union of channels and controls, with
masks, so JAX compiles one program for all of them. Outcome and spend are scaled per segment
(outcome by its mean week, spend by the channel's mean active week) so priors are unit-free.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from curvehouse.model.grid import segment_weeks, week_positions
from curvehouse.model.organic import ORGANIC, PAID, driver_values, organic_channels, organic_mask
from curvehouse.model.treatments import TreatmentArrays, treatment_arrays
from curvehouse.transforms.adstock import lag_stack

__all__ = ["ModelData", "build_model_data", "INPUT_COLUMNS"]

INPUT_COLUMNS = ("segment_id", "week_start", "variable_kind", "variable_name", "value")


@dataclass(frozen=True)
class ModelData:
    """Arrays for the model. Shapes: S segments, T weeks, C channels, K controls, L lags."""

    segments: tuple[str, ...]
    channels: tuple[str, ...]
    controls: tuple[str, ...]
    weeks: tuple[tuple[pd.Timestamp, ...], ...]  # per segment, its own weeks (unpadded)
    y: np.ndarray  # (S, T) outcome / y_scale, 0 in padding
    y_scale: np.ndarray  # (S,) mean weekly outcome
    spend: np.ndarray  # (S, T, C) weekly spend in currency, 0 in padding
    x_scale: np.ndarray  # (S, C) mean weekly spend in active weeks (1 where never active)
    lagged: np.ndarray  # (S, T, C, L) lag stack of spend / x_scale
    z: np.ndarray  # (S, T, K) standardised controls, 0 in padding
    z_mean: np.ndarray  # (S, K)
    z_sd: np.ndarray  # (S, K)
    time_mask: np.ndarray  # (S, T) 1 for real weeks
    channel_mask: np.ndarray  # (S, C) 1 where the channel has spend in the segment's window
    lag_mask: np.ndarray  # (C, L) 1 for the lags a channel allows
    trend: np.ndarray  # (S, T) 0..1 across each segment's own window
    total_spend: np.ndarray  # (S, C) window spend in currency
    # Aligned with channels: 'paid' | 'organic' (curvehouse.model.organic); () on a paid-only input.
    channel_kinds: tuple[str, ...] = ()
    # Non-media treatments (curvehouse.model.treatments), J of them: () and None where the input has none.
    treatments: tuple[str, ...] = ()
    treatment: np.ndarray | None = None  # (S, T, J) (x - x_ref) / treatment_scale, 0 in padding
    treatment_ref: np.ndarray | None = None  # (S, J) x_ref, the minimum over the segment's weeks
    treatment_scale: np.ndarray | None = None  # (S, J) sd over the segment's weeks
    treatment_mask: np.ndarray | None = None  # (S, J) 1 where the treatment varies in the window
    # (S, C) window spend / window impressions of exposure-driven channels (curvehouse.model.exposure), NaN elsewhere
    cost_per_impression: np.ndarray | None = None

    @property
    def n_weeks(self) -> np.ndarray:
        return self.time_mask.sum(axis=1).astype(int)

    @property
    def is_organic(self) -> np.ndarray:
        """(C,) True for organic channels."""
        return organic_mask(self.channel_kinds, len(self.channels))

    @property
    def driver(self) -> np.ndarray:
        """(S, T, C) weekly spend of paid channels, weekly volume (own unit) of organic ones."""
        return driver_values(self.spend, self.lagged, self.x_scale, self.is_organic)

    def take(self, indices: list[int]) -> ModelData:
        """The same padded shapes for a subset of segments (so a compiled fit is reused)."""
        per_segment = {
            "y",
            "y_scale",
            "spend",
            "x_scale",
            "lagged",
            "z",
            "z_mean",
            "z_sd",
            "time_mask",
            "channel_mask",
            "trend",
            "total_spend",
            "treatment",
            "treatment_ref",
            "treatment_scale",
            "treatment_mask",
            "cost_per_impression",
        }
        values = {
            f.name: (
                getattr(self, f.name)[indices]
                if f.name in per_segment and getattr(self, f.name) is not None
                else getattr(self, f.name)
            )
            for f in fields(self)
        }
        values["segments"] = tuple(self.segments[i] for i in indices)
        values["weeks"] = tuple(self.weeks[i] for i in indices)
        return replace(self, **values)

    def without_channels(self, segment: int, channels: list[int]) -> ModelData:
        """Mask channels out of one segment (e.g. no usable spend in the window)."""
        mask = self.channel_mask.copy()
        mask[segment, channels] = 0
        return replace(self, channel_mask=mask)


def build_model_data(
    long: pd.DataFrame, channel_lags: dict[str, int], default_lag: int, lead_in: pd.DataFrame | None = None
) -> ModelData:
    """Pivot the long input (segment_id, week_start, variable_kind in outcome/spend/control/organic,
    variable_name, value) into padded, scaled arrays; organic channels follow the paid ones on the
    channel axis (curvehouse.model.organic). lead_in: rows of the same form from before each
    segment's first week (a refresh's earlier weeks); only their spend is read, into the lag stack,
    so the window's first weeks carry the adstock of the spend before them. Treatment rows
    (curvehouse.model.treatments) fill the treatment arrays."""
    missing = set(INPUT_COLUMNS) - set(long.columns)
    if missing:
        raise ValueError(f"model input lacks columns {sorted(missing)}")
    long = long.assign(week_start=pd.to_datetime(long["week_start"]))
    segments = tuple(sorted(long["segment_id"].unique()))
    paid = tuple(sorted(long.loc[long["variable_kind"] == "spend", "variable_name"].unique()))
    organic = organic_channels(long, paid)
    channels = paid + organic
    controls = tuple(sorted(long.loc[long["variable_kind"] == "control", "variable_name"].unique()))
    weeks = segment_weeks(long["segment_id"], long["week_start"], segments)
    n_s, n_t, n_c, n_k = len(segments), max(len(w) for w in weeks), len(channels), len(controls)
    max_lag = max([default_lag, *(channel_lags.get(c) or default_lag for c in channels)])

    y = np.zeros((n_s, n_t))
    spend = np.zeros((n_s, n_t, n_c))
    volume = np.zeros((n_s, n_t, n_c))  # organic channels' weekly volume in their own unit
    z_raw = np.zeros((n_s, n_t, n_k))
    time_mask = np.zeros((n_s, n_t))
    time_mask[np.arange(n_t)[None, :] < np.array([len(w) for w in weeks])[:, None]] = 1
    seg, t = week_positions(long["segment_id"], long["week_start"], segments, weeks)
    kind = long["variable_kind"].to_numpy()
    name = long["variable_name"].to_numpy()
    value = long["value"].to_numpy(dtype=float)
    is_y = kind == "outcome"
    y[seg[is_y], t[is_y]] = value[is_y]
    for array, kind_name, names in (
        (spend, "spend", channels),
        (volume, ORGANIC, channels),
        (z_raw, "control", controls),
    ):
        sel = kind == kind_name
        col = pd.Index(names).get_indexer(name[sel])
        array[seg[sel], t[sel], col] = np.nan_to_num(value[sel])

    y_scale = np.array([y[i, time_mask[i] > 0].mean() for i in range(n_s)])
    y_scale = np.where(y_scale > 0, y_scale, 1.0)
    driver = spend + volume  # one of the two is 0 for every channel
    active = driver > 0
    active_weeks = active.sum(axis=1)
    x_scale = np.where(active_weeks > 0, driver.sum(axis=1) / np.maximum(active_weeks, 1), 1.0)
    channel_mask = (active_weeks > 0).astype(float)

    valid = time_mask[..., None] > 0
    count = np.maximum(valid.sum(axis=1), 1)
    z_mean = np.where(valid, z_raw, 0).sum(axis=1) / count
    z_var = np.where(valid, (z_raw - z_mean[:, None, :]) ** 2, 0).sum(axis=1) / count
    z_sd = np.sqrt(z_var)
    z_sd = np.where(z_sd > 1e-9, z_sd, 1.0)
    z = np.where(valid, (z_raw - z_mean[:, None, :]) / z_sd[:, None, :], 0.0)

    before = _spend_before(lead_in, segments, weeks, channels, max_lag - 1)
    lagged = lag_stack(np.concatenate([before, driver], axis=1) / x_scale[:, None, :], max_lag)[:, max_lag - 1 :]

    lag_mask = np.zeros((n_c, max_lag))
    for c, channel in enumerate(channels):
        lag_mask[c, : channel_lags.get(channel) or default_lag] = 1
    n_weeks = time_mask.sum(axis=1, keepdims=True)
    trend = np.where(time_mask > 0, np.arange(n_t)[None, :] / np.maximum(n_weeks - 1, 1), 0.0)

    treated = treatment_arrays(long, segments, weeks, n_t) if (long["variable_kind"] == "treatment").any() else None
    return ModelData(
        segments=segments,
        channels=channels,
        controls=controls,
        weeks=weeks,
        y=y / y_scale[:, None],
        y_scale=y_scale,
        spend=spend,
        x_scale=x_scale,
        lagged=lagged,
        z=z,
        z_mean=z_mean,
        z_sd=z_sd,
        time_mask=time_mask,
        channel_mask=channel_mask,
        lag_mask=lag_mask,
        trend=trend,
        total_spend=spend.sum(axis=1),
        channel_kinds=(PAID,) * len(paid) + (ORGANIC,) * len(organic) if organic else (),
        **({} if treated is None else _treatment_fields(treated)),
    )


def _treatment_fields(treated: TreatmentArrays) -> dict:
    return {
        "treatments": treated.names,
        "treatment": treated.standardised,
        "treatment_ref": treated.reference,
        "treatment_scale": treated.scale,
        "treatment_mask": treated.mask,
    }


def _spend_before(
    lead_in: pd.DataFrame | None,
    segments: tuple[str, ...],
    weeks: tuple[tuple[pd.Timestamp, ...], ...],
    channels: tuple[str, ...],
    n: int,
) -> np.ndarray:
    """(S, n, C) spend (organic channels: volume) of the n weeks before each segment's first week, the
    latest last (0 if absent)."""
    out = np.zeros((len(segments), n, len(channels)))
    if lead_in is None or n == 0:
        return out
    rows = lead_in[lead_in["variable_kind"].isin(("spend", ORGANIC)) & lead_in["variable_name"].isin(channels)]
    rows = rows.assign(week_start=pd.to_datetime(rows["week_start"]))
    seg = pd.Categorical(rows["segment_id"], categories=list(segments)).codes
    mine = seg >= 0
    first = pd.DatetimeIndex([w[0] for w in weeks])[seg[mine]]
    back = ((first - pd.DatetimeIndex(rows["week_start"].to_numpy()[mine])).days // 7).to_numpy()
    keep = (back >= 1) & (back <= n)
    col = pd.Index(channels).get_indexer(rows["variable_name"].to_numpy()[mine][keep])
    out[seg[mine][keep], n - back[keep], col] = np.nan_to_num(rows["value"].to_numpy(dtype=float)[mine][keep])
    return out
