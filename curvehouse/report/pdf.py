"""The board one-pager as a one-page A4 PDF (matplotlib's PDF backend: no browser, no network)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from curvehouse.report.summary import NOT_BUILT, Board, money, pct  # noqa: E402

__all__ = ["write_one_pager_pdf"]


def _lines(b: Board) -> list[tuple[str, str]]:
    """(style, text) lines of the one-pager; style is h (heading), b (bold) or t (text)."""
    lines = [("h", b.headline()), ("t", f"Over {b.window}; all segments with current curves.")]
    lines += [
        ("b", "Brand vs performance (share of incremental revenue)"),
        ("t", ", ".join(f"{g} {pct(s)}" for g, s in sorted(b.group_share.items())) or "n/a"),
    ]
    lines += [("b", "Top 3 channels by incremental revenue")]
    lines += [
        ("t", f"{r.display_name}: {money(r.contribution)} incremental revenue, ROI {r.roi:.2f}")
        for r in b.top.itertuples()
    ]
    lines += [("b", "Bottom 2 channels by ROI, and the proposed reallocation")]
    moves = (
        {}
        if b.reallocation is None
        else dict(zip(b.reallocation["channel"], b.reallocation["recommended_move"], strict=True))
    )
    for r in b.bottom.itertuples():
        move = moves.get(r.channel)
        move_text = (
            NOT_BUILT
            if b.reallocation is None
            else (f"{money(move, signed=True)}/week" if move is not None else "no move proposed")
        )
        lines.append(("t", f"{r.display_name}: ROI {r.roi:.2f} on {money(r.spend)}; reallocation: {move_text}"))
    lines += [("b", "Saturation alerts")] + [("t", a) for a in b.alerts[:6]] + ([("t", "none")] if not b.alerts else [])
    lines += [
        ("b", "Model confidence"),
        ("t", b.confidence.figures),
        *([("t", b.confidence.meaning)] if b.confidence.meaning else []),
        ("t", f"Most uncertain assumption: {b.most_uncertain}"),
    ]
    lines += [("b", "Next quarter's recommendation per channel")]
    if b.next_quarter is None:
        lines.append(("t", f"{NOT_BUILT}: the planning tables are not in this warehouse."))
    else:
        lines += [
            ("t", f"{r.channel}: {money(r.next_quarter_spend)} ({money(r.change, signed=True)} vs current)")
            for r in b.next_quarter.itertuples()
        ]
    return lines


def write_one_pager_pdf(b: Board, path: Path, provenance: list[str]) -> Path:
    """Write the one-pager: text on the top half, the channel bars below, provenance at the foot."""
    fig = plt.figure(figsize=(8.27, 11.69))
    y = 0.965
    for style, text in _lines(b):
        size, weight = {"h": (15, "bold"), "b": (10.5, "bold"), "t": (9, "normal")}[style]
        if style == "b":
            y -= 0.008
        for part in textwrap.wrap(text, 95 if style != "h" else 70) or [""]:
            fig.text(0.06, y, part, fontsize=size, weight=weight, va="top", parse_math=False)
            y -= 0.022 if style == "h" else 0.016
    ax = fig.add_axes((0.25, 0.09, 0.68, max(0.08, min(0.30, y - 0.16))))
    data = b.channels.sort_values("contribution")
    ax.barh(data["display_name"], data["contribution"], color="#1f5f99")
    ax.set_xlabel("incremental revenue over the window ($)")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: money(v)))
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    foot = " | ".join(provenance)
    for i, part in enumerate(textwrap.wrap("Provenance: " + foot, 150)[:5]):
        fig.text(0.06, 0.045 - i * 0.009, part, fontsize=5.5, color="#5c6670", parse_math=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    with PdfPages(path, metadata={"Title": "Curvehouse board one-pager", "Creator": "curvehouse report"}) as pdf:
        pdf.savefig(fig)
    plt.close(fig)
    return path
