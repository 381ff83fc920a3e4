"""The runtime planning functions (macros/planning_functions.sql) answer in the emulator as on DuckDB.

fakesnow cannot create them (it has no SQL table functions, and a SQL UDF whose body is a query
returns the body's text), so each function's Snowflake body, as the build would create it, runs as
a query with its arguments written in; DuckDB's answers come from the macros its build created.
"""

from __future__ import annotations

import re

import pytest

from tests.emulator.conftest import normalized

SCHEMA = "ANALYTICS.CURVEHOUSE"


@pytest.fixture(scope="module")
def channels(duckdb_build) -> list[tuple[str, str, float, float]]:
    """(segment_id, channel, current weekly spend, observed maximum) of every planned channel."""
    return duckdb_build.sql(
        "select segment_id, channel, current_weekly_spend, observed_spend_max "
        "from main.mmm_planning_channels order by 1, 2"
    )


def _snowflake_body(emulator, name: str) -> str:
    """The body of planning function `name` as the Snowflake build creates it."""
    result = emulator.dbt("compile", "--no-populate-cache", "--inline", f"{{{{ planning_function_sql('{name}') }}}}")
    assert result.success, result.exception
    create = result.result.results[0].node.compiled_code
    assert f"create or replace function {SCHEMA}.{name}(" in create
    return create.split("$$")[1]


def _with_arguments(body: str, **arguments: str) -> str:
    """`body` with each parameter p_<name> replaced by the SQL literal given for it."""
    return re.sub(r"\bp_(\w+)\b", lambda m: arguments.get(m.group(1), m.group(0)), body)


@pytest.mark.parametrize("function", ["mmm_response", "mmm_marginal_roi"])
def test_scalar_functions_agree_with_duckdb(emulator, duckdb_build, channels, function):
    body = _snowflake_body(emulator, function)
    assert len(channels) > 10
    for segment, channel, current, highest in channels:
        for spend in (0.0, current, highest * 1.5):
            emulated = emulator.sql(
                _with_arguments(body, segment=f"'{segment}'", channel=f"'{channel}'", spend=str(spend))
            )
            expected = duckdb_build.sql(f"select main.{function}('{segment}', '{channel}', {spend})")
            assert emulated[0][0] is not None and normalized(emulated) == normalized(expected), (channel, spend)


def test_what_if_agrees_with_duckdb(emulator, duckdb_build, channels):
    body = _snowflake_body(emulator, "mmm_what_if")
    segment = channels[0][0]
    own = [(channel, current) for s, channel, current, _ in channels if s == segment]
    allocations = {
        "current": own,
        "one doubled, one unknown": [(own[0][0], own[0][1] * 2), *own[1:], ("not_a_channel", 100.0)],
    }
    for label, allocation in allocations.items():
        names = ", ".join(f"'{c}'" for c, _ in allocation)
        spends = ", ".join(str(s) for _, s in allocation)
        query = _with_arguments(
            body, segment=f"'{segment}'", channels=f"array_construct({names})", spends=f"array_construct({spends})"
        )
        emulated = emulator.sql(query)
        expected = duckdb_build.sql(f"select * from main.mmm_what_if('{segment}', [{names}], [{spends}])")
        assert len(emulated) == 1 and normalized(emulated) == normalized(expected), label
    n_outside, n_unknown = emulated[0][9:11]
    assert (n_outside, n_unknown) == (1, 1)  # the doubled channel is beyond its observed range
