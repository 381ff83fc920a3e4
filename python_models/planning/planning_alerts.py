"""Every alert rule over the published tables, routed (var planning.alert_routes) and dated."""

import json
from datetime import date

from curvehouse import warehouse
from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import alerts_table


def model(dbt, session):
    dbt.config(materialized="table")
    spec = planning_spec(json.loads(dbt.config.get("planning")))
    tables = {
        "gate_results": warehouse.to_pandas(dbt.ref("mmm_gate_results")),
        "runs": warehouse.to_pandas(dbt.ref("mmm_model_runs")),
        "parameters": warehouse.to_pandas(dbt.ref("mmm_channel_parameters")),
        "staleness": warehouse.to_pandas(dbt.ref("int_byomm_staleness_alerts")),
        "deferrals": warehouse.to_pandas(dbt.ref("mmm_channel_deferrals")),
        "agreement": warehouse.to_pandas(dbt.ref("mmm_attribution_agreement")),
        "proposals": warehouse.to_pandas(dbt.ref("mmm_reallocation_proposals")),
    }
    as_of = dbt.config.get("as_of_date")
    as_of = date.fromisoformat(as_of) if as_of and as_of != "None" else date.today()
    frame = alerts_table(tables, spec, float(dbt.config.get("stale_after_days")), as_of)
    return warehouse.for_warehouse(frame, session)
