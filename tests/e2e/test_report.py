"""`curvehouse report` on real builds (the demo's built-in fit, and a BYOMM-only warehouse), opened
in real headless Chromium: every page loads without console errors or network requests, every
chart renders with its alt text, no table cell is squeezed to a word's width, the one-pager has its
seven sections and prints to at most two pages, the numbers match the tables, and screenshots are kept
under target/ (index.html-print.png: the page as its print stylesheet lays it out)."""

from __future__ import annotations

import json
import re
import shutil
from html import escape
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from curvehouse.cli import main
from curvehouse.hill import hill_derivative
from curvehouse.report.html import PAGES
from curvehouse.report.pages import BOARD_SECTIONS
from curvehouse.report.pdf import page_count
from curvehouse.report.summary import money
from curvehouse.report.tables import PLANNING_TABLES
from tests.browser import Chromium, chromium_or_skip
from tests.e2e.conftest import PROJECT_DIR, dbt_build

pytestmark = pytest.mark.e2e

EXAMPLE = PROJECT_DIR / "tests" / "fixtures" / "byomm" / "design_example.json"
MERIDIAN = PROJECT_DIR / "tests" / "fixtures" / "meridian" / "national_media_export"
SCREENSHOTS = PROJECT_DIR / "target" / "report-screenshots"
MIN_CELL_PX = 48  # 3.5em at the tables' font, the CSS minimum
MARKDOWN = ("mmm-context.md", "saturation-curves.md", "channel-decay.md", "recommendations.md", "agreement-matrix.md")


def render(db_path: Path, out: Path, capsys) -> str:
    assert main(["report", "--duckdb", str(db_path), "--out", str(out)]) == 0
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def byomm_build(tmp_path_factory: pytest.TempPathFactory):
    """A warehouse whose only curves are BYOMM: the design example (segment emea) and a Meridian export."""
    workdir = tmp_path_factory.mktemp("report_byomm")
    landing = workdir / "landing"
    landing.mkdir()
    document = json.loads(EXAMPLE.read_text())
    document.update(segment_id="emea")
    (landing / "acme.json").write_text(json.dumps(document))
    document.update(refreshed_at="2025-06-01T00:00:00Z")  # a newer version whose ceiling rose by 25%
    document["channels"][0]["saturation_max"] = 250_000
    (landing / "acme_v2.json").write_text(json.dumps(document))
    shutil.copytree(MERIDIAN, landing / "meridian_national")
    build = dbt_build(workdir, byomm_path=str(landing), min_history_weeks=100_000, gate_policy="warn")
    assert build.returncode == 0, build.output[-5000:]
    return build


def visit_all(site: Path, tmp_path: Path, keep: str) -> dict[str, object]:
    """Open every page in headless Chromium; screenshots into tmp_path, copied under target/."""
    browser = Chromium(chromium_or_skip(), tmp_path / "chromium-profile")
    try:
        visits = {name: browser.visit(site / name, tmp_path / "screenshots" / f"{name}.png") for name, _ in PAGES}
        browser.print_view(site / "index.html", tmp_path / "screenshots" / "index.html-print.png")
    finally:
        browser.close()
    kept = SCREENSHOTS / keep
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(tmp_path / "screenshots", kept)
    return visits


def assert_pages_render(visits: dict) -> None:
    for name, visit in visits.items():
        assert visit.errors == [], (name, visit.errors)
        assert all(url.startswith(("file:", "data:", "about:")) for url in visit.requests), (name, visit.requests)
        for chart in visit.charts:
            assert chart["width"] > 100 and chart["height"] > 60 and chart["marks"] > 10, (name, chart)
            assert len(chart["alt"] or "") > 20, (name, chart)
        # No table squeezes a column to a word's width (CSS: min widths, nowrap outside long text).
        assert not visit.narrowest_cell or visit.narrowest_cell[1] >= MIN_CELL_PX, (name, visit.narrowest_cell)
        assert visit.screenshot.stat().st_size > 10_000, name
        assert "Provenance" in visit.text, name


def assert_board_sections(visit) -> None:
    """The one-pager's seven numbered sections, in order."""
    positions = [visit.text.find(f"{n}. {title}") for n, title in enumerate(BOARD_SECTIONS, start=1)]
    assert -1 not in positions and positions == sorted(positions), positions


def test_demo_report_renders_every_page_with_charts(demo_build, tmp_path, capsys):
    site = tmp_path / "report"
    render(demo_build.db_path, site, capsys)
    visits = visit_all(site, tmp_path, "demo")
    assert_pages_render(visits)
    segments = demo_build.query("select distinct segment_id from mmm_model_runs where is_current")["segment_id"]
    charts = {name: {c["name"] for c in visit.charts} for name, visit in visits.items()}
    for segment in segments:
        assert f"saturation-{segment}" in charts["curves.html"]
        assert {f"contribution-{segment}", f"fit-{segment}"} <= charts["contributions.html"]
        assert {f"rhat-{segment}", f"trace-{segment}", f"prior-posterior-{segment}"} <= charts["diagnostics.html"]
    assert "readiness" in charts["gates.html"]
    assert {"brand-performance", "channel-contributions", "next-quarter"} <= charts["index.html"]
    assert_board_sections(visits["index.html"])
    pdf = (site / "one-pager.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and 1 <= page_count(pdf) <= 2, page_count(pdf)


def test_the_headline_matches_the_tables(demo_build, tmp_path, capsys):
    site = tmp_path / "report"
    render(demo_build.db_path, site, capsys)
    totals = demo_build.query(
        "select sum(spend) as spend, sum(contribution_mean) as contribution from mmm_curves where is_current"
    ).iloc[0]
    index = (site / "index.html").read_text()
    headline = re.search(r"<p class=headline data-headline>(.*?)</p>", index).group(1)
    roi = totals["contribution"] / totals["spend"]
    assert (
        headline == f"{money(totals['spend'])} spend \u2192 {money(totals['contribution'])} incremental revenue, "
        f"ROI {roi:.2f}"
    )
    # The 80% interval: per posterior draw, the paid channels' contributions summed over segments.
    sums = demo_build.query(
        "with per_draw as (select chain, draw, sum(d.value) as total from mmm_posterior_draws d "
        "join main_agent.agent_mmm_context c using (segment_id, channel) "
        "where d.is_current and d.draw_kind = 'posterior' and d.parameter = 'contribution' "
        "and c.channel_kind = 'paid' group by 1, 2) "
        "select quantile_cont(total, 0.1) as low, quantile_cont(total, 0.9) as high from per_draw"
    ).iloc[0]
    assert f"80% interval: {money(sums['low'])}-{money(sums['high'])} incremental revenue" in index
    assert f"ROI {sums['low'] / totals['spend']:.2f}-{sums['high'] / totals['spend']:.2f}" in index
    for n, title in enumerate(BOARD_SECTIONS, start=1):
        assert f'data-section="{n}"><h2>{n}. {escape(title)}</h2>' in index
    assert "R2" not in index  # the board reads fit quality in words
    backtests = demo_build.query("select * from mmm_backtests where is_current")
    assert f"off by {backtests['abs_pct_error'].mean():.1%} on average" in index
    assert f"held the actual in {backtests['in_interval_80'].mean():.0%} of weeks (80% expected)" in index
    diagnostics = (site / "diagnostics.html").read_text()
    for segment in backtests["segment_id"].unique():
        assert f'data-chart="backtest-{segment}"' in diagnostics


def test_pdf_and_markdown_outputs_cite_their_provenance(demo_build, tmp_path, capsys):
    site = tmp_path / "report"
    render(demo_build.db_path, site, capsys)
    refresh = list((site / "markdown" / "refresh").glob("*.md"))
    assert len(refresh) == 1 and re.fullmatch(r"\d{4}-\d{2}\.md", refresh[0].name)
    run_ids = demo_build.query("select run_id from mmm_model_runs where is_current")["run_id"]
    for path in [site / "markdown" / name for name in MARKDOWN] + refresh:
        text = path.read_text()
        for cite in ("data window", "priors", "methodology version", "fit quality", "R2"):
            assert cite in text, (path.name, cite)
    versions = {p.name for p in (site / "markdown" / "saturation-curves").glob("*.md")}
    assert all(any(run in name for name in versions) for run in run_ids)
    context = (site / "markdown" / "mmm-context.md").read_text()
    assert all(
        f"## Segment {s}" in context
        for s in demo_build.query("select distinct segment_id from mmm_curves")["segment_id"]
    )


def test_planning_sections_render_from_the_planning_tables(demo_build, tmp_path, capsys):
    site = tmp_path / "report"
    out = render(demo_build.db_path, site, capsys)
    assert "not built yet" not in out
    planning = (site / "planning.html").read_text()
    for segment in demo_build.query("select distinct segment_id from mmm_scenarios")["segment_id"]:
        assert f'data-chart="frontier-{segment}"' in planning and f'data-chart="scenarios-{segment}"' in planning
    assert "Saturation audit" in planning and "MMM vs attribution agreement" in planning
    index = (site / "index.html").read_text()
    moves = demo_build.query(
        "select channel, 13 * sum(recommended_move) as q, 13 * sum(recommended_weekly_spend) as next_q "
        "from mmm_saturation_audit group by 1"
    )
    names = demo_build.query("select distinct channel, display_name from main_agent.agent_mmm_context")
    moves = moves.merge(names, on="channel")
    for row in moves.itertuples():  # the next-quarter chart's alt text names every channel's plan
        assert f"{row.display_name} {money(row.next_q)} ({money(row.q, signed=True)})" in index, row.channel
    recommendations = (site / "markdown" / "recommendations.md").read_text()
    assert "saturation audit move" in recommendations and "recommended scenario" in recommendations
    assert "escalate" in (site / "markdown" / "agreement-matrix.md").read_text()


def test_a_warehouse_without_the_planning_layer_says_not_built_yet(byomm_build, tmp_path, capsys):
    db = tmp_path / "no_planning" / byomm_build.db_path.name  # same file name: dbt's views name the catalog
    db.parent.mkdir()
    shutil.copy(byomm_build.db_path, db)
    with duckdb.connect(str(db)) as con:  # the warehouse as it is before the planning layer is built
        # Everything downstream of the planning layer: positions are judged against its ROI floor.
        for view in ("agent_recommendations", "agent_alerts", "agent_mmm_context", "agent_saturation_positions"):
            con.sql(f"drop view main_agent.{view}")
        for table in PLANNING_TABLES:
            con.sql(f"drop table main.{table}")
    site = tmp_path / "report"
    out = render(db, site, capsys)
    assert "not built yet" in out
    assert (site / "planning.html").read_text().count("not built yet") == 4
    # The agent views are judged against the planning layer's ROI floor: without it the board says so,
    # section by section.
    index = (site / "index.html").read_text()
    assert all(f'data-section="{n}">' in index for n in range(1, 8))
    assert index.count("not built yet") >= 6  # all but model confidence, which reads the fit tables
    assert "not built yet" in (site / "markdown" / "recommendations.md").read_text()
    assert "not built yet" in (site / "markdown" / "agreement-matrix.md").read_text()
    assert 1 <= page_count((site / "one-pager.pdf").read_bytes()) <= 2


def test_byomm_only_report_renders_every_page(byomm_build, tmp_path, capsys):
    site = tmp_path / "report"
    render(byomm_build.db_path, site, capsys)
    visits = visit_all(site, tmp_path, "byomm_only")
    assert_pages_render(visits)
    assert_board_sections(visits["index.html"])
    assert {"brand-performance", "channel-contributions"} <= {c["name"] for c in visits["index.html"].charts}
    assert "80% interval: not published: BYOMM curves come without posterior draws" in visits["index.html"].text
    assert 1 <= page_count((site / "one-pager.pdf").read_bytes()) <= 2
    segments = byomm_build.query("select distinct segment_id from mmm_curves where is_current")["segment_id"]
    curves = {c["name"] for c in visits["curves.html"].charts}
    assert {f"saturation-{s}" for s in segments} <= curves
    assert "No built-in runs" in visits["diagnostics.html"].text
    assert "not stated by the custom_json export" in (site / "markdown" / "mmm-context.md").read_text()
    decay = (site / "markdown" / "channel-decay.md").read_text()
    assert re.search(
        r"\| emea \| custom_json/acme_mmm \| tv \| 2 \| 2025-01-15 \| 2025-06-01 \| .* \| still grows", decay
    )
    versions = sorted(p.name for p in (site / "markdown" / "saturation-curves").glob("emea--*.md"))
    assert len(versions) == 2  # one file per published version of the curves


def test_byomm_positions_use_the_planning_curve_at_the_warehouse_spend(byomm_build):
    """The agent view judges a BYOMM curve where planning does: at the segment's warehouse spend, on the
    calibrated curve's draws (pseudo-draws from the stated contribution interval)."""
    row = byomm_build.query("select * from main_agent.agent_saturation_positions where segment_id = 'emea'").iloc[0]
    audit = byomm_build.query("select * from mmm_saturation_audit where segment_id = 'emea'").iloc[0]
    draws = byomm_build.query("select * from mmm_planning_curve_draws where segment_id = 'emea'")
    spine = byomm_build.query(
        "select avg(spend) as spend from (select spend from int_channel_weeks_spined "
        "where segment_id = 'emea' and channel = 'tv' and is_in_window "
        "order by week_start desc limit 13)"
    ).iloc[0]
    assert row["current_weekly_spend"] == pytest.approx(spine["spend"]) == audit["current_weekly_spend"]
    assert "warehouse" in row["current_spend_basis"]
    marginal = (
        draws["calibration_factor"]
        * draws["saturation_max"]
        * hill_derivative(row["current_weekly_spend"], draws["saturation_half_point"], draws["hill_slope"])
    )
    assert row["marginal_roi_mean"] == pytest.approx(marginal.mean()) == audit["marginal_roi_mean"]
    assert row["saturation_position"] == audit["position"] and row["roi_floor"] == audit["roi_floor"]
    assert row["curve_source"] == "custom_json" and row["is_stale"]
    assert pd.isna(row["headroom_weekly_spend"])  # the JSON states no observed spend range
