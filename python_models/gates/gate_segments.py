"""Run the Great Expectations gates per segment on the weekly spine.

One row per segment x expectation with observed values and the offending rows' keys.
Enforcement happens in gate_policy. DuckDB: GX's pandas data source, data docs built into var
gx_data_docs_dir. Snowflake: GX's SQL data source, the expectations running as SQL in the
warehouse, and the messages' per-segment aggregates computed there too (no frame is read whole);
the data docs are built in the procedure's temporary folder and put on the stage var
gx_data_docs_stage names (created if missing).
"""

import tempfile
from pathlib import Path

from curvehouse import warehouse
from curvehouse.gates.runner import aggregate_columns, load_suites, run_gates


def model(dbt, session):
    relations = {
        "platform_gaps": dbt.ref("int_platform_gaps"),
        "segment_history": dbt.ref("int_segment_histories"),
        "outcome_weeks": dbt.ref("int_outcome_weeks"),
        "spend_weeks": dbt.ref("int_channel_weeks_spined"),
        "driver_weeks": dbt.ref("int_driver_weeks_checked"),
    }
    params = {
        "platform_gap_tolerance": float(dbt.config.get("platform_gap_tolerance")),
        "min_history_weeks": float(dbt.config.get("min_history_weeks")),
    }
    suites_dir = Path(dbt.config.get("expectations_dir"))
    if warehouse.is_snowpark(session):
        from curvehouse.snowflake.gates import publish_data_docs, snowflake_sql_source, warehouse_aggregates

        tables = {name: relation.table_name for name, relation in relations.items()}
        source = snowflake_sql_source(session, tables, filters={"spend_weeks": "is_in_window"})
        aggregates = warehouse_aggregates(session, source, aggregate_columns(load_suites(suites_dir)))
        docs = Path(tempfile.mkdtemp(prefix="curvehouse_gx_docs_"))
        results = run_gates(None, params, suites_dir, data_docs_dir=docs, sql_source=source, aggregates=aggregates)
        publish_data_docs(session, docs, dbt.config.get("gx_data_docs_stage"))
        return warehouse.for_warehouse(results, session)
    frames = {name: warehouse.to_pandas(relation) for name, relation in relations.items()}
    frames["spend_weeks"] = frames["spend_weeks"][frames["spend_weeks"]["is_in_window"]]
    return run_gates(frames, params, suites_dir, data_docs_dir=Path(dbt.config.get("gx_data_docs_dir")))
