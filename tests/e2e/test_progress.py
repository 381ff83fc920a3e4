"""Long work reports progress per segment, on the terminal and in dbt's own log file."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_fit_and_surface_progress_lands_in_the_terminal_and_dbt_log(demo_build):
    log = (demo_build.target_dir.parent / "logs" / "dbt.log").read_text()
    segments = demo_build.query("select distinct segment_id from mmm_model_runs")["segment_id"]
    for segment in segments:  # pooling none: one NUTS run, and one line, per segment
        for line in (
            f"curvehouse: fitting {segment} (",
            f"curvehouse: fitted {segment} in",
            f"curvehouse: response surface of segment '{segment}'",
        ):
            assert line in log and line in demo_build.output, line
