"""Fit the built-in MMM for every segment the gates cleared; append the new runs' artifacts.

Incremental: a segment whose input and methodology are unchanged keeps its run (no refit), so
re-running the build is idempotent. In refresh mode the priors come from the current runs.
"""

import json

from curvehouse.fit import fit_segments
from curvehouse.progress import dbt_progress
from curvehouse.published import current_parameters, existing_run_ids


def model(dbt, session):
    dbt.config(materialized="incremental")
    config = {**json.loads(dbt.config.get("methodology")), "window_weeks": int(dbt.config.get("window_weeks"))}
    history = session.sql(f"select * from {dbt.this}").df() if dbt.is_incremental else None
    return fit_segments(
        dbt.ref("int_model_input_weekly").df(),
        dbt.ref("stg_raw__channel_registry").df(),
        config,
        existing_run_ids=existing_run_ids(history),
        previous=current_parameters(history),
        progress=dbt_progress(),  # per-segment lines in logs/dbt.log and on the terminal
    )
