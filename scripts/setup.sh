#!/usr/bin/env bash
# Create .venv (once) and install Curvehouse with its extras, at the exact versions the test suite
# ran against (constraints.txt; pyproject.toml states the compatible ranges).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.curvehouse-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[snowflake,dev,metrics]"
  touch "$stamp"
fi
