"""Validate every raw input before any staging model reads it.

Raises (so `dbt build` stops before the spine) with one line per problem naming the file (DuckDB)
or table (Snowflake), the row, the column and the rule. Returns one row per table that passed.
Rows dated after var as_of_date (an ISO date; null means today, UTC) are among the problems.
"""

from curvehouse import warehouse
from curvehouse.inputs.tables import check_raw_tables
from curvehouse.inputs.validate import check_raw_folder, resolve_as_of


def model(dbt, session):
    kpi_name = dbt.config.get("kpi_name")
    as_of = resolve_as_of(dbt.config.get("as_of_date"))
    if not warehouse.is_snowpark(session):
        return check_raw_folder(dbt.config.get("raw_data_path"), kpi_name=kpi_name, as_of=as_of)
    # Each source is read inside its reader, so a missing optional table is skipped, not fatal.
    readers = {
        "channel_registry": lambda: warehouse.to_pandas(dbt.source("raw", "channel_registry")),
        "channel_spend": lambda: warehouse.to_pandas(dbt.source("raw", "channel_spend")),
        "platform_spend": lambda: warehouse.to_pandas(dbt.source("raw", "platform_spend")),
        "outcomes": lambda: warehouse.to_pandas(dbt.source("raw", "outcomes")),
        "controls": lambda: warehouse.to_pandas(dbt.source("raw", "controls")),
        "channel_activity": lambda: warehouse.to_pandas(dbt.source("raw", "channel_activity")),
        "attribution": lambda: warehouse.to_pandas(dbt.source("raw", "attribution")),
        "experiments": lambda: warehouse.to_pandas(dbt.source("raw", "experiments")),
    }
    names = {table: f"{dbt.config.get('raw_schema')}.{table}" for table in readers}
    return warehouse.for_warehouse(check_raw_tables(readers, names, kpi_name=kpi_name, as_of=as_of), session)
