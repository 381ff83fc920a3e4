"""The gates' GX SQL data source on Snowflake: the expectations run as SQL in the warehouse.

GX reaches Snowflake through SQLAlchemy (snowflake-sqlalchemy) on the Snowpark session's own
connection, so no second login or credential is needed inside the stored procedure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curvehouse.gates.runner import SqlSource

__all__ = ["snowflake_sql_source"]


def snowflake_sql_source(session: Any, tables: Mapping[str, str], filters: Mapping[str, str]) -> SqlSource:
    """A SqlSource selecting each gate frame from its dbt relation (``tables``: frame -> relation
    name), with an optional fixed SQL condition per frame (``filters``, written in the model, never data)."""
    queries = {
        frame: f"select * from {table}" + (f" where {filters[frame]}" if frame in filters else "")
        for frame, table in tables.items()
    }
    return SqlSource("snowflake://", queries, {"creator": lambda: session.connection})
