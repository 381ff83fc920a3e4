"""Reallocation proposals (optional raw input) with their expected lift on the current curves."""

from curvehouse import warehouse
from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import proposal_table
from curvehouse.settings import merged_setting


def model(dbt, session):
    spec = planning_spec(merged_setting(dbt.config.get("project_settings"), "planning", dbt.config.get("planning")))
    proposals = warehouse.to_pandas(dbt.ref("stg_raw__reallocation_proposals"))
    frame = proposal_table(
        proposals,
        warehouse.to_pandas(dbt.ref("mmm_planning_channels")),
        warehouse.to_pandas(dbt.ref("mmm_planning_curve_draws")),
        spec,
    )
    return warehouse.for_warehouse(frame, session)
