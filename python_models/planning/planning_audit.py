"""The saturation audit: position, net-zero move, its ROI, confidence, experiment."""

import json

from curvehouse import warehouse
from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import audit_table


def model(dbt, session):
    dbt.config(materialized="table")
    spec = planning_spec(json.loads(dbt.config.get("planning")))
    channels = warehouse.to_pandas(dbt.ref("mmm_planning_channels"))
    draws = warehouse.to_pandas(dbt.ref("mmm_planning_curve_draws"))
    return warehouse.for_warehouse(audit_table(channels, draws, spec), session)
