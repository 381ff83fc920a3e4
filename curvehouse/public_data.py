"""Public data sets kept in the repository, as the long weekly model input and a channel registry.

Meridian's files go through curvehouse.bench.model_input_from_geo_media; Robyn's simulated weekly
data set is converted here (data/robyn/README.md says which columns become what).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from curvehouse.bench import LONG_COLUMNS, _fourier_rows, default_registry

__all__ = ["ROBYN_PATH", "model_input_from_robyn"]

ROBYN_PATH = Path(__file__).resolve().parents[1] / "data" / "robyn" / "dt_simulated_weekly.csv"
ROBYN_CONTROLS = ("competitor_sales_B", "newsletter")


def model_input_from_robyn(path: Path = ROBYN_PATH, fourier_order: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Robyn's dt_simulated_weekly as model input (one segment ``robyn``): revenue, the ``*_S`` spend
    columns as channels, competitor sales and newsletter as controls, one 0/1 control per event named
    in ``events`` (``event_<name>``: different events, different effects), and Fourier terms; a
    registry with the default priors."""
    raw = pd.read_csv(path, parse_dates=["DATE"])
    weeks = pd.DataFrame({"segment_id": "robyn", "week_start": raw["DATE"]})
    channels = sorted(c.removesuffix("_S") for c in raw.columns if c.endswith("_S"))

    def rows(kind: str, name: str, values: pd.Series) -> pd.DataFrame:
        return weeks.assign(variable_kind=kind, variable_name=name, value=values.to_numpy(dtype=float))

    parts = [rows("outcome", "outcome", raw["revenue"])]
    parts += [rows("spend", c, raw[f"{c}_S"]) for c in channels]
    parts += [rows("control", c, raw[c]) for c in ROBYN_CONTROLS]
    events = raw["events"].fillna("na")
    parts += [rows("control", f"event_{e}", (events == e).astype(float)) for e in sorted(set(events) - {"na"})]
    fourier = _fourier_rows(weeks, fourier_order)
    frame = pd.concat([*parts, fourier[LONG_COLUMNS]], ignore_index=True)
    registry = default_registry(channels, raw["DATE"].min())
    return frame.sort_values(LONG_COLUMNS[:4], kind="stable").reset_index(drop=True), registry
