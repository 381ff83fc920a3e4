#!/usr/bin/env bash
# The main job: set up, `dbt build` the full demo on DuckDB (curvehouse.duckdb), render target/report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DBT_PROFILES_DIR="$PWD/profiles"
.venv/bin/dbt build "$@"
# The static report (board one-pager, charts, diagnostics, markdown) from the tables just built.
.venv/bin/curvehouse report --out target/report
