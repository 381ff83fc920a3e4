#!/usr/bin/env bash
# The whole test suite: set up, then pytest (unit tests and real dbt builds on DuckDB).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest "$@"
