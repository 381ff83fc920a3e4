"""MMM vs attribution per segment x month x channel, both numbers side by side."""

import json

from curvehouse.planning.config import planning_spec
from curvehouse.planning.tables import agreement_table, to_pandas


def model(dbt, session):
    dbt.config(materialized="table")
    spec = planning_spec(json.loads(dbt.config.get("planning")))
    return agreement_table(
        to_pandas(dbt.ref("mmm_planning_channels")),
        to_pandas(dbt.ref("mmm_planning_curve_draws")),
        to_pandas(dbt.ref("mmm_decomposition_weekly")),
        to_pandas(dbt.ref("int_channel_weeks_spined")),
        to_pandas(dbt.ref("stg_raw__attribution")),
        spec,
    )
