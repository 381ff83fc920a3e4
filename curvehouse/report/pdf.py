"""one-pager.pdf: index.html itself, printed by headless Chromium with the page's print stylesheet.

One layout for screen and paper: the PDF cannot drift from the page. Where no Chromium is found
(CURVEHOUSE_CHROMIUM, else chromium, chromium-browser, google-chrome on PATH) the report still
succeeds; the PDF is not written and the report says so and how to get it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CHROMIUM_FLAGS", "PdfResult", "find_chromium", "page_count", "print_to_pdf"]

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
HOW_TO_GET_IT = (
    "install Chromium (Debian/Ubuntu: apt-get install chromium) or set CURVEHOUSE_CHROMIUM to a Chromium or "
    "Chrome binary, then run `curvehouse report` again; or open index.html and print it (the page has a print "
    "stylesheet)"
)
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def find_chromium() -> str | None:
    """$CURVEHOUSE_CHROMIUM, else the first of chromium, chromium-browser, google-chrome on PATH."""
    for name in (os.environ.get("CURVEHOUSE_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@dataclass(frozen=True)
class PdfResult:
    """The PDF written, or None with the reason and how to get it."""

    path: Path | None
    message: str


def page_count(pdf: bytes) -> int:
    """Pages of a PDF as Chromium writes it (page objects in the clear, no object streams)."""
    return len(_PAGE.findall(pdf))


def print_to_pdf(html: Path, pdf: Path, timeout_s: float = 120) -> PdfResult:
    """Print ``html`` to ``pdf`` with headless Chromium (a fresh profile, no header or footer)."""
    binary = find_chromium()
    if binary is None:
        pdf.unlink(missing_ok=True)
        return PdfResult(None, f"one-pager.pdf not written: no Chromium found; {HOW_TO_GET_IT}")
    with tempfile.TemporaryDirectory(prefix="curvehouse-chromium-") as profile:
        command = [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc = None
    if proc is None or proc.returncode != 0 or not pdf.is_file():
        pdf.unlink(missing_ok=True)
        detail = "timed out" if proc is None else f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
        return PdfResult(None, f"one-pager.pdf not written: {binary} failed ({detail}); {HOW_TO_GET_IT}")
    return PdfResult(pdf, f"one-pager.pdf: {page_count(pdf.read_bytes())} printed pages of index.html")
