"""The fit's artifact names have one source: the SQL pivots' macros are generated from it."""

from __future__ import annotations

import pytest

from curvehouse.posterior import artifact_names as names


def test_the_sql_macros_are_generated_from_the_python_lists():
    assert names.MACRO_PATH.read_text() == names.macro_text(), (
        "macros/fit_artifact_names.sql is stale: run `python -m curvehouse.posterior.artifact_names`"
    )


def test_a_name_outside_the_lists_is_refused():
    names.check_names("run_numbers", ["n_weeks", "r2_in_sample"])
    with pytest.raises(ValueError, match=r"\['r2_insample'\]"):
        names.check_names("run_numbers", ["n_weeks", "r2_insample"])
    with pytest.raises(ValueError, match="run_texts artifact names"):
        names.check_names("run_texts", ["status", "r2_in_sample"])  # a number is not a text
    with pytest.raises(ValueError, match="summary_scalars artifact names"):
        names.check_names("summary_scalars", ["spend", "half_point_median"])
