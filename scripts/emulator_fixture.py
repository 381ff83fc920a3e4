"""Write the emulator tests' stand-ins for the Python models' tables (tests/emulator/fixtures/).

Snowpark Python models cannot run in the Snowflake emulator, so tests/emulator loads the tables they
would have produced, taken from a DuckDB demo build of the same data (data/demo), as Parquet files.
Rows are trimmed to keep the fixture small: the posterior draws and the response surface keep
their first draws / scenarios; every other table is whole.

    bash scripts/demo.sh                  # the demo build of data/demo: curvehouse.duckdb
    .venv/bin/python scripts/emulator_fixture.py curvehouse.duckdb tests/emulator/fixtures

Rerun it when a Python model's columns change: the emulator build then fails where a SQL model
selects a column the stand-in lacks.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

# Python model -> the rows the fixture keeps (a where clause; true = all).
PYTHON_MODELS = {
    "gate_segments": "true",
    "fit_segments": "artifact <> 'draw' or draw < 20",
    "byomm_ingest": "true",
    "byomm_landing_rejections": "true",
    "planning_channels": "true",
    "planning_curve_draws": "true",
    "planning_agreement": "true",
    "planning_alerts": "true",
    "planning_audit": "true",
    "planning_frontier": "true",
    "planning_proposals": "true",
    "planning_scenario_sensitivity": "true",
    "planning_scenarios": "true",
    "planning_surface": "scenario_id < 50",
}


def export(database: Path, out: Path) -> None:
    """Write one Parquet file per Python model table of `database` (schema main) into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(database), read_only=True) as con:
        for name, keep in PYTHON_MODELS.items():
            target = str(out / f"{name}.parquet").replace("'", "''")
            con.execute(
                f"copy (select * from main.{name} where {keep}) to '{target}' (format parquet, compression zstd)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path, help="a DuckDB file built from data/demo")
    parser.add_argument("out", type=Path, help="the fixture folder (tests/emulator/fixtures)")
    args = parser.parse_args()
    export(args.database, args.out)


if __name__ == "__main__":
    main()
