"""The runtime planning functions on fixed curves, without a build.

mmm_response, mmm_marginal_roi and mmm_what_if are DuckDB macros (two scalar, one table macro) that
`dbt build` creates in post-hooks of mmm_planning_channels (macros/planning_functions.sql); a dbt unit
test cannot target them. Here dbt renders the real create statements once (`dbt compile --inline
"{{ planning_function_sql(...) }}"`, as the post-hooks do), DuckDB runs them in a scratch file next to
two tiny tables standing in for mmm_planning_curve_draws and mmm_planning_channels, and every answer
is checked against numbers worked out by hand (in the comments) and against numpy evaluating the Hill
curve s -> max * s^S / (s^S + K^S) and its derivative max * S * s^(S-1) * K^S / (s^S + K^S)^2
written out here, not imported. The same curves and current spend give the current outcome in the
dbt unit test of mmm_planning_current_outcome (models/marts/planning/_planning__unit_tests.yml):
18000 / 17400 / 18600.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from curvehouse.planning.schema import PLANNING_COLUMNS
from tests.e2e.conftest import compile_inline

FUNCTIONS = ("mmm_response", "mmm_marginal_roi", "mmm_what_if")
SPLIT = "-- next planning function --"

# Two draws, calibration 1.5. tv: slope 1, half point 1000, max 2000 or 4000. search: slope 2, half
# point 500, max 1000. emea (another segment) must never leak into total's answers.
DRAWS = pd.DataFrame(
    [
        ("r1", "total", "tv", 0, 1000.0, 2000.0, 1.0, 1.5, "posterior"),
        ("r1", "total", "tv", 1, 1000.0, 4000.0, 1.0, 1.5, "posterior"),
        ("r1", "total", "search", 0, 500.0, 1000.0, 2.0, 1.5, "posterior"),
        ("r1", "total", "search", 1, 500.0, 1000.0, 2.0, 1.5, "posterior"),
        ("r2", "emea", "tv", 0, 10.0, 1e9, 1.0, 1.0, "posterior"),
        ("r2", "emea", "tv", 1, 10.0, 1e9, 1.0, 1.0, "posterior"),
    ],
    columns=list(PLANNING_COLUMNS["mmm_planning_curve_draws"]),
)
CHANNELS = pd.DataFrame(
    [
        ("r1", "total", "tv", 1000.0, 200.0, 3000.0, 1.5, 10_000.0, "posterior"),
        ("r1", "total", "search", 500.0, 100.0, 800.0, 1.5, 10_000.0, "posterior"),
        ("r2", "emea", "tv", 10.0, 1.0, 20.0, 1.0, 5.0, "posterior"),
    ],
    columns=[
        "run_id",
        "segment_id",
        "channel",
        "current_weekly_spend",
        "observed_spend_min",
        "observed_spend_max",
        "calibration_factor",
        "base_outcome_weekly",
        "interval_source",
    ],
)


def curve(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Half point, saturation max and slope of some draws."""
    return tuple(rows[column].to_numpy() for column in ("saturation_half_point", "saturation_max", "hill_slope"))


def hill(spend: float, half_point: np.ndarray, saturation_max: np.ndarray, slope: np.ndarray) -> np.ndarray:
    return saturation_max * spend**slope / (spend**slope + half_point**slope)


def hill_slope_at(spend: float, half_point: np.ndarray, saturation_max: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """d hill / d spend by the quotient rule."""
    return saturation_max * slope * spend ** (slope - 1) * half_point**slope / (spend**slope + half_point**slope) ** 2


def python_what_if(allocation: dict[str, float], segment: str = "total") -> tuple[np.ndarray, float]:
    """Per-draw calibrated incremental outcome of an allocation (channels left out spend 0), and the base."""
    draws = DRAWS[DRAWS["segment_id"] == segment]
    per_draw = np.zeros(draws["draw"].nunique())
    for channel, rows in draws.groupby("channel"):
        rows = rows.sort_values("draw")
        spend = allocation.get(channel, 0.0)
        per_draw += rows["calibration_factor"].to_numpy() * hill(spend, *curve(rows))
    planned = CHANNELS[CHANNELS["segment_id"] == segment]
    base = float((planned["calibration_factor"] * planned["base_outcome_weekly"]).max())
    return per_draw, base


@pytest.fixture(scope="module")
def create_statements(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The three create statements exactly as the post-hooks render them."""
    work = tmp_path_factory.mktemp("planning_functions_sql")
    inline = f"\n{SPLIT}\n".join("{{ planning_function_sql('" + name + "') }}" for name in FUNCTIONS)
    compiled = compile_inline(inline, work)
    return dict(zip(FUNCTIONS, (part.strip() for part in compiled.split(SPLIT)), strict=True))


@pytest.fixture
def con(create_statements: dict[str, str], tmp_path: Path):
    """A DuckDB file holding the fixed curves and the three functions, created as the build creates them."""
    with duckdb.connect(str(tmp_path / "planning.duckdb")) as con:
        con.register("draws_frame", DRAWS)
        con.register("channels_frame", CHANNELS)
        con.execute("create table mmm_planning_curve_draws as select * from draws_frame")
        con.execute("create table mmm_planning_channels as select * from channels_frame")
        for statement in create_statements.values():
            con.execute(statement)
        yield con


def what_if(con: duckdb.DuckDBPyConnection, channels: list[str], spends: list[float], segment: str = "total") -> dict:
    frame = con.execute("select * from mmm_what_if(?, ?, ?)", [segment, channels, spends]).df()
    assert len(frame) == 1
    return frame.iloc[0].to_dict()


def test_the_statements_are_rendered_macros_in_the_planning_schema(create_statements):
    for name, statement in create_statements.items():
        assert "{{" not in statement and f"create or replace macro main.{name}(" in statement, statement[:200]
    assert " as table" in create_statements["mmm_what_if"]


def test_what_if_at_current_spend_returns_the_current_outcome(con):
    # Per draw 1.5 x (1000 + 500) = 2250 and 1.5 x (2000 + 500) = 3750; base 1.5 x 10000 = 15000.
    row = what_if(con, ["tv", "search"], [1000.0, 500.0])
    assert row["expected_outcome_mean"] == pytest.approx(18_000.0, rel=1e-12)
    assert row["expected_outcome_p10"] == pytest.approx(17_400.0, rel=1e-12)  # 15000 + 2250 + 0.1 x 1500
    assert row["expected_outcome_p90"] == pytest.approx(18_600.0, rel=1e-12)  # 15000 + 2250 + 0.9 x 1500
    assert row["incremental_outcome_mean"] == pytest.approx(3_000.0, rel=1e-12)
    per_draw, base = python_what_if({"tv": 1000.0, "search": 500.0})
    assert row["expected_outcome_mean"] == pytest.approx(base + per_draw.mean(), rel=1e-12)
    assert row["incremental_outcome_p10"] == pytest.approx(np.percentile(per_draw, 10), rel=1e-12)
    assert row["total_weekly_budget"] == 1500.0
    assert (row["run_id"], row["interval_source"]) == ("r1", "posterior")
    assert row["n_channels_outside_observed_range"] == 0 and row["n_unknown_channels"] == 0


def test_a_channel_left_out_of_the_allocation_spends_zero(con):
    # Only tv, at 3000: 2000 x 3000 / 4000 = 1500 or 3000, x 1.5 = 2250 or 4500; search adds 0.
    row = what_if(con, ["tv"], [3000.0])
    assert row["incremental_outcome_mean"] == pytest.approx(3_375.0, rel=1e-12)
    assert row["incremental_outcome_p10"] == pytest.approx(2_475.0, rel=1e-12)  # 2250 + 0.1 x 2250
    assert row["incremental_outcome_p90"] == pytest.approx(4_275.0, rel=1e-12)  # 2250 + 0.9 x 2250
    assert row["expected_outcome_mean"] == pytest.approx(18_375.0, rel=1e-12)
    assert row["total_weekly_budget"] == 3000.0
    assert row["n_channels_outside_observed_range"] == 0


def test_what_if_counts_spend_outside_the_observed_range_and_unknown_channels(con):
    # tv 5000 > its observed top 3000 (outside), search 800.004 is within the 0.005 tolerance of 800,
    # radio has no curve in the segment: counted unknown and adds nothing.
    row = what_if(con, ["tv", "search", "radio"], [5000.0, 800.004, 100.0])
    assert row["n_channels_outside_observed_range"] == 1
    assert row["n_unknown_channels"] == 1
    per_draw, base = python_what_if({"tv": 5000.0, "search": 800.004})
    assert row["incremental_outcome_mean"] == pytest.approx(per_draw.mean(), rel=1e-12)
    assert row["total_weekly_budget"] == pytest.approx(5900.004, rel=1e-12)
    below = what_if(con, ["search"], [99.99])
    assert below["n_channels_outside_observed_range"] == 1


def test_response_is_the_mean_calibrated_curve_of_the_segment(con):
    tv = con.execute("select mmm_response('total', 'tv', 1000)").fetchone()[0]
    assert tv == pytest.approx(2_250.0, rel=1e-12)  # 1.5 x mean(1000, 2000)
    search = con.execute("select mmm_response('total', 'search', 250)").fetchone()[0]
    assert search == pytest.approx(300.0, rel=1e-12)  # 1.5 x 1000 x 250^2 / (250^2 + 500^2) = 1.5 x 200
    assert con.execute("select mmm_response('total', 'tv', 0)").fetchone()[0] == 0
    assert con.execute("select mmm_response('total', 'radio', 100)").fetchone()[0] is None


def test_marginal_roi_is_the_derivative_and_falls_with_spend(con):
    def marginal(channel: str, spend: float) -> float:
        return con.execute("select mmm_marginal_roi('total', ?, ?)", [channel, spend]).fetchone()[0]

    # tv, slope 1: max x K / (s + K)^2 = 2000 x 1000 / 2000^2 = 0.5 or 1.0, mean 0.75, x 1.5.
    assert marginal("tv", 1000.0) == pytest.approx(1.125, rel=1e-12)
    # search, slope 2 at its half point: 1000 x 2 x 500 x 500^2 / (2 x 500^2)^2 = 1.0, x 1.5.
    assert marginal("search", 500.0) == pytest.approx(1.5, rel=1e-12)
    for channel, spend in (("tv", 2345.6), ("search", 123.4), ("search", 1500.0)):
        rows = DRAWS[(DRAWS["segment_id"] == "total") & (DRAWS["channel"] == channel)]
        expected = (rows["calibration_factor"].to_numpy() * hill_slope_at(spend, *curve(rows))).mean()
        assert marginal(channel, spend) == pytest.approx(expected, rel=1e-12)
    assert marginal("tv", 3000.0) < marginal("tv", 1000.0)
    # At zero spend the slope-1 curve's derivative is max / K (evaluated at 1e-6 K): 1.5 x mean(2, 4).
    assert marginal("tv", 0.0) == pytest.approx(4.5, rel=1e-5)
