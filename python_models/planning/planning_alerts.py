"""Every alert rule over the published tables, routed (var planning.alert_routes) and dated."""

from curvehouse import warehouse
from curvehouse.inputs.validate import resolve_as_of
from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import alerts_table
from curvehouse.settings import merged_setting


def model(dbt, session):
    spec = planning_spec(merged_setting(dbt.config.get("project_settings"), "planning", dbt.config.get("planning")))
    tables = {
        "gate_results": warehouse.to_pandas(dbt.ref("mmm_gate_results")),
        "runs": warehouse.to_pandas(dbt.ref("mmm_model_runs")),
        "parameters": warehouse.to_pandas(dbt.ref("mmm_channel_parameters")),
        "staleness": warehouse.to_pandas(dbt.ref("int_byomm_staleness_alerts")),
        "deferrals": warehouse.to_pandas(dbt.ref("mmm_channel_deferrals")),
        "agreement": warehouse.to_pandas(dbt.ref("mmm_attribution_agreement")),
        "proposals": warehouse.to_pandas(dbt.ref("mmm_reallocation_proposals")),
        "experiments": warehouse.to_pandas(dbt.ref("mmm_experiments")),
        "review": warehouse.to_pandas(dbt.ref("mmm_model_review")),
    }
    as_of = resolve_as_of(dbt.config.get("as_of_date"))
    frame = alerts_table(tables, spec, float(dbt.config.get("stale_after_days")), as_of)
    return warehouse.for_warehouse(frame, session)
