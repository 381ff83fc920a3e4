"""Root pytest configuration: which test folders a pytest run collects."""

import importlib.util

# tests/emulator runs in its own virtual environment (.venv-emulator: fakesnow needs DuckDB 2, the
# project pins DuckDB 1), as the second pytest run of scripts/test.sh; the main run leaves it out.
collect_ignore = [] if importlib.util.find_spec("fakesnow") else ["tests/emulator"]
