"""HTML building blocks: the page shell (navigation, inline CSS, provenance footer) and tables.

Everything is escaped here; pages pass plain text and inline SVG only. No external files: each page
opens from disk without a network; the only script is the budget planner's own inline one (planner.py).
"""

from __future__ import annotations

import re
from html import escape

import numpy as np
import pandas as pd

__all__ = ["PAGES", "page", "table", "section", "chart", "missing", "esc"]

PAGES = (
    ("index.html", "Board one-pager"),
    ("curves.html", "Saturation curves"),
    ("contributions.html", "Contribution & fit"),
    ("planning.html", "Frontier & scenarios"),
    ("planner.html", "Budget planner"),
    ("gates.html", "Gates & readiness"),
    ("diagnostics.html", "Diagnostics"),
    ("outputs.html", "Markdown & PDF"),
)

CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#1b1f24;background:#fafbfc}
nav{background:#1f2d3d;padding:.6em 1.2em}nav a{color:#dfe7ef;margin-right:1.2em;text-decoration:none;font-size:.95em}
nav a.on{color:#fff;font-weight:600;border-bottom:2px solid #E69F00}
main{max-width:1180px;margin:0 auto;padding:1em 1.4em 3em}h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.8em}
.headline{font-size:1.7em;font-weight:600;margin:.4em 0}.muted{color:#5c6670}
.missing{background:#fff7e6;border:1px solid #f0c36d;padding:.6em 1em;border-radius:6px}
.fail{color:#b3261e;font-weight:600}.ok{color:#00704a}
table{border-collapse:collapse;font-size:.86em;margin:.5em 0;background:#fff}
th,td{border:1px solid #dde3e9;padding:.25em .55em;text-align:left;vertical-align:top;white-space:nowrap;
min-width:3.5em}
th{background:#eef2f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.text{min-width:18em;white-space:normal}.tablewrap{max-width:100%;overflow-x:auto}
figure.chart{margin:.8em 0;background:#fff;border:1px solid #dde3e9;border-radius:6px;padding:.4em;overflow-x:auto}
figure.chart svg{max-width:100%;height:auto}footer{font-size:.8em;color:#5c6670;border-top:1px solid #dde3e9;
margin-top:2em;padding-top:.6em}
.board-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:.8em 1.2em}
section.board{background:#fff;border:1px solid #dde3e9;border-radius:6px;padding:.2em 1em .6em;break-inside:avoid}
section.board h2{margin:.5em 0 .3em}section.board p{margin:.3em 0}section.board ul{margin:.3em 0;padding-left:1.2em}
section.board[data-section="1"]{grid-column:1/-1}section.board figure.chart{border:0;padding:0;margin:.4em 0 0}
@page{size:A4;margin:10mm 11mm}
@media print{nav,.screen-only{display:none}body{background:#fff;font-size:8.4pt}main{max-width:none;padding:0}
h1{font-size:13pt;margin:0 0 .2em}.headline{font-size:14pt;margin:.1em 0}h2{font-size:10pt}
.board-grid{grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:2.5mm 4mm}th{white-space:normal}
section.board{padding:0 2.5mm 1.5mm}
section.board figure.chart svg{max-height:44mm;width:auto}table{font-size:7.4pt}th,td{padding:.15em .35em}
.tablewrap{overflow:visible}
footer{font-size:6.5pt;margin-top:2mm;padding-top:1mm}footer ul{margin:0;padding-left:1em}}
"""


LONG_TEXT = 40  # characters: a cell this long gets a wide minimum, never a column one word wide


def esc(value: object) -> str:
    return escape("" if value is None else str(value))


def page(filename: str, title: str, body: str, provenance: list[str], generated: str) -> str:
    """A whole HTML document with the navigation bar and the provenance footer."""
    nav = "".join(
        f'<a href="{href}"{" class=on" if href == filename else ""}>{esc(label)}</a>' for href, label in PAGES
    )
    cites = "".join(f"<li>{esc(line)}</li>" for line in provenance) or "<li>no current curves</li>"
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{esc(title)} - Curvehouse</title>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{CSS}</style></head>"
        f"<body><nav>{nav}</nav><main><h1>{esc(title)}</h1>{body}"
        f"<footer><strong>Provenance.</strong><ul>{cites}</ul>Generated {esc(generated)} by "
        f"<code>curvehouse report</code> from the warehouse tables.</footer></main></body></html>"
    )


def _cell(value: object, fmt: str | None) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NaT:
        return "<td class=muted>-</td>"
    if isinstance(value, (float, np.floating)):
        return f"<td class=num>{esc(format(value, fmt or ',.2f'))}</td>"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f"<td class=num>{value:,}</td>"
    if isinstance(value, pd.Timestamp):
        return f"<td>{value:%Y-%m-%d}</td>"
    text = str(value)
    return f"<td class=text>{esc(text)}</td>" if len(text) > LONG_TEXT else f"<td>{esc(text)}</td>"


def table(frame: pd.DataFrame, formats: dict[str, str] | None = None, limit: int = 200) -> str:
    """An HTML table of the frame's columns; floats formatted per column (default two decimals)."""
    formats = formats or {}
    if frame.empty:
        return "<p class=muted>No rows.</p>"
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(_cell(v, formats.get(c)) for c, v in zip(frame.columns, row, strict=True)) + "</tr>"
        for row in frame.head(limit).itertuples(index=False)
    )
    more = f"<p class=muted>{len(frame) - limit} more rows in the warehouse table.</p>" if len(frame) > limit else ""
    return f"<div class=tablewrap><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>{more}"


def section(title: str, body: str, anchor: str | None = None) -> str:
    anchor_attr = f' id="{esc(anchor)}"' if anchor else ""
    return f"<section{anchor_attr}><h2>{esc(title)}</h2>{body}</section>"


def chart(svg_text: str, name: str, alt: str, caption: str = "") -> str:
    """A chart figure with its alt text (role img, aria-label and an SVG title, for screen readers and
    tests); the data-chart name lets tests and readers find every chart."""
    labelled = svg_text.replace("<svg", f'<svg role="img" aria-label="{esc(alt)}"', 1)
    labelled = re.sub(r"(<svg[^>]*>)", lambda m: f"{m.group(1)}<title>{esc(alt)}</title>", labelled, count=1)
    cap = f"<figcaption class=muted>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure class=chart data-chart="{esc(name)}">{labelled}{cap}</figure>'


def missing(what: str, why: str) -> str:
    """The placeholder for a section whose tables are not built (yet)."""
    return (
        f'<div class=missing data-missing="{esc(what)}"><strong>{esc(what)}: not built yet.</strong> {esc(why)}</div>'
    )
