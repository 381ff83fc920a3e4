"""Scenarios A / B / C against the current allocation, at the current total."""

import json

from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import scenario_table, to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    spec = planning_spec(json.loads(dbt.config.get("planning")))
    return scenario_table(to_pandas(dbt.ref("mmm_planning_channels")), to_pandas(dbt.ref("mmm_planning_curve_draws")), spec)
