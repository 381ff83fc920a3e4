"""The raw input rules as generated SQL, run for real on DuckDB tables loaded from the bad-input
fixtures: the failing rows it returns, worded, equal the pandas checker's violations rule by rule;
a clean table returns no rows; and no rule returns more than its cap."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from curvehouse.inputs.errors import PER_RULE, InputError, Violation
from curvehouse.inputs.pushdown import cell_findings_sql, duplicate_keys_sql, row_order, table_violations
from curvehouse.inputs.schema import raw_tables
from curvehouse.inputs.tables import check_raw_tables, check_source_tables
from tests.e2e.conftest import DEMO_DATA
from tests.unit.test_input_validation import CLEAN, CONTROLS, OUTCOMES, PLATFORM, REGISTRY, SPEND

AS_OF = dt.date(2024, 3, 31)
PUSHED = (
    "not_null",
    "date_format",
    "number_type",
    "integer_type",
    "boolean_type",
    "non_negative",
    "safe_name",
    "not_after_as_of",
    "unique_key",
)
# Every pushed-down rule broken at least once, in the ways tests/unit/test_input_validation.py and
# tests/e2e/test_bad_input_build.py break them.
BAD = {
    "channel_registry": REGISTRY
    + "radio,Radio,brand,2023-01-02,maybe,1.5,0.2,2.5\n"
    + "search,Search again,performance,2023-01-02,yes,,,\n"
    + "ooh,Outdoor,brand,2023-13-01,true,NaN,,x\n",
    "channel_spend": SPEND
    + "2024-01-15,us,search,abc,\n"
    + '2024-01-15,us,tv,"1,000",\n'
    + "2024-01-22,us,search,-50.0,-3\n"
    + "2024-01-01,us,search,90,\n"
    + "2024-01-29,us,tv'); drop table mmm_gate_results; --,10,\n"
    + f"2024-02-05,{'x' * 65},search,10,\n"
    + '2024-02-12,"us\x07",search,10,\n'
    + "2024-02-19, us ,search,1e999,\n"
    + "2024-05-06,us,search,10,\n",
    "platform_spend": PLATFORM + "13/45/2024,us,search,1\n2024-02-30,us,tv,1\n2024-01-22T09:30:00,us,tv,1\n",
    "outcomes": OUTCOMES + "2024-01-15,us,\n2024-01-22,us,NaN\n,us,1\n2024-01-08T00:00:00,us,1\n",
    "controls": CONTROLS + '2024-01-15,"pro""mo",promo,1,\n2024-01-22,NA,promo,NA,\n',
    "attribution": "month,segment_id,channel,attributed_revenue\n2024-03-01,us,search,1\n2024-04-01,us,tv,1\n",
}


def load(con: duckdb.DuckDBPyConnection, folder: Path, tables: dict[str, str]) -> None:
    """Each CSV as a table of text columns, as a warehouse holds a loaded file."""
    for name, text in tables.items():
        path = folder / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        con.execute(f"create table {name} as select * from read_csv('{path}', all_varchar = true, header = true)")


def columns_of(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, str]:
    present = {c.lower(): c for c in (d[0] for d in con.execute(f"select * from {name} limit 0").description)}
    return {c: present[c] for c in raw_tables()[name].column_names if c in present}


def pushed_violations(con: duckdb.DuckDBPyConnection, name: str) -> list[Violation]:
    table, columns = raw_tables()[name], columns_of(con, name)
    findings = con.execute(cell_findings_sql(table, columns, name, AS_OF, dialect="duckdb")).fetchall()
    keys = duplicate_keys_sql(table, columns, name, AS_OF, dialect="duckdb")
    duplicates = con.execute(keys).fetchall() if keys else []
    return table_violations(table, name, AS_OF, findings, duplicates)


def pandas_violations(con: duckdb.DuckDBPyConnection, names: list[str]) -> list[Violation]:
    """The pandas checker on the same tables, read in the order the SQL numbers rows, pushed rules only."""

    def reader(name: str):
        order = row_order(raw_tables()[name], columns_of(con, name))
        return lambda: con.execute(f"select * from {name} order by {order}").df()

    with pytest.raises(InputError) as info:
        check_raw_tables({name: reader(name) for name in names}, {name: name for name in names}, as_of=AS_OF)
    return [v for v in info.value.violations if v.rule in PUSHED]


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> tuple[list[Violation], list[Violation]]:
    """The bad tables' violations of the pushed-down rules: (pandas checker, generated SQL)."""
    con = duckdb.connect()
    tables = {**CLEAN, **BAD}
    load(con, tmp_path_factory.mktemp("bad"), tables)
    return pandas_violations(con, list(tables)), [v for name in tables for v in pushed_violations(con, name)]


def test_every_pushed_rule_is_broken_by_the_fixtures(checked):
    _, pushed = checked
    assert {v.rule for v in pushed} == set(PUSHED)


@pytest.mark.parametrize("rule", PUSHED)
def test_the_sql_findings_read_as_the_pandas_violations(checked, rule: str):
    on_pandas, pushed = checked
    expected = [str(v) for v in on_pandas if v.rule == rule]
    assert expected and [str(v) for v in pushed if v.rule == rule] == expected


def test_the_lines_name_table_row_column_and_rule(checked):
    _, pushed = checked
    lines = [str(v) for v in pushed]
    assert "channel_spend row 8, column spend: rule non_negative — value -50.0 is negative" in lines
    assert (
        "controls row 3, column segment_id: rule safe_name — value 'pro\"mo' contains a double quote; names may not "
        "contain quotes, backticks, semicolons, backslashes or control characters, nor be longer than 64 characters"
    ) in lines


def test_clean_tables_return_no_rows(tmp_path):
    con = duckdb.connect()
    load(con, tmp_path, CLEAN)
    for name in CLEAN:
        table, columns = raw_tables()[name], columns_of(con, name)
        assert con.execute(cell_findings_sql(table, columns, name, AS_OF, dialect="duckdb")).fetchall() == []
        assert con.execute(duplicate_keys_sql(table, columns, name, AS_OF, dialect="duckdb")).fetchall() == []


def test_the_demo_data_returns_no_rows():
    con = duckdb.connect()
    for name in ("channel_spend", "outcomes", "attribution"):
        path = DEMO_DATA / f"{name}.csv"
        con.execute(f"create table {name} as select * from read_csv('{path}', all_varchar = true, header = true)")
        table, columns = raw_tables()[name], columns_of(con, name)
        as_of = dt.date(2100, 1, 1)
        assert con.execute(cell_findings_sql(table, columns, name, as_of, dialect="duckdb")).fetchall() == []
        assert con.execute(duplicate_keys_sql(table, columns, name, as_of, dialect="duckdb")).fetchall() == []


def test_each_rule_returns_at_most_its_cap(tmp_path):
    con = duckdb.connect()
    bad_rows = "".join(f"2024-02-{d:02d},us,search,x{d},-{d}\n" for d in range(1, 29))
    repeats = "2024-01-01,us,search,1,\n" * 30
    load(con, tmp_path, {"channel_spend": SPEND + bad_rows + repeats})
    table, columns = raw_tables()["channel_spend"], columns_of(con, "channel_spend")

    findings = con.execute(cell_findings_sql(table, columns, "channel_spend", AS_OF, dialect="duckdb")).fetchall()
    duplicates = con.execute(duplicate_keys_sql(table, columns, "channel_spend", AS_OF, dialect="duckdb")).fetchall()

    per_rule = {(c, r): [row for row in findings if (row[0], row[1]) == (c, r)] for c, r, *_ in findings}
    assert {key: len(rows) for key, rows in per_rule.items()} == {
        ("spend", "number_type"): PER_RULE,
        ("impressions", "non_negative"): PER_RULE,
    }
    assert {rows[0][4] for rows in per_rule.values()} == {28}
    assert len(duplicates) == PER_RULE and duplicates[0][2] == 30
    lines = [str(v) for v in table_violations(table, "channel_spend", AS_OF, findings, duplicates)]
    assert len(lines) == 3 * (PER_RULE + 1)
    assert "channel_spend, column spend: rule number_type — ... and 8 more break this rule (first 20 listed)" in lines
    assert "channel_spend: rule unique_key — ... and 10 more break this rule (first 20 listed)" in lines


def test_source_tables_stop_at_the_sql_findings(tmp_path):
    con = duckdb.connect()
    tables = {**CLEAN, **BAD}
    load(con, tmp_path, tables)
    same = {name: name for name in tables}

    with pytest.raises(InputError) as info:
        check_source_tables(con, same, same, as_of=AS_OF)

    assert [str(v) for v in info.value.violations] == [str(v) for n in tables for v in pushed_violations(con, n)]


def test_source_tables_then_checked_across_tables_with_rows_numbered_alike(tmp_path):
    con = duckdb.connect()
    load(con, tmp_path, CLEAN)
    con.execute("alter table channel_spend rename column channel to CHANNEL")  # as Snowflake spells it
    relations = {**{name: name for name in CLEAN}, "attribution": "no_such_table"}  # optional, absent
    names = {name: f"RAW.{name.upper()}" for name in relations}

    summary = check_source_tables(con, relations, names, as_of=AS_OF)
    assert set(summary["table_name"]) == set(CLEAN) and (summary["status"] == "passed").all()

    con.execute("insert into channel_spend values ('2024-01-15', 'us', 'tiktok', '10', null)")
    with pytest.raises(InputError) as info:
        check_source_tables(con, relations, names, as_of=AS_OF)
    (violation,) = info.value.violations
    assert str(violation).startswith(
        "RAW.CHANNEL_SPEND row 5, column channel: rule registered_channel — channel 'tiktok' is not in "
        "RAW.CHANNEL_REGISTRY (1 row)"
    )


@pytest.mark.parametrize("dialect", ["snowflake", "duckdb"])
def test_the_sql_has_no_backslash_and_the_engine_s_regular_expression_function(dialect):
    for table in raw_tables().values():
        columns = {name: name.upper() for name in table.column_names}
        cells = cell_findings_sql(table, columns, "raw.t", AS_OF, dialect=dialect)
        keys = duplicate_keys_sql(table, columns, "raw.t", AS_OF, dialect=dialect)
        assert "\\" not in cells + keys  # a backslash in a literal reads differently on the two engines
        assert ("regexp_like(" in cells, "regexp_matches(" in cells) == (dialect == "snowflake", dialect == "duckdb")
