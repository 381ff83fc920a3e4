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
    assert "ROI of TV in emea: 1.23-1.81" in b.most_uncertain and b.settle.startswith("not built yet")
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


def test_money_tick_labels_are_distinct_with_the_fewest_decimals():
    from curvehouse.report.figures import money_tick_labels

    assert money_tick_labels([1.40e6, 1.45e6, 1.50e6, 1.55e6]) == ["1.40M", "1.45M", "1.50M", "1.55M"]
    assert money_tick_labels([1.6e6, 1.6e6, 1.7e6]) == ["1.6M", "1.6M", "1.7M"]  # equal values, equal labels
    assert money_tick_labels([0.0, 5e5, 1e6, 1.5e6]) == ["0", "0.5M", "1.0M", "1.5M"]
    assert money_tick_labels([-4e5, -2e5, 0.0, 2e5]) == ["-400k", "-200k", "0", "200k"]
    assert money_tick_labels([0.0, 0.25, 0.5]) == ["0", "0.25", "0.50"]


def test_the_frontier_axes_print_each_tick_label_once():
    """A narrow budget range (1.40M-1.46M a week) used to print '1.4M' for every tick."""
    import re

    from curvehouse.report.figures import frontier

    budgets = np.linspace(1.40e6, 1.46e6, 7)
    front = pd.DataFrame(
        {
            "total_weekly_budget": budgets,
            "rank": 1,
            "expected_outcome_mean": budgets * 1.1,
            "expected_outcome_p10": budgets * 1.05,
            "expected_outcome_p90": budgets * 1.15,
        }
    )
    svg_text = frontier(front, 1.43e6, "narrow")
    for axis in ("xtick", "ytick"):
        labels = re.findall(rf'<g id="{axis}_\d+">.*?<text[^>]*>([^<]*)</text>', svg_text, flags=re.DOTALL)
        assert len(labels) >= 3 and len(set(labels)) == len(labels), (axis, labels)


def _draw_rows(segment: str, channels: dict[str, np.ndarray]) -> pd.DataFrame:
    n = len(next(iter(channels.values())))
    return pd.concat(
        pd.DataFrame(
            {
                "segment_id": segment,
                "draw_kind": "posterior",
                "chain": np.arange(n) % 2,
                "draw": np.arange(n) // 2,
                "parameter": "contribution",
                "channel": channel,
                "value": values,
                "is_current": True,
            }
        )
        for channel, values in channels.items()
    )


def test_board_intervals_are_percentiles_of_the_summed_draws():
    """Two built-in segments x two channels, 400 draws each: the headline, group, share and channel ROI
    intervals are the 10th and 90th percentiles of the per-draw sums, not sums of the channels' bounds."""
    rng = np.random.default_rng(7)
    draws = {(s, c): rng.normal(m, m / 3, 400) for s in ("emea", "apac") for c, m in (("tv", 100.0), ("search", 300.0))}
    frame = pd.concat(
        [_draw_rows(s, {c: draws[(s, c)] for c in ("tv", "search")}) for s in ("emea", "apac")]
    ).reset_index(drop=True)
    context = pd.DataFrame(
        {
            "segment_id": ["emea", "emea", "apac", "apac"],
            "channel": ["tv", "search", "tv", "search"],
            "display_name": ["TV", "Search", "TV", "Search"],
            "channel_group": ["brand", "performance", "brand", "performance"],
            "channel_kind": "paid",
            "spend": [50.0, 200.0, 50.0, 200.0],
            "contribution_mean": [
                draws[k].mean() for k in (("emea", "tv"), ("emea", "search"), ("apac", "tv"), ("apac", "search"))
            ],
            "contribution_lower": np.nan,  # agent_mmm_context's per-row bounds: not used for sums
            "contribution_upper": np.nan,
            "saturation_unit": "spend",
            "roi_mean": 2.0,
            "roi_low": 1.5,
            "roi_high": 2.5,
            "roi_relative_width": 0.5,
            "data_window_start": pd.Timestamp("2024-01-01"),
            "data_window_end": pd.Timestamp("2024-12-29"),
        }
    )
    treatment = context.iloc[:1].assign(channel="price_cut", channel_kind="non_media", spend=np.nan)
    b = board(Tables({"agent_mmm_context": pd.concat([context, treatment]), "mmm_posterior_draws": frame}))
    assert b.contribution == pytest.approx(context["contribution_mean"].sum())  # media only
    total = sum(draws.values())
    assert (b.low, b.high) == pytest.approx(tuple(np.quantile(total, [0.1, 0.9])))
    assert b.high - b.low < sum(np.quantile(v, 0.9) - np.quantile(v, 0.1) for v in draws.values())
    brand = draws[("emea", "tv")] + draws[("apac", "tv")]
    row = b.groups.set_index("channel_group").loc["brand"]
    assert (row["low"], row["high"]) == pytest.approx(tuple(np.quantile(brand, [0.1, 0.9])))
    assert (row["share_low"], row["share_high"]) == pytest.approx(tuple(np.quantile(brand / total, [0.1, 0.9])))
    tv = b.channels.set_index("channel").loc["tv"]
    assert (tv["roi_low"], tv["roi_high"]) == pytest.approx(tuple(np.quantile(brand / 100.0, [0.1, 0.9])))
    assert b.draws == 400
    # A third segment from a BYOMM export has no draws: nothing summed over it has an interval.
    byomm = context.iloc[:1].assign(segment_id="latam")
    b = board(Tables({"agent_mmm_context": pd.concat([context, byomm]), "mmm_posterior_draws": frame}))
    assert np.isnan(b.low) and b.channels.set_index("channel")["roi_low"].isna().to_dict() == {
        "tv": True,
        "search": False,
    }


def test_every_chart_carries_its_alt_text():
    from curvehouse.report.html import chart

    figure = chart('<svg width="10pt"><path d="M0 0"/></svg>', "demo", 'Revenue "by" channel')
    assert '<svg role="img" aria-label="Revenue &quot;by&quot; channel" width="10pt">' in figure
    assert "<title>Revenue &quot;by&quot; channel</title><path" in figure and 'data-chart="demo"' in figure


def test_the_pdf_is_not_written_without_chromium_and_the_report_says_how_to_get_it(tmp_path, monkeypatch):
    from curvehouse.report.pdf import page_count, print_to_pdf

    monkeypatch.delenv("CURVEHOUSE_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    (tmp_path / "index.html").write_text("<p>board</p>")
    stale = tmp_path / "one-pager.pdf"
    stale.write_bytes(b"%PDF old")  # a PDF from an earlier report must not pass for this one
    result = print_to_pdf(tmp_path / "index.html", stale)
    assert result.path is None and not stale.exists()
    assert "not written" in result.message and "CURVEHOUSE_CHROMIUM" in result.message
    assert page_count(b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type/Page/Parent 1 0 R >>") == 2
