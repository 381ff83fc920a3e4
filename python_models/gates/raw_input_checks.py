"""Validate every raw input file before any staging model reads it.

Raises (so `dbt build` stops before the spine) with one line per problem naming the file, the
row, the column and the rule. Returns one row per table that passed.
"""

from curvehouse.inputs.validate import check_raw_folder


def model(dbt, session):
    dbt.config(materialized="table")
    return check_raw_folder(dbt.config.get("raw_data_path"), kpi_name=dbt.config.get("kpi_name"))
