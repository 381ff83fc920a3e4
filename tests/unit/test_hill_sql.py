"""The SQL Hill macros (macros/hill.sql) agree with curvehouse.hill on a grid.

dbt renders the real macros once (`dbt compile --inline` on the project, against a throwaway
DuckDB file). DuckDB then evaluates the compiled SQL over a grid of spend, half point, saturation
max and slope, with slopes below, at and above 1 and spend 0 included, and every value is compared
with the Python module.
"""

from __future__ import annotations

import itertools

import duckdb
import numpy as np
import pandas as pd
import pytest

from curvehouse.hill import hill_derivative, hill_inflection, hill_response
from tests.e2e.conftest import compile_inline

INLINE = """
select
    spend, half_point, saturation_max, slope,
    {{ planning_hill('spend', 'half_point', 'saturation_max', 'slope') }} as response,
    {{ planning_hill_marginal('spend', 'half_point', 'saturation_max', 'slope') }} as marginal,
    {{ planning_hill_inflection('half_point', 'slope') }} as inflection
from hill_grid
"""

SPENDS = (0.0, 1e-3, 1.0, 250.0, 5_000.0, 40_000.0, 50_000.0, 120_000.0, 1e6)
HALF_POINTS = (1.0, 50_000.0, 300_000.0)
SATURATION_MAXES = (1.0, 250_000.0)
SLOPES = (0.3, 0.7, 1.0, 1.0 + 1e-9, 1.5, 2.0, 3.7, 8.0)


@pytest.fixture(scope="module")
def compiled_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The inline query with the project's macros rendered by dbt."""
    work = tmp_path_factory.mktemp("hill_sql")
    return compile_inline(INLINE, work)


@pytest.fixture(scope="module")
def evaluated(compiled_sql: str) -> pd.DataFrame:
    hill_grid = pd.DataFrame(
        list(itertools.product(SPENDS, HALF_POINTS, SATURATION_MAXES, SLOPES)),
        columns=["spend", "half_point", "saturation_max", "slope"],
    )
    with duckdb.connect() as con:
        con.register("hill_grid", hill_grid)
        return con.execute(compiled_sql).df()


def test_the_macros_are_rendered_not_copied(compiled_sql):
    assert "{{" not in compiled_sql and "power(" in compiled_sql and "greatest(" in compiled_sql


def test_response_matches_the_python_curve(evaluated):
    e = evaluated
    assert len(e) == len(SPENDS) * len(HALF_POINTS) * len(SATURATION_MAXES) * len(SLOPES)
    expected = hill_response(
        e["spend"].to_numpy(), e["half_point"].to_numpy(), e["saturation_max"].to_numpy(), e["slope"].to_numpy()
    )
    np.testing.assert_allclose(e["response"], expected, rtol=1e-12, atol=0)
    assert (e.loc[e["spend"] == 0, "response"] == 0).all()


def test_marginal_matches_the_python_derivative(evaluated):
    e = evaluated
    expected = e["saturation_max"].to_numpy() * hill_derivative(
        e["spend"].to_numpy(), e["half_point"].to_numpy(), e["slope"].to_numpy()
    )
    np.testing.assert_allclose(e["marginal"], expected, rtol=1e-12, atol=0)
    assert np.isfinite(e["marginal"]).all()


def test_inflection_matches_the_python_inflection(evaluated):
    e = evaluated
    expected = hill_inflection(e["half_point"].to_numpy(), e["slope"].to_numpy())
    np.testing.assert_allclose(e["inflection"], expected, rtol=1e-12, atol=0)
    assert (e.loc[e["slope"] <= 1, "inflection"] == 0).all()
    assert (e.loc[e["slope"] > 1, "inflection"] > 0).all()
