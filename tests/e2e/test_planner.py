"""The budget planner page on the demo build, driven in headless Chromium: an allocation typed into its
sliders and number boxes gives the outcome `select * from mmm_what_if(...)` gives on the same
warehouse, out-of-range spend is flagged, and the page makes no request and logs no error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from curvehouse.report import html, planner
from curvehouse.report.reader import DuckDBReader
from curvehouse.report.tables import PLANNER_TABLES, load_tables
from tests.browser import Chromium, PageVisit, chromium_or_skip
from tests.e2e.conftest import PROJECT_DIR, Build

pytestmark = pytest.mark.e2e

SCREENSHOTS = PROJECT_DIR / "target" / "report-screenshots" / "planner"
CENT = 0.01
# What the planner reads; the whole report (PDF, every figure) costs ~10 CPU seconds more, and
# test_report.py renders it and opens every page in html.PAGES, this one included.
READS = ("mmm_curves", "mmm_efficient_frontier", *PLANNER_TABLES)


@pytest.fixture(scope="module")
def planner_html(demo_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """planner.html of the demo build, rendered as `curvehouse report` renders it."""
    reader = DuckDBReader(demo_build.db_path)
    try:
        body = planner.planner_page(load_tables(reader, READS))
    finally:
        reader.close()
    path = tmp_path_factory.mktemp("planner") / "planner.html"
    path.write_text(
        html.page(
            "planner.html", "Budget planner", body, ["the planner page alone (tests/e2e/test_planner.py)"], "now"
        ),
        encoding="utf-8",
    )
    return path


def page_result(browser: Chromium, segment: str) -> dict:
    """What the page shows for a segment: its numbers (data-result) and its text."""
    section = f"document.querySelector('[data-segment=\"{segment}\"]')"
    result = json.loads(browser.evaluate(f"{section}.dataset.result"))
    result["text"] = browser.evaluate(f"{section}.innerText")
    return result


def test_a_moved_allocation_equals_mmm_what_if(demo_build: Build, planner_html: Path, tmp_path: Path) -> None:
    segment = demo_build.query("select min(segment_id) as s from mmm_planning_channels")["s"].iloc[0]
    channels = demo_build.query(
        f"select * from mmm_planning_channels where segment_id = '{segment}' order by channel"
    ).to_dict("records")
    # Every channel moved to the far side of its range (the first by its slider), the last typed above it.
    spends = {}
    for c in channels:
        low, high = c["observed_spend_min"], c["observed_spend_max"]
        spends[c["channel"]] = round(
            low + (0.2 if c["current_weekly_spend"] > (low + high) / 2 else 0.8) * (high - low)
        )
    last = channels[-1]
    spends[last["channel"]] = round(1.5 * last["observed_spend_max"], 2)
    assert all(abs(spends[c["channel"]] - c["current_weekly_spend"]) > 100 for c in channels)

    browser = Chromium(chromium_or_skip(), tmp_path / "chromium-profile")
    try:
        visit = browser.visit(planner_html, tmp_path / "loaded.png")
        row = f'[data-segment="{segment}"] tr[data-channel="{{}}"]'
        first = channels[0]["channel"]
        browser.fill(row.format(first) + " input[type=range]", spends[first])
        for channel, spend in list(spends.items())[1:]:
            browser.fill(row.format(channel) + " input[type=number]", spend)
        moved = page_result(browser, segment)
        synced = browser.evaluate(f"document.querySelector('{row.format(first)} input[type=number]').value")
        flagged = browser.evaluate(
            "Array.from(document.querySelectorAll('tr.extrapolating')).map(r => "
            "[r.closest('[data-segment]').dataset.segment, r.dataset.channel, r.innerText])"
        )
        shot = browser.screenshot(tmp_path / "screenshots" / "planner-moved.png")
        browser.evaluate(f"document.querySelector('[data-segment=\"{segment}\"] button[data-action=frontier]').click()")
        frontier = page_result(browser, segment)
        browser.fill(f'[data-segment="{segment}"] input[data-in=total]', 100_000)
        scaled = page_result(browser, segment)
        after = PageVisit(visit.url)
        browser.collect(after)
    finally:
        browser.close()
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    shutil.copytree(shot.parent, SCREENSHOTS)

    sql = demo_build.query(
        f"select * from mmm_what_if('{segment}', {list(spends)}, {[float(s) for s in spends.values()]})"
    ).iloc[0]
    assert moved["budget"] == pytest.approx(sum(spends.values()), abs=CENT)
    for page_key, column in (
        ("mean", "expected_outcome_mean"),
        ("p10", "expected_outcome_p10"),
        ("p90", "expected_outcome_p90"),
    ):
        assert moved[page_key] == pytest.approx(sql[column], abs=CENT), page_key
        assert moved["incremental"][page_key] == pytest.approx(sql[column.replace("expected", "incremental")], abs=CENT)
    assert f"${sql['expected_outcome_mean']:,.0f} / week" in moved["text"]
    assert f"80%: ${sql['expected_outcome_p10']:,.0f} to ${sql['expected_outcome_p90']:,.0f} / week" in moved["text"]
    for channel, spend in spends.items():
        arguments = f"'{segment}', '{channel}', {spend}"
        query = f"select mmm_response({arguments}) as response, mmm_marginal_roi({arguments}) as marginal"
        response, marginal = demo_build.query(query).iloc[0]
        assert moved["channels"][channel]["contribution"] == pytest.approx(response, abs=CENT), channel
        assert moved["channels"][channel]["marginal"] == pytest.approx(marginal, rel=1e-9), channel
    assert float(synced) == spends[first]  # the slider moved its number box

    assert moved["outside"] == sql["n_channels_outside_observed_range"] == 1
    assert [(s, c) for s, c, _ in flagged] == [(segment, last["channel"])]
    assert "outside the observed range: extrapolation" in flagged[0][2]
    assert "1 channel outside the observed weekly range" in moved["text"]

    # "Use the frontier allocation": the published rank-1 allocation at the budget level nearest the total.
    levels = demo_build.query(
        f"select budget_level, total_weekly_budget, expected_outcome_mean, expected_outcome_p10, expected_outcome_p90 "
        f"from mmm_efficient_frontier where segment_id = '{segment}' and rank = 1 group by all"
    )
    nearest = levels.loc[(levels["total_weekly_budget"] - moved["budget"]).abs().idxmin()]
    assert frontier["budget"] == pytest.approx(nearest["total_weekly_budget"], abs=CENT)
    assert frontier["mean"] == pytest.approx(nearest["expected_outcome_mean"], abs=CENT)
    assert frontier["p10"] == pytest.approx(nearest["expected_outcome_p10"], abs=CENT)
    assert frontier["p90"] == pytest.approx(nearest["expected_outcome_p90"], abs=CENT)
    assert frontier["outside"] == 0
    assert scaled["budget"] == pytest.approx(100_000, abs=CENT)  # the total box scales the mix

    for errors, requests in ((visit.errors, visit.requests), (after.errors, after.requests)):
        assert errors == []
        assert all(url.startswith("file:") for url in requests), requests
    assert shot.stat().st_size > 20_000
