#!/usr/bin/env bash
# The main job: set up, then `dbt build` the full demo on DuckDB (curvehouse.duckdb).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export DBT_PROFILES_DIR="$PWD/profiles"
.venv/bin/dbt build "$@"
