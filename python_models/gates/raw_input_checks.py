"""Validate every raw input before any staging model reads it.

Raises (so `dbt build` stops before the spine) with one line per problem naming the file (DuckDB)
or table (Snowflake), the row, the column and the rule. Returns one row per table that passed.
Rows dated after var as_of_date (an ISO date; null means today, UTC) are among the problems.
Snowflake: the rules run as SQL in the warehouse (curvehouse.inputs.tables.check_source_tables):
only failing rows and per segment x channel summaries come back, and the small registry and
experiments tables, read whole; every problem is listed together, as on DuckDB.
"""

from curvehouse import warehouse
from curvehouse.inputs.tables import check_source_tables
from curvehouse.inputs.validate import check_raw_folder, resolve_as_of


def model(dbt, session):
    kpi_name = dbt.config.get("kpi_name")
    as_of = resolve_as_of(dbt.config.get("as_of_date"))
    if not warehouse.is_snowpark(session):
        return check_raw_folder(dbt.config.get("raw_data_path"), kpi_name=kpi_name, as_of=as_of)
    # Each source is looked up inside its function, so a missing optional table is skipped, not fatal.
    sources = {
        "channel_registry": lambda: dbt.source("raw", "channel_registry"),
        "channel_spend": lambda: dbt.source("raw", "channel_spend"),
        "platform_spend": lambda: dbt.source("raw", "platform_spend"),
        "outcomes": lambda: dbt.source("raw", "outcomes"),
        "controls": lambda: dbt.source("raw", "controls"),
        "channel_activity": lambda: dbt.source("raw", "channel_activity"),
        "attribution": lambda: dbt.source("raw", "attribution"),
        "experiments": lambda: dbt.source("raw", "experiments"),
    }
    names = {table: f"{dbt.config.get('raw_schema')}.{table}" for table in sources}
    relations = {table: _relation(source, names[table]) for table, source in sources.items()}
    summary = check_source_tables(session, relations, names, kpi_name=kpi_name, as_of=as_of)
    return warehouse.for_warehouse(summary, session)


def _relation(source, name):
    """The source's relation name; if dbt cannot give it, the schema-qualified name, which then
    fails where check_source_tables reads it (a required table is named, an optional one skipped)."""
    try:
        return source().table_name
    except Exception:  # noqa: BLE001 - the warehouse's own error is reported when the table is read
        return name
