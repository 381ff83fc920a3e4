"""Reallocation proposals (optional raw input) with their expected lift on the current curves."""

import json

from curvehouse import warehouse
from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import proposal_table


def model(dbt, session):
    dbt.config(materialized="table")
    spec = planning_spec(json.loads(dbt.config.get("planning")))
    proposals = warehouse.to_pandas(dbt.ref("stg_raw__reallocation_proposals"))
    frame = proposal_table(proposals, warehouse.to_pandas(dbt.ref("mmm_planning_channels")),
                           warehouse.to_pandas(dbt.ref("mmm_planning_curve_draws")), spec)
    return warehouse.for_warehouse(frame, session)
