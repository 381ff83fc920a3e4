"""The Snowpark glue, in Snowpark's local testing mode (no account: an in-process emulator).

Covered here, for real, on Snowpark DataFrames: table reads into pandas (curvehouse.warehouse),
save_as_table of what a Python model returns (upper-case columns read back unquoted), an incremental
model reading its own rows, and the raw-table checks on source tables.

What local testing cannot cover, so only tests/e2e/test_snowflake_live.py (credentials-gated) does:
the UDTF really running in Snowflake partitions (parallel, on warehouse nodes, with the packages
and stage imports of var snowflake_fit / snowflake_imports, the artifact repository and the x86
resource constraint - the emulator ignores all of them and runs the function in this process);
the fit's group_by(...).apply_in_pandas at all - the emulator JSON-serialises UDTF rows and fails
on DATE values and on the null timestamps (NaT) every non-decomposition artifact row carries, which
Snowflake does not; so the per-segment function is tested as pure pandas in
tests/unit/test_snowflake_partition.py instead; dbt's stored procedure wrapper; and GX's SQL data source,
which needs snowflake-sqlalchemy on a live connection.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from curvehouse import warehouse
from curvehouse.inputs.errors import InputError
from curvehouse.inputs.tables import check_raw_tables
from tests.e2e.conftest import DEMO_DATA

snowpark = pytest.importorskip("snowflake.snowpark", reason="the snowflake extra is not installed")
col = snowpark.functions.col


@pytest.fixture(scope="module")
def session():
    s = snowpark.Session.builder.config("local_testing", True).create()
    yield s
    s.close()


def test_the_session_type_selects_the_code_path(session):
    assert warehouse.is_snowpark(session)
    assert not warehouse.is_snowpark(duckdb.connect())

    class StandIn:
        snowpark_stand_in = True

    class Other:
        snowpark_stand_in = "yes"

    assert warehouse.is_snowpark(StandIn()) and not warehouse.is_snowpark(Other())


def test_table_reads_give_lower_case_columns_and_datetime_dates(session):
    frame = pd.DataFrame(
        {"SEGMENT_ID": ["na", "emea"], "WEEK_START": [dt.date(2025, 1, 6), dt.date(2025, 1, 13)], "SPEND": [10.0, 20.5]}
    )
    session.create_dataframe(frame).write.save_as_table("CHANNEL_WEEKS", mode="overwrite")
    read = warehouse.to_pandas(session.table("CHANNEL_WEEKS"))
    assert list(read.columns) == ["segment_id", "week_start", "spend"]
    assert read["week_start"].dtype == "datetime64[ns]"
    assert read.sort_values("spend")["week_start"].tolist() == [pd.Timestamp("2025-01-06"), pd.Timestamp("2025-01-13")]


def test_model_results_are_saved_with_upper_case_names_and_read_back(session):
    result = pd.DataFrame(
        {"run_id": ["r1"], "value": [1.5], "validated_at": [pd.Timestamp("2025-01-06 12:00", tz="Europe/Berlin")]}
    )
    stored = warehouse.for_warehouse(result, session)
    assert list(stored.columns) == ["RUN_ID", "VALUE", "VALIDATED_AT"]
    assert stored["VALIDATED_AT"].iloc[0] == pd.Timestamp("2025-01-06 11:00")
    session.create_dataframe(stored).write.mode("overwrite").save_as_table("MODEL_RESULT")
    table = session.table("MODEL_RESULT")
    back = table.select(col("run_id"), col("value")).filter(col("value") > 1).to_pandas()  # unquoted names
    assert back.to_dict("records") == [{"RUN_ID": "r1", "VALUE": 1.5}]
    assert warehouse.for_warehouse(result, duckdb.connect()) is result


def _land_demo(session, tables: dict[str, pd.DataFrame]) -> dict:
    for name, frame in tables.items():
        session.create_dataframe(frame).write.save_as_table(f"RAW_{name.upper()}", mode="overwrite")
    return {name: (lambda name=name: warehouse.to_pandas(session.table(f"RAW_{name.upper()}"))) for name in tables}


def _demo_tables() -> dict[str, pd.DataFrame]:
    names = ["channel_registry", "channel_spend", "platform_spend", "outcomes", "controls"]
    return {
        n: pd.read_csv(
            DEMO_DATA / f"{n}.csv",
            parse_dates=[
                c for c in ("date", "live_since") if c in pd.read_csv(DEMO_DATA / f"{n}.csv", nrows=0).columns
            ],
        ).rename(columns=str.upper)
        for n in names
    }


def test_raw_source_tables_pass_the_input_contract(session):
    tables = _demo_tables()
    tables["channel_spend"] = tables["channel_spend"].head(3000)
    tables["platform_spend"] = tables["platform_spend"].head(3000)
    readers = _land_demo(session, tables)
    readers["attribution"] = lambda: session.table("RAW_ATTRIBUTION_MISSING").to_pandas()  # optional, absent
    summary = check_raw_tables(readers, {n: f"RAW.{n.upper()}" for n in readers})
    assert set(summary["table_name"]) == set(tables) and (summary["status"] == "passed").all()


def test_a_bad_source_row_names_the_table_row_column_and_rule(session):
    tables = _demo_tables()
    spend = tables["channel_spend"].head(3000).copy()
    spend.loc[7, "SPEND"] = -5.0
    tables["channel_spend"] = spend
    readers = _land_demo(session, tables)
    with pytest.raises(InputError) as caught:
        check_raw_tables(readers, {n: f"RAW.{n.upper()}" for n in readers})
    lines = [str(v) for v in caught.value.violations if v.column == "spend"]
    assert any(line.startswith("RAW.CHANNEL_SPEND row 8, column spend") and "-5" in line for line in lines), lines
