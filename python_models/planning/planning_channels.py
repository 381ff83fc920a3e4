"""Planning inputs per current segment x channel: bounds, time to materialise, ROI floor, calibration."""

from curvehouse import warehouse
from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import channels_table
from curvehouse.settings import merged_setting


def model(dbt, session):
    spec = planning_spec(merged_setting(dbt.config.get("project_settings"), "planning", dbt.config.get("planning")))
    channels = warehouse.to_pandas(dbt.ref("int_planning_channels_joined"))
    draws = warehouse.to_pandas(dbt.ref("int_planning_draws_pivoted"))
    frame = channels_table(channels, draws, spec)
    return warehouse.for_warehouse(frame, session)
