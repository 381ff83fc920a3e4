"""The raw input checks' Snowflake SQL (``check_source_tables``, dialect "snowflake") executed in the
emulator: the demo tables in schema RAW pass; planted bad tables, loaded as text columns as a
warehouse holds a loaded file, give exactly the lines of the pandas checker on the same CSV files
(``check_raw_tables`` reading them in ``pushdown.row_order``, as tests/unit/test_input_pushdown.py).
And the gates' aggregate SQL (``aggregate_sql``) over the built gate frames equals the pandas
aggregates of the same frames.

``EmulatedSession`` stands in for Snowpark's ``Session``: Snowpark 1.56 cannot open a session over
fakesnow's connection (it reads connector internals fakesnow lacks: ``_session_parameters``,
``_telemetry``). It offers exactly what ``check_source_tables`` uses of a session, ``sql(query)``
returning a frame with Snowpark's ``columns`` (names that need quoting quoted) and ``to_pandas()``
(the connector's ``fetch_pandas_all``, as Snowpark reads results); ``warehouse.is_snowpark`` is true
for it, so the checks take their Snowflake path.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import snowflake.connector

from curvehouse.gates.aggregates import aggregate_sql, frame_aggregates, read_aggregates
from curvehouse.inputs.errors import InputError
from curvehouse.inputs.tables import check_source_tables
from tests.emulator.conftest import DATABASE, PROJECT_DIR, SCHEMA, Emulator, _load
from tests.unit.test_input_pushdown import AS_OF, BAD, CROSS, DRIVEN, PUSHED, load, pandas_lines
from tests.unit.test_input_validation import CLEAN

# A name Snowflake stores as written when unquoted; Snowpark's ``columns`` quotes any other.
UNQUOTED = re.compile(r"[A-Z_][A-Z0-9_$]*")
# The gate frames as python_models/gates/gate_segments.py selects them on Snowflake, with the columns
# whose min and max the messages need (runner.aggregate_columns, which needs GX, not installed here;
# tests/unit/test_gate_aggregates.py asserts these are its columns).
BUILT = f"{DATABASE}.{SCHEMA}"
GATE_FRAMES = {
    f"select * from {BUILT}.int_platform_gaps": ("gap_ratio",),
    f"select * from {BUILT}.int_segment_histories": ("n_weeks_history",),
    f"select * from {BUILT}.int_outcome_weeks": (),
    f"select * from {BUILT}.int_channel_weeks_spined where is_in_window": (),
    f"select * from {BUILT}.int_driver_weeks_checked": (),
}


class EmulatedFrame:
    """A query's result as Snowpark's DataFrame offers it: its column names and ``to_pandas()``."""

    snowpark_stand_in = True

    def __init__(self, connection: snowflake.connector.SnowflakeConnection, query: str) -> None:
        self.connection, self.query = connection, query

    @property
    def columns(self) -> list[str]:
        """The result's column names, quoted where Snowflake would need quotes."""
        cursor = self.connection.cursor().execute(self.query)
        names = [d[0] for d in cursor.description]
        return [n if UNQUOTED.fullmatch(n) else '"' + n.replace('"', '""') + '"' for n in names]

    def to_pandas(self) -> pd.DataFrame:
        """The result as pandas, names as the warehouse returns them (upper case when unquoted)."""
        return self.connection.cursor().execute(self.query).fetch_pandas_all()


class EmulatedSession:
    """A stand-in for Snowpark's Session over the fakesnow connection (module docstring)."""

    snowpark_stand_in = True

    def __init__(self, connection: snowflake.connector.SnowflakeConnection) -> None:
        self.connection = connection
        self.queries: list[str] = []

    def sql(self, query: str) -> EmulatedFrame:
        """The query as a frame, run when read; recorded in ``queries``."""
        self.queries.append(query)
        return EmulatedFrame(self.connection, query)


def load_schema(emulator: Emulator, schema: str, tables: dict[str, str], folder: Path) -> dict[str, str]:
    """Each CSV in the emulator as a table of text columns in ``schema``; table -> its relation name."""
    emulator.sql(f"create schema if not exists {DATABASE}.{schema}")
    for name, text in tables.items():
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        reader = f"read_csv('{path}', header = true, all_varchar = true)"
        _load(emulator.connection._duck_conn, f'{DATABASE}.{schema}."{name.upper()}"', reader, upper=True)
    return {name: f"{DATABASE}.{schema}.{name.upper()}" for name in tables}


def emulator_lines(emulator: Emulator, relations: dict[str, str]) -> list[str]:
    """Every line of ``check_source_tables`` in the emulator, tables named as in ``pandas_lines``;
    asserts that the Snowflake dialect ran."""
    session = EmulatedSession(emulator.connection)
    with pytest.raises(InputError) as info:
        check_source_tables(session, relations, {t: t for t in relations}, as_of=AS_OF)
    assert any("regexp_like(" in query for query in session.queries)
    return [str(v) for v in info.value.violations]


def file_lines(tables: dict[str, str], folder: Path) -> list[str]:
    """Every line of the pandas checker on the same CSV files (written into ``folder``)."""
    con = duckdb.connect()
    load(con, folder, tables)
    return pandas_lines(con, tables)


def test_the_demo_tables_pass(emulator: Emulator):
    names = sorted(p.stem for p in (PROJECT_DIR / "data" / "demo").glob("*.csv"))
    relations = {name: f"{DATABASE}.RAW.{name.upper()}" for name in names}

    summary = check_source_tables(EmulatedSession(emulator.connection), relations, relations, as_of=dt.date(2100, 1, 1))
    assert sorted(summary["table_name"]) == names and (summary["status"] == "passed").all()


def test_every_pushed_rule_reads_as_the_pandas_checker(emulator: Emulator, tmp_path: Path):
    tables = {**CLEAN, **BAD}
    expected = file_lines(tables, tmp_path)

    lines = emulator_lines(emulator, load_schema(emulator, "BAD_CELLS", tables, tmp_path))
    assert {line.split("rule ")[1].split(" ")[0] for line in lines} >= set(PUSHED)
    assert lines == expected


@pytest.mark.parametrize("rule", CROSS)
def test_each_rule_across_tables_reads_as_the_pandas_checker(emulator: Emulator, tmp_path: Path, rule: str):
    tables = {**DRIVEN, **CROSS[rule]}
    expected = file_lines(tables, tmp_path)
    assert any(f"rule {rule} —" in line for line in expected)

    assert emulator_lines(emulator, load_schema(emulator, f"BAD_{rule.upper()}", tables, tmp_path)) == expected


def test_the_gate_aggregates_equal_the_pandas_ones(emulator: Emulator):
    session = EmulatedSession(emulator.connection)
    for query, columns in GATE_FRAMES.items():
        rows = emulator.sql(aggregate_sql(query, columns))
        frame = session.sql(query).to_pandas()
        by_sql = read_aggregates(rows, columns, list(frame.columns))
        by_pandas = frame_aggregates(frame.rename(columns=str.lower), columns)

        assert len(rows) == len(by_pandas.segments) and by_sql.has_null_segment is False
        assert by_pandas.segments or not columns, f"{query}: no segments to compare min and max on"
        assert (by_sql.columns, by_sql.segments) == (by_pandas.columns, by_pandas.segments), query
