"""Fit the built-in MMM for every segment the gates cleared; append the new runs' artifacts.

Incremental: a segment whose input and methodology are unchanged keeps its run (no refit), so
re-running the build is idempotent. In refresh mode the priors come from the current runs.
DuckDB fits in-process; on Snowflake each segment is fitted in its own Snowpark partition
(curvehouse.snowflake), with the same curvehouse fit code.
"""

import json

from curvehouse import warehouse


def model(dbt, session):
    dbt.config(materialized="incremental")
    config = {**json.loads(dbt.config.get("methodology")), "window_weeks": int(dbt.config.get("window_weeks"))}
    history = warehouse.previous_rows(dbt, session)
    registry = warehouse.to_pandas(dbt.ref("stg_raw__channel_registry"))
    if warehouse.is_snowpark(session):
        from curvehouse.snowflake.fanout import UdtfSettings, fit_on_snowpark

        settings = UdtfSettings.from_vars(json.loads(dbt.config.get("snowflake_fit")),
                                          dbt.config.get("imports"))
        return fit_on_snowpark(dbt.ref("int_model_input_weekly"), registry, config, history, settings)

    from curvehouse.fit import fit_segments
    from curvehouse.progress import dbt_progress
    from curvehouse.published import current_parameters, existing_run_ids

    return fit_segments(
        warehouse.to_pandas(dbt.ref("int_model_input_weekly")),
        registry,
        config,
        existing_run_ids=existing_run_ids(history),
        previous=current_parameters(history),
        progress=dbt_progress(),  # per-segment lines in logs/dbt.log and on the terminal
    )
