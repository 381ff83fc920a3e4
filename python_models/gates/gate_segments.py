"""Run the Great Expectations gates per segment on the weekly spine.

One row per segment x expectation with observed values and the offending rows' keys;
GX data docs are built into var gx_data_docs_dir. Enforcement happens in gate_policy.
"""

from pathlib import Path

from curvehouse.gates.runner import run_gates


def model(dbt, session):
    dbt.config(materialized="table")
    spend_weeks = dbt.ref("int_channel_weeks_spined").df()
    frames = {
        "platform_gaps": dbt.ref("int_platform_gaps").df(),
        "segment_history": dbt.ref("int_segment_histories").df(),
        "outcome_weeks": dbt.ref("int_outcome_weeks").df(),
        "spend_weeks": spend_weeks[spend_weeks["is_in_window"]],
    }
    params = {
        "platform_gap_tolerance": float(dbt.config.get("platform_gap_tolerance")),
        "min_history_weeks": float(dbt.config.get("min_history_weeks")),
    }
    return run_gates(
        frames,
        params,
        suites_dir=Path(dbt.config.get("expectations_dir")),
        data_docs_dir=Path(dbt.config.get("gx_data_docs_dir")),
    )
