"""Fit the built-in MMM for every segment the gates cleared; append the new runs' artifacts.

Incremental and append-only, never rebuilt: `full_refresh: false` (_fit__models.yml, beside the
materialization) keeps every stored run through `dbt build --full-refresh`; `curvehouse reset` is
the deliberate way to drop it.
A segment whose input and methodology are unchanged keeps its run (no refit), so re-running the
build is idempotent. Only the stored runs' ids and statuses and the current runs' parameter
summaries are read back (curvehouse.published), never the draws and curves. In refresh mode the
priors come from the current runs. DuckDB fits in-process; on Snowflake each segment is fitted in
its own Snowpark partition (curvehouse.snowflake), with the same curvehouse fit code.
Each published run's full posterior is saved (var posterior_store), on DuckDB beside the database
(curvehouse.posterior.store), on Snowflake on the stage var posterior_stage names
(curvehouse.snowflake.posteriors); the run's posterior_path row names its file.
"""

import json

from curvehouse import warehouse
from curvehouse.published import History, read_history
from curvehouse.settings import merged_setting


def model(dbt, session):
    methodology = merged_setting(dbt.config.get("project_settings"), "mmm", dbt.config.get("methodology"))
    config = {**methodology, "window_weeks": int(dbt.config.get("window_weeks"))}
    history = read_history(session, str(dbt.this)) if dbt.is_incremental else History.empty()
    registry = warehouse.to_pandas(dbt.ref("stg_raw__channel_registry"))
    experiments = warehouse.to_pandas(dbt.ref("stg_raw__experiments"))  # lift tests: data in their segment's fit
    keep = str(dbt.config.get("posterior_store")).lower() == "true"  # every draw of each published run
    if warehouse.is_snowpark(session):
        from curvehouse.snowflake.fanout import UdtfSettings, fit_on_snowpark
        from curvehouse.snowflake.posteriors import ensure_stage, stage_posteriors

        settings = UdtfSettings.from_vars(json.loads(dbt.config.get("snowflake_fit")), dbt.config.get("imports"))
        model_input = dbt.ref("int_model_input_weekly")
        result = fit_on_snowpark(model_input, registry, config, history, settings, experiments, keep)
        if not keep:
            return result
        stage = dbt.config.get("posterior_stage")
        ensure_stage(session, stage)
        return stage_posteriors(session, result, stage)

    from curvehouse.fitting.segments import fit_segments
    from curvehouse.model.spec import spec_from_config
    from curvehouse.posterior.store import store_for_database
    from curvehouse.progress import dbt_progress

    database = warehouse.database_file(session)
    store = store_for_database(database) if keep and database is not None else None
    artifacts = fit_segments(
        warehouse.to_pandas(dbt.ref("int_model_input_weekly")),
        registry,
        config,
        existing_run_ids=history.run_ids,
        previous=history.current_parameters,
        progress=dbt_progress(),  # per-segment lines in logs/dbt.log and on the terminal
        experiments=experiments,
        keep_posterior=store.writer(spec_from_config(config)) if store else None,
    )
    return store.published(artifacts) if store else artifacts
