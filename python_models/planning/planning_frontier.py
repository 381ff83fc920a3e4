"""The efficient frontier: best allocation and alternatives within the tolerance per budget level."""

from curvehouse import warehouse
from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import frontier_table
from curvehouse.settings import merged_setting


def model(dbt, session):
    spec = planning_spec(merged_setting(dbt.config.get("project_settings"), "planning", dbt.config.get("planning")))
    channels = warehouse.to_pandas(dbt.ref("mmm_planning_channels"))
    draws = warehouse.to_pandas(dbt.ref("mmm_planning_curve_draws"))
    return warehouse.for_warehouse(frontier_table(channels, draws, spec), session)
