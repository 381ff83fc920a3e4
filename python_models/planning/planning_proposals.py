"""Reallocation proposals (optional raw input) with their expected lift on the current curves."""

import json

from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import proposal_table, to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    spec = planning_spec(json.loads(dbt.config.get("planning")))
    proposals = to_pandas(dbt.ref("stg_raw__reallocation_proposals"))
    return proposal_table(proposals, to_pandas(dbt.ref("mmm_planning_channels")),
                          to_pandas(dbt.ref("mmm_planning_curve_draws")), spec)
