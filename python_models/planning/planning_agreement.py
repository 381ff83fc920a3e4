"""MMM vs attribution per segment x month x channel, both numbers side by side."""

from curvehouse import warehouse
from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import agreement_table
from curvehouse.settings import merged_setting


def model(dbt, session):
    spec = planning_spec(merged_setting(dbt.config.get("project_settings"), "planning", dbt.config.get("planning")))
    frame = agreement_table(
        warehouse.to_pandas(dbt.ref("mmm_planning_channels")),
        warehouse.to_pandas(dbt.ref("mmm_planning_curve_draws")),
        warehouse.to_pandas(dbt.ref("mmm_decomposition_weekly")),
        warehouse.to_pandas(dbt.ref("int_channel_weeks_spined")),
        warehouse.to_pandas(dbt.ref("stg_raw__attribution")),
        spec,
    )
    return warehouse.for_warehouse(frame, session)
