"""The response surface: budget levels x allocation mixes, evaluated over the curve draws."""

import json

from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import surface_table, to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    spec = planning_spec(json.loads(dbt.config.get("planning")))
    return surface_table(to_pandas(dbt.ref("mmm_planning_channels")), to_pandas(dbt.ref("mmm_planning_curve_draws")), spec)
