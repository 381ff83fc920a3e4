#!/usr/bin/env bash
# The whole test suite: set up, lint (ruff, sqlfluff), then pytest (unit tests and real dbt builds on DuckDB),
# then the project's Snowflake SQL executed in an offline emulator (tests/emulator, its own .venv-emulator).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The report's browser tests need a real Chromium: Debian's package where apt can install it,
# otherwise those tests skip and say why.
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  as_root=""; [ "$(id -u)" = 0 ] || as_root="sudo -n"
  { $as_root apt-get install -y -q chromium >/dev/null 2>&1 \
    || { $as_root apt-get update -q >/dev/null 2>&1 && $as_root apt-get install -y -q chromium >/dev/null 2>&1; }; } \
    || echo "scripts/test.sh: could not install chromium; the browser tests will skip" >&2
fi
# The project's own lint rules before any test: Python (pyproject.toml [tool.ruff]) and the dbt SQL
# (.sqlfluff, dbt templater; it compiles the project against a throwaway DuckDB file).
.venv/bin/ruff check .
.venv/bin/ruff format --check .
CURVEHOUSE_DUCKDB_PATH="$(mktemp -d)/lint.duckdb" .venv/bin/sqlfluff lint models
.venv/bin/python -m pytest "$@"
# The emulator tests need their own environment (fakesnow needs DuckDB 2). Without network to create it
# they skip, saying why, unless CURVEHOUSE_REQUIRE_EMULATOR=1 (CI: .ci/run) makes that a failure.
if bash scripts/setup-emulator.sh; then
  .venv-emulator/bin/python -m pytest tests/emulator -p no:cacheprovider
elif [ "${CURVEHOUSE_REQUIRE_EMULATOR:-0}" = 1 ]; then
  exit 1
else
  echo "scripts/test.sh: SKIPPED tests/emulator: .venv-emulator could not be created (above)" >&2
fi
