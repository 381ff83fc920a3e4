"""Render the whole report: HTML pages, the one-pager PDF and the markdown files, from tables only."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from curvehouse.report import html, markdown, pages, planner
from curvehouse.report.pdf import print_to_pdf
from curvehouse.report.reader import TableReader
from curvehouse.report.summary import board, provenance
from curvehouse.report.tables import PLANNER_TABLES, PLANNING_TABLES, load_tables

__all__ = ["ReportResult", "build_report"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportResult:
    """What was written, and which sections could not be filled because their tables are missing."""

    out_dir: Path
    files: list[Path]
    not_built: list[str]
    pdf_message: str  # the PDF's page count, or why it was not written and how to get it

    @property
    def index(self) -> Path:
        return self.out_dir / "index.html"


def build_report(reader: TableReader, out_dir: str | Path, progress=log.info) -> ReportResult:
    """Read the tables through ``reader`` and write the static site into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = load_tables(reader)
    progress(
        f"curvehouse report: read {sum(t is not None for t in tables.frames.values())} of {len(tables.frames)} tables"
    )
    prov = provenance(tables)
    b = board(tables)
    cites = [p.line() for p in prov.values()]
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    written: list[Path] = []

    def write(relative: str, text: str) -> None:
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    md = markdown.markdown_files(prov, tables, b)
    for relative, text in md.items():
        write(f"markdown/{relative}", text)
    board_cites = [p.brief() for p in prov.values()]
    bodies = {
        "index.html": lambda: pages.one_pager(b, tables),
        "curves.html": lambda: pages.curves_page(tables),
        "contributions.html": lambda: pages.contributions_page(b, tables),
        "planning.html": lambda: pages.planning_page(tables),
        "planner.html": lambda: planner.planner_page(tables),
        "gates.html": lambda: pages.gates_page(tables),
        "diagnostics.html": lambda: pages.diagnostics_page(tables),
        "outputs.html": lambda: pages.outputs_page(
            ["one-pager.pdf"] * (pdf.path is not None) + [f"markdown/{r}" for r in sorted(md)], pdf.message
        ),
    }
    for filename, title in html.PAGES:
        progress(f"curvehouse report: rendering {filename}")
        write(
            filename,
            html.page(
                filename, title, bodies[filename](), board_cites if filename == "index.html" else cites, generated
            ),
        )
        if filename == "index.html":
            pdf = print_to_pdf(out / filename, out / "one-pager.pdf")
            progress(f"curvehouse report: {pdf.message}")
            written += [pdf.path] if pdf.path is not None else []
    not_built = [name for name in PLANNING_TABLES + PLANNER_TABLES if not tables.built(name)]
    return ReportResult(out, written, not_built, pdf.message)
