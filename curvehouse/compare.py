"""Compare two fits of the same data: PSIS-LOO of each, and how every channel's ROI, half point and
contribution moved, for choosing between methodologies (noise family, pooling, baseline)."""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd

from curvehouse.api import Fit

__all__ = ["COMPARED", "channel_changes", "loo_table"]

COMPARED = ("roi", "half_point", "contribution")  # channel summary metrics set side by side
_STATS = ("mean", "p05", "p95")


def loo_table(fits: dict[str, Fit]) -> pd.DataFrame:
    """az.compare of the fits' PSIS-LOO (best first: elpd_loo, p_loo, elpd_diff, weight, se, dse,
    warning); the fits must have the same observations (segments and weeks), or the comparison means nothing."""
    idata = {name: fit.to_inference_data() for name, fit in fits.items()}
    observed = [_observations(d) for d in idata.values()]
    if any(not o.equals(observed[0]) for o in observed[1:]):
        raise ValueError(
            f"the fits ({', '.join(idata)}) were not fitted on the same segments and weeks: their LOO does not compare"
        )
    return az.compare(idata, ic="loo")


def channel_changes(before: Fit, after: Fit) -> pd.DataFrame:
    """Per segment x channel x metric (COMPARED): each fit's mean and 90% interval, the change of the
    mean and whether the intervals overlap; channels in only one fit have the other's columns empty."""
    sides = []
    for name, fit in (("before", before), ("after", after)):
        summary = fit.table("summary")
        rows = summary[summary["parameter"].isin(COMPARED)]
        sides.append(rows.set_index(["segment_id", "channel", "parameter"])[list(_STATS)].add_prefix(f"{name}_"))
    table = sides[0].join(sides[1], how="outer")
    table["change"] = table["after_mean"] - table["before_mean"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["change_pct"] = table["change"] / table["before_mean"].abs()
    table["intervals_overlap"] = (table["after_p05"] <= table["before_p95"]) & (
        table["before_p05"] <= table["after_p95"]
    )
    return table.reset_index().rename(columns={"parameter": "metric"})


def _observations(idata: az.InferenceData) -> pd.DataFrame:
    data = idata.observed_data
    return pd.DataFrame({"segment": data["segment"].values, "week_start": data["week_start"].values})
