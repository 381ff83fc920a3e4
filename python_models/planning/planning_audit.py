"""The saturation audit: position, net-zero move, its ROI, confidence, experiment."""

from curvehouse import warehouse
from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import audit_table
from curvehouse.settings import merged_setting


def model(dbt, session):
    spec = planning_spec(merged_setting(dbt.config.get("project_settings"), "planning", dbt.config.get("planning")))
    channels = warehouse.to_pandas(dbt.ref("mmm_planning_channels"))
    draws = warehouse.to_pandas(dbt.ref("mmm_planning_curve_draws"))
    return warehouse.for_warehouse(audit_table(channels, draws, spec), session)
