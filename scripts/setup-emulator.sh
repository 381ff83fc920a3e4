#!/usr/bin/env bash
# Create .venv-emulator (once) for tests/emulator: fakesnow (an offline Snowflake emulator) with
# dbt-snowflake and dbt-duckdb, and pandas and pyarrow for the package `curvehouse` (its input checks),
# at the exact versions of constraints-emulator.txt. A separate
# environment because fakesnow needs DuckDB 2 and the project pins DuckDB 1 (constraints.txt).
# Exits non-zero, saying why, when the packages cannot be installed (no network).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
stamp=.venv-emulator/.curvehouse-installed
if [ -f "$stamp" ] && [ ! constraints-emulator.txt -nt "$stamp" ]; then
  exit 0
fi
if ! { [ -x .venv-emulator/bin/python ] || "$PYTHON" -m venv .venv-emulator; } \
  || ! .venv-emulator/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-emulator.txt \
    fakesnow dbt-core dbt-snowflake dbt-duckdb pandas pyarrow pytest; then
  echo "scripts/setup-emulator.sh: could not create .venv-emulator with constraints-emulator.txt's packages" >&2
  exit 1
fi
touch "$stamp"
