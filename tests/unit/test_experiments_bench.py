"""The experiments benchmark's pure parts: the channel's figures from a recovery table, the before/after summary."""

import pandas as pd
import pytest

from curvehouse.cli import build_parser
from curvehouse.experiments_bench import ERROR_TARGET, WIDTH_TARGET, channel_roi, experiment_effect


def recovery_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment_id": ["a", "a"],
            "channel": ["tv", "search"],
            "roi_mean": [1.5, 3.0],
            "roi_p05": [1.0, 1.0],
            "roi_p95": [2.2, 2.0],
            "true_roi": [2.0, 2.5],
            "roi_in_90": [True, False],
        }
    )


def test_channel_figures_are_relative_to_the_true_roi():
    tv = channel_roi(recovery_rows(), "a", "tv")
    assert tv["error"] == pytest.approx(0.25) and tv["width90"] == pytest.approx(0.6) and tv["covered90"]
    search = channel_roi(recovery_rows(), "a", "search")
    assert search["error"] == pytest.approx(0.2) and not search["covered90"]


def test_effect_averages_replications_and_checks_the_targets():
    before = [{"error": 0.4, "width90": 1.2, "covered90": True}, {"error": 0.2, "width90": 1.0, "covered90": False}]
    good = [{"error": 0.1, "width90": 0.6, "covered90": True}, {"error": 0.05, "width90": 0.5, "covered90": True}]
    figures = experiment_effect(before, good)
    assert figures["error_ratio"] == pytest.approx(0.075 / 0.3)
    assert figures["width_ratio"] == pytest.approx(0.55 / 1.1)
    assert figures["coverage90_before"] == 0.5 and figures["coverage90_after"] == 1.0
    assert figures["meets_target"]
    narrow_only = [{"error": 0.25, "width90": 0.5, "covered90": True}] * 2
    assert experiment_effect(before, narrow_only)["error_ratio"] > ERROR_TARGET
    assert not experiment_effect(before, narrow_only)["meets_target"]
    accurate_only = [{"error": 0.05, "width90": 1.0, "covered90": True}] * 2
    assert experiment_effect(before, accurate_only)["width_ratio"] > WIDTH_TARGET
    assert not experiment_effect(before, accurate_only)["meets_target"]


def test_the_bench_knows_the_new_scenarios():
    args = build_parser().parse_args(["bench", "--scenarios", "sbc,experiments", "--sbc-segments", "7"])
    assert args.scenarios == ["sbc", "experiments"] and args.sbc_segments == 7 and args.experiment_replications == 5
