"""The raw input rules as generated SQL, run for real on DuckDB tables loaded from the bad-input
fixtures: the failing rows it returns, worded, equal the pandas checker's violations rule by rule;
a clean table returns no rows; and no rule returns more than its cap."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from curvehouse.inputs.errors import PER_RULE, InputError, Violation
from curvehouse.inputs.pushdown import (
    cell_findings_sql,
    duplicate_keys_sql,
    negatives_sql,
    row_order,
    summary_sql,
    table_summary,
    table_violations,
)
from curvehouse.inputs.schema import raw_tables
from curvehouse.inputs.summaries import SUMMARIZED, summarize
from curvehouse.inputs.tables import as_text, check_raw_tables, check_source_tables
from curvehouse.inputs.validate import RawFrame, check_table
from tests.e2e.conftest import DEMO_DATA
from tests.unit.test_driver_inputs import ACTIVITY
from tests.unit.test_driver_inputs import REGISTRY as DRIVER_REGISTRY
from tests.unit.test_experiments_input import HEADER as EXPERIMENTS_HEADER
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


# The rules across tables, each broken by its own fixture (tables replacing those of DRIVEN).
DRIVEN = {**CLEAN, "channel_registry": DRIVER_REGISTRY, "channel_activity": ACTIVITY}
NEGATIVE_EMAIL = "".join(f"2024-02-{d:02d},us,email,-{d}\n" for d in range(1, 26))
CROSS = {
    "registered_channel": {
        "channel_spend": SPEND + "2024-01-15,us,tiktok,10,\n2024-01-22,us,tiktok,10,\n2024-01-15,us,Search,5,\n",
        "platform_spend": PLATFORM + "2024-01-15,us,radio,1\n",
        "attribution": "month,segment_id,channel,attributed_revenue\n2024-01-01,us,podcast,1\n",
        "channel_activity": ACTIVITY + "2024-01-15,us,sms,3\n",
        "experiments": EXPERIMENTS_HEADER + "geo_1,us,radio,2024-01-01,2024-01-14,500,0,-800,120,\n",
    },
    "segment_coverage": {
        "outcomes": OUTCOMES + "2024-01-01,eu,10\n2024-01-08,eu,10\n",
        "channel_spend": SPEND + "2024-01-01,ca,search,1,\n",
        "channel_activity": ACTIVITY + "2024-01-01,mx,email,1\n",
    },
    "experiment_spend": {
        "channel_spend": SPEND.replace(",us,tv,500,", ",us,tv,0,").replace(",us,tv,450,", ",us,tv,0,"),
        "experiments": EXPERIMENTS_HEADER
        + "geo_1,us,tv,2024-01-01,2024-01-14,500,0,-800,120,\ngeo_2,us,price,2024-01-01,2024-01-14,5,0,-8,1,\n",
    },
    "spend_for_unpaid_channel": {
        "channel_spend": SPEND + "2024-01-15,us,email,10,\n2024-01-22,us,email,10,\n",
        "platform_spend": PLATFORM + "2024-01-15,us,price,1\n",
    },
    "activity_for_paid_channel": {"channel_activity": ACTIVITY + "2024-01-15,us,tv,5\n2024-01-22,us,tv,5\n"},
    "activity_values": {"channel_activity": "".join(f"{x}\n" for x in ACTIVITY.splitlines() if ",price," not in x)},
    "non_negative": {"channel_activity": ACTIVITY + NEGATIVE_EMAIL + "2024-02-01,us,price,-0.5\n"},
    "exposure_impressions": {"channel_spend": SPEND.replace(",1000\n", ",\n").replace(",1100\n", ",\n")},
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


def pandas_lines(con: duckdb.DuckDBPyConnection, tables: dict[str, str]) -> list[str]:
    """Every line of the pandas checker on the tables read whole, numbered as the SQL numbers rows."""

    def reader(name: str):
        order = row_order(raw_tables()[name], columns_of(con, name))
        return lambda: con.execute(f"select * from {name} order by {order}").df()

    with pytest.raises(InputError) as info:
        check_raw_tables({name: reader(name) for name in tables}, {name: name for name in tables}, as_of=AS_OF)
    return [str(v) for v in info.value.violations]


def source_lines(session, tables: dict[str, str]) -> list[str]:
    """Every line of the in-warehouse check (``check_source_tables``) on the same tables."""
    with pytest.raises(InputError) as info:
        check_source_tables(session, {name: name for name in tables}, {name: name for name in tables}, as_of=AS_OF)
    return [str(v) for v in info.value.violations]


class Counting:
    """A DuckDB connection that records the query and the rows of each result read back."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.fetched = con, []

    def sql(self, query: str) -> Counting:
        self.relation, self.query = self.con.sql(query), query
        return self

    @property
    def columns(self) -> list[str]:
        return self.relation.columns

    def df(self):
        frame = self.relation.df()
        self.fetched.append((self.query, len(frame)))
        return frame


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


def test_source_tables_list_the_pushed_rules_as_the_pandas_checker(tmp_path):
    con = duckdb.connect()
    tables = {**CLEAN, **BAD}
    load(con, tmp_path, tables)

    assert source_lines(con, tables) == pandas_lines(con, tables)
    pushed = [str(v) for n in tables for v in pushed_violations(con, n)]
    assert set(pushed) <= set(source_lines(con, tables))


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


@pytest.mark.parametrize("rule", CROSS)
def test_each_rule_across_tables_reads_alike_from_the_sql_summaries(tmp_path, rule: str):
    con = duckdb.connect()
    tables = {**DRIVEN, **CROSS[rule]}
    load(con, tmp_path, tables)

    expected = pandas_lines(con, tables)
    assert any(f"rule {rule} —" in line for line in expected)
    assert source_lines(con, tables) == expected


def test_the_sql_summaries_equal_the_pandas_ones(tmp_path):
    con = duckdb.connect()
    tables = {**DRIVEN, **CROSS["segment_coverage"], "channel_activity": ACTIVITY + NEGATIVE_EMAIL}
    tables["channel_spend"] += "2024-02-05,us,search,-1,7\n2024-02-12,us,tv,abc,\n"
    load(con, tmp_path, tables)
    for name in set(SUMMARIZED) & set(tables):
        spec, columns = raw_tables()[name], columns_of(con, name)
        data = as_text(con.execute(f"select * from {name} order by {row_order(spec, columns)}").df())
        typed, valid, _ = check_table(RawFrame(name, Path(name), "table", data), spec, AS_OF)
        groups = con.execute(summary_sql(spec, columns, name, AS_OF, dialect="duckdb")).fetchall()
        negatives = negatives_sql(spec, columns, name, AS_OF, dialect="duckdb")
        found = con.execute(negatives).fetchall() if negatives else []
        assert table_summary(name, columns, groups, found) == summarize(name, typed, valid), name


def test_per_table_and_cross_table_problems_are_listed_together(tmp_path):
    con = duckdb.connect()
    tables = {**DRIVEN, **CROSS["registered_channel"], "outcomes": OUTCOMES + "2024-01-15,us,NaN\n"}
    load(con, tmp_path, tables)

    lines = source_lines(con, tables)
    assert lines == pandas_lines(con, tables)
    assert {"not_null", "registered_channel"} <= {line.split("rule ")[1].split(" ")[0] for line in lines}


def test_the_demo_input_passes_in_the_warehouse():
    con = duckdb.connect()
    names = [p.stem for p in DEMO_DATA.glob("*.csv")]
    for name in names:
        path = DEMO_DATA / f"{name}.csv"
        con.execute(f"create table {name} as select * from read_csv('{path}', all_varchar = true, header = true)")
    same = {name: name for name in names}

    summary = check_source_tables(con, same, same, as_of=dt.date(2100, 1, 1))
    assert set(summary["table_name"]) == set(names) and (summary["status"] == "passed").all()


def test_large_tables_send_back_rows_bounded_by_segments_and_channels(tmp_path):
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=d) for d in range(1000)]
    segments, channels = ("us", "ca"), ("search", "tv")
    spend = "date,segment_id,channel,spend,impressions\n" + "".join(
        f"{d},{s},{c},10,5\n" for d in days for s in segments for c in channels
    )
    outcomes = "date,segment_id,revenue\n" + "".join(f"{d},{s},100\n" for d in days for s in segments)
    activity = "date,segment_id,channel,value\n" + "".join(
        f"{d},{s},{c},-1\n" for d in days for s in segments for c in ("email", "price")
    )
    tables = {**DRIVEN, "channel_spend": spend, "outcomes": outcomes, "channel_activity": activity}
    con = duckdb.connect()
    load(con, tmp_path, tables)
    session = Counting(con)

    lines = source_lines(session, tables)
    assert lines == pandas_lines(con, tables)
    assert lines[-1] == (
        "channel_activity, column value: rule non_negative — ... and 1,980 more break this rule (first 20 listed)"
    )
    big = {"channel_spend", "outcomes", "channel_activity"}
    read_whole = [q for q, _ in session.fetched if any(q.startswith(f"select * from {t}") for t in big)]
    assert read_whole == []
    assert max(n for _, n in session.fetched) <= (len(segments) + 1) * (2 * len(channels) + 1) + PER_RULE * 2
    assert sum(n for _, n in session.fetched) < 200
