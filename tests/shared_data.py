"""Where the shared datasets and fixtures are: ../shared beside the checkout (as in CI), or
$CURVEHOUSE_SHARED."""

import os
from pathlib import Path

SHARED = Path(os.environ.get("CURVEHOUSE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
