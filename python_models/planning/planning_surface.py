"""The response surface: budget levels x allocation mixes, evaluated over the curve draws."""

from curvehouse import warehouse
from curvehouse.planning.config import planning_spec
from curvehouse.planning.surface import response_surface
from curvehouse.planning.tables import per_segment
from curvehouse.progress import dbt_progress
from curvehouse.settings import merged_setting


def model(dbt, session):
    spec = planning_spec(merged_setting(dbt.config.get("project_settings"), "planning", dbt.config.get("planning")))
    progress = dbt_progress()  # one line per segment in logs/dbt.log and on the terminal

    def surface(curves):
        frame = response_surface(curves, spec)
        progress(
            f"curvehouse: response surface of segment {curves.segment_id!r}: {len(frame):,} rows "
            f"({len(curves.channels)} channels x {frame['scenario_id'].nunique() if len(frame) else 0} scenarios)"
        )
        return frame

    frame = per_segment(
        "mmm_response_surface",
        warehouse.to_pandas(dbt.ref("mmm_planning_channels")),
        warehouse.to_pandas(dbt.ref("mmm_planning_curve_draws")),
        surface,
    )
    return warehouse.for_warehouse(frame, session)
