"""Whether a +-20% half-saturation shift of any channel flips the recommended scenario."""

import json

from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import sensitivity_table, to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    spec = planning_spec(json.loads(dbt.config.get("planning")))
    return sensitivity_table(to_pandas(dbt.ref("mmm_planning_channels")), to_pandas(dbt.ref("mmm_planning_curve_draws")), spec)
