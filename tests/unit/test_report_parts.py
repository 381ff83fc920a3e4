"""The report's pure parts: money formatting, the curve maths, the decay verdict, alert ordering,
the agreement matrix, name checks, and what a section says when its tables are missing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from curvehouse.hill import hill_response
from curvehouse.report.markdown import decay_verdict, marginal_roi
from curvehouse.report.reader import safe_identifier
from curvehouse.report.summary import agreement_matrix, board, money, provenance, sorted_alerts
from curvehouse.report.tables import Tables


def test_money_is_short_and_signed():
    assert [money(v) for v in (950, 12_500, 1_234_567, 250e6, 3.2e9)] == ["$950", "$12.5k", "$1.2M", "$250M", "$3.2B"]
    assert (money(-6_135), money(13_236, signed=True), money(float("nan"))) == ("-$6.1k", "+$13.2k", "n/a")


@pytest.mark.parametrize("slope", [0.7, 1.0, 2.3])
def test_marginal_roi_is_the_derivative_of_the_curve(slope):
    spend, h = 40_000.0, 1e-3
    numeric = (
        hill_response(np.array([spend + h]), 50_000, 200_000, slope)
        - hill_response(np.array([spend - h]), 50_000, 200_000, slope)
    )[0] / (2 * h)
    assert marginal_roi(spend, 50_000, 200_000, slope) == pytest.approx(numeric, rel=1e-6)
    assert hill_response(np.array([50_000.0]), 50_000, 200_000, slope)[0] == pytest.approx(100_000)  # half point
    assert np.isnan(marginal_roi(0, 50_000, 200_000, slope))


def test_decay_verdict_reads_the_first_and_last_run():
    assert decay_verdict([2.0], [100.0]) == "one run only: no trend yet"
    assert decay_verdict([2.0, 1.9, 1.5], [100, 100, 100]).startswith("saturating")
    assert decay_verdict([1.0, 1.2], [100, 100]).startswith("still grows")
    assert decay_verdict([1.0, 1.02], [100, 130]).startswith("still grows")  # the half point moved out
    assert decay_verdict([1.0, 1.05], [100, 104]) == "stable"
    assert decay_verdict([float("nan"), 1.0], [100, 100]) == "one run only: no trend yet"


def test_alerts_sort_by_severity_then_deadline():
    alerts = pd.DataFrame(
        {
            "severity": ["info", "critical", "warning", "critical"],
            "due_by": pd.to_datetime(["2026-12-01", "2026-11-30", "2026-11-25", "2026-11-24"]),
        }
    )
    ordered = sorted_alerts(alerts)
    assert list(ordered["severity"]) == ["critical", "critical", "warning", "info"]
    assert ordered["due_by"].iloc[0] == pd.Timestamp("2026-11-24")


def test_agreement_matrix_keeps_the_latest_month_per_channel():
    agreement = pd.DataFrame(
        {
            "segment_id": ["emea", "emea", "apac"],
            "channel": ["tv", "tv", "tv"],
            "month": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-10-01"]),
            "relative_disagreement": [0.1, 0.74, None],
            "agreement_level": ["agree", "escalate", None],
        }
    )
    matrix = agreement_matrix(agreement)
    assert matrix.set_index("channel").loc["tv"].to_dict() == {"apac": "n/a ", "emea": "74% escalate"}


@pytest.mark.parametrize("name", ["mmm_curves; drop table x", "a.b", 'x"y', "", "1abc"])
def test_table_names_must_be_plain_identifiers(name):
    with pytest.raises(ValueError, match="not a plain table name"):
        safe_identifier(name)


def test_a_byomm_only_warehouse_without_planning_still_has_a_board():
    """Frames shaped as agent_mmm_context from a BYOMM model; no fit, no planning tables built."""
    context = pd.DataFrame(
        {
            "segment_id": ["emea"],
            "channel": ["tv"],
            "display_name": ["TV"],
            "channel_group": ["unclassified"],
            "spend": [800_000.0],
            "contribution_mean": [1_200_000.0],
            "contribution_lower": [980_000.0],
            "contribution_upper": [1_450_000.0],
            "roi_mean": [1.5],
            "roi_low": [1.225],
            "roi_high": [1.8125],
            "roi_relative_width": [0.39],
            "data_window_start": pd.to_datetime(["2024-01-01"]),
            "data_window_end": pd.to_datetime(["2024-12-31"]),
        }
    )
    curves = pd.DataFrame(
        {
            "segment_id": ["emea"],
            "source": ["custom_json"],
            "model_id": ["acme_mmm"],
            "run_id": ["r1"],
            "date_range_start": pd.to_datetime(["2024-01-01"]),
            "date_range_end": pd.to_datetime(["2024-12-31"]),
            "refreshed_at": pd.to_datetime(["2025-01-15"]),
            "staleness_days": [676],
            "is_current": [True],
        }
    )
    tables = Tables(
        {
            "agent_mmm_context": context,
            "mmm_curves": curves,
            "agent_saturation_positions": None,
            "mmm_model_runs": pd.DataFrame(),
            "mmm_saturation_audit": None,
        }
    )
    b = board(tables)
    assert b.headline() == "$800k spend \u2192 $1.2M incremental revenue, ROI 1.50"
    assert b.reallocation is None and b.next_quarter is None  # the one-pager says "not built yet"
    assert "BYOMM exports, which publish no backtests" in b.confidence.figures and not b.confidence.meaning
    assert "ROI of TV in emea: 1.23-1.81" in b.most_uncertain
    cite = provenance(tables)["emea"]
    assert cite.data_window == "2024-01-01 to 2024-12-31" and "not stated by the custom_json export" in cite.priors


def test_reader_ships_only_current_rows_of_run_history_tables(tmp_path):
    """A DuckDB warehouse with two runs: tables the report reads current-only lose the old run's rows
    in SQL; tables without is_current, and tables read whole, keep every row."""
    import duckdb

    from curvehouse.report.reader import DuckDBReader
    from curvehouse.report.tables import CURRENT_ONLY, load_tables

    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.sql(
            "create table mmm_posterior_draws as select * from (values ('old', false), ('new', true), "
            "('new', true)) as t(run_id, is_current)"
        )
        con.sql(
            "create table mmm_model_runs as "
            "select * from (values ('old', false), ('new', true)) as t(run_id, is_current)"
        )
        con.sql("create schema main_agent")
        con.sql("create table main_agent.mmm_scenarios as select 'new' as run_id")
    tables = load_tables(DuckDBReader(path), ("mmm_posterior_draws", "mmm_model_runs", "mmm_scenarios"))
    assert "mmm_posterior_draws" in CURRENT_ONLY and "mmm_model_runs" not in CURRENT_ONLY
    assert tables.get("mmm_posterior_draws")["run_id"].tolist() == ["new", "new"]
    assert sorted(tables.get("mmm_model_runs")["run_id"]) == ["new", "old"]
    assert tables.get("mmm_scenarios")["run_id"].tolist() == ["new"]


def test_model_confidence_states_backtest_error_and_coverage_in_words():
    """Two segments x 4 backtest weeks: errors 10% and 20% (MAPE 15%), 5 of 8 weeks inside the 80%
    interval (62%, the lowest segment 1 of 4); the diagnostics page's section shows them and one chart each."""
    from curvehouse.report.confidence import model_confidence
    from curvehouse.report.pages import backtests_section

    weeks = pd.date_range("2026-01-05", periods=4, freq="7D")
    backtests = pd.DataFrame(
        {
            "segment_id": ["emea"] * 4 + ["apac"] * 4,
            "fold": [1, 1, 2, 2] * 2,
            "cutoff_date": [weeks[0], weeks[0], weeks[2], weeks[2]] * 2,
            "week_start": list(weeks) * 2,
            "actual": [100.0] * 8,
            "forecast_mean": [110.0] * 4 + [80.0] * 4,
            "forecast_p05": [80.0] * 8,
            "forecast_p10": [90.0] * 8,
            "forecast_p90": [120.0] * 4 + [95.0] * 3 + [120.0],
            "forecast_p95": [130.0] * 8,
            "in_interval_80": [True] * 4 + [False] * 3 + [True],
            "abs_pct_error": [0.1] * 4 + [0.2] * 4,
            "is_current": [True] * 8,
        }
    )
    runs = pd.DataFrame(
        {
            "segment_id": ["emea", "apac"],
            "run_id": ["r1", "r2"],
            "is_current": [True, True],
            "backtest_folds": [2, 2],
            "backtest_mape": [0.1, 0.2],
            "backtest_coverage_80": [1.0, 0.25],
            "backtest_coverage_90": [1.0, 1.0],
        }
    )
    confidence = model_confidence(backtests, runs)
    assert "backtest MAPE 15.0% (worst segment 20.0%)" in confidence.figures
    assert "80% interval coverage 62% (lowest segment 25%" in confidence.figures
    assert confidence.meaning.startswith("On the last 4 held-out weeks (2 segments")
    assert "off by 15.0% on average" in confidence.meaning and "in 62% of weeks (80% expected)" in confidence.meaning
    assert "too narrow" not in confidence.meaning
    assert "too narrow" in model_confidence(backtests.assign(in_interval_80=False), runs).meaning
    assert "no backtests" in model_confidence(backtests.iloc[:0], runs).figures
    page = backtests_section(Tables({"mmm_model_runs": runs, "mmm_backtests": backtests}))
    assert 'data-chart="backtest-emea"' in page and 'data-chart="backtest-apac"' in page
    assert "off by 15.0% on average" in page


def test_a_line_per_non_media_treatment_with_its_signed_effect():
    from curvehouse.report.pages import _treatments_section

    rows = [
        ("north", "price_index", "treatment_effect", -1200.0, -1500.0, -900.0),
        ("north", "price_index", "treatment_contribution", -5.0e5, -6.0e5, -4.0e5),
        ("north", "tv", "roi", 2.0, 1.5, 2.5),
    ]
    parameters = pd.DataFrame(rows, columns=["segment_id", "channel", "parameter", "mean", "p05", "p95"]).assign(
        channel_kind=["non_media", "non_media", "paid"], treatment_reference=[0.8, 0.8, None], is_current=True
    )
    page = _treatments_section(Tables({"mmm_channel_parameters": parameters}))
    assert "Non-media treatments" in page and "price_index" in page and "-1,200.00" in page
    assert "tv" not in page.split("</p>", 1)[1]
    assert _treatments_section(Tables({"mmm_channel_parameters": parameters[parameters["channel"] == "tv"]})) == ""
