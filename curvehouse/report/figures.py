"""Charts as inline SVG (matplotlib, Agg backend): readable at a glance, no JavaScript, no network.

Each function takes frames and returns one SVG string. Colours: one hue per role (response,
interval, observed range, current spend), so every chart reads the same way.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import Formatter

from curvehouse.hill import hill_response
from curvehouse.report.summary import QUARTER_WEEKS, money

__all__ = [
    "MoneyTicks",
    "PALETTE",
    "actual_vs_fitted",
    "backtest_forecasts",
    "channel_contributions",
    "contribution_over_time",
    "frontier",
    "group_split",
    "money_tick_labels",
    "prior_vs_posterior",
    "readiness_heatmap",
    "rhat_ess",
    "saturation_grid",
    "scenarios",
    "spend_changes",
    "svg",
    "trace_and_rank",
]

# Okabe-Ito: distinguishable with every common colour-vision deficiency, and in greyscale print.
BLUE, ORANGE, GREY, GREEN, RED, SKY, PURPLE = (
    "#0072B2",
    "#E69F00",
    "#999999",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
)
PALETTE = (BLUE, ORANGE, GREEN, RED, SKY, PURPLE, "#F0E442", "#000000")
plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 10,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
        "figure.dpi": 96,
    }
)
_UNITS = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


def money_tick_labels(values: list[float]) -> list[str]:
    """Short labels (1.45M, 500k) for one axis's ticks: one unit for the whole axis (by its largest
    value) and the fewest decimals that print every tick exactly (ticks are round numbers), so
    distinct ticks never share a label."""
    top = max((abs(v) for v in values), default=0.0)
    limit, suffix = next(((limit, suffix) for limit, suffix in _UNITS if top >= limit), (1.0, ""))
    scaled = [v / limit for v in values]
    digits = next((d for d in range(7) if all(abs(round(x, d) - x) <= 1e-9 * max(1.0, abs(x)) for x in scaled)), 6)
    return ["0" if round(x, digits) == 0 else f"{x:.{digits}f}{suffix}" for x in scaled]


class MoneyTicks(Formatter):
    """Tick labels from money_tick_labels (matplotlib formats an axis's ticks together)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return money_tick_labels([x])[0]

    def format_ticks(self, values) -> list[str]:
        return money_tick_labels([float(v) for v in values])


def _money_axes(ax: plt.Axes, x: bool = False, y: bool = False) -> None:
    for on, axis in ((x, ax.xaxis), (y, ax.yaxis)):
        if on:
            axis.set_major_formatter(MoneyTicks())


def svg(fig: plt.Figure, name: str) -> str:
    """The figure as an inline <svg> element (ids salted by name so several charts share a page; no
    timestamp, so the same tables render the same page)."""
    plt.rcParams["svg.hashsalt"] = name
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return re.sub(r"^.*?(<svg)", r"\1", text, count=1, flags=re.DOTALL)


def _legend_above(fig: plt.Figure, ax: plt.Axes, right: bool = False) -> None:
    """One legend for the figure, above its panels (never over the data)."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="lower right" if right else "lower center",
        bbox_to_anchor=(1.0 if right else 0.5, 1.0),
        ncol=len(labels),
        frameon=False,
        fontsize=8,
    )


def _grid(n: int) -> tuple[plt.Figure, np.ndarray]:
    cols = min(4, max(n, 1))
    rows = int(np.ceil(max(n, 1) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def saturation_grid(curves: pd.DataFrame, points: pd.DataFrame, positions: pd.DataFrame, title: str) -> str:
    """One panel per channel: response per week vs weekly spend with 80% / 90% bands, the observed
    spend range shaded and current spend marked (where ``positions`` has it: the agent view, absent
    before the planning layer is built). ``points`` are the built-in grid rows (mmm_saturation_curves);
    channels without them are drawn from their curve parameters."""
    fig, axes = _grid(len(curves))
    spends = positions.set_index("channel")["current_weekly_spend"] if not positions.empty else pd.Series(dtype=float)
    for ax, row in zip(axes, curves.itertuples(), strict=False):
        grid = points[points["channel"] == row.channel_name].sort_values("weekly_spend") if not points.empty else points
        current = spends.get(row.channel_name)
        current = float(current) if current is not None and pd.notna(current) else None
        if len(grid):
            x = grid["weekly_spend"].to_numpy()
            ax.fill_between(x, grid["response_p05"], grid["response_p95"], color=BLUE, alpha=0.15, lw=0, label="90%")
            ax.fill_between(x, grid["response_p10"], grid["response_p90"], color=BLUE, alpha=0.25, lw=0, label="80%")
            ax.plot(x, grid["response_mean"], color=BLUE, lw=1.8, label="mean")
        else:
            top = (
                row.observed_spend_max
                if pd.notna(row.observed_spend_max)
                else max(2 * (current or 0), 3 * row.saturation_half_point)
            )
            x = np.linspace(0, top, 60)
            half, slope = row.saturation_half_point, row.hill_slope
            if pd.notna(row.saturation_max_p05) and pd.notna(row.saturation_max_p95):
                ax.fill_between(
                    x,
                    hill_response(x, half, row.saturation_max_p05, slope),
                    hill_response(x, half, row.saturation_max_p95, slope),
                    color=BLUE,
                    alpha=0.15,
                    lw=0,
                    label="interval",
                )
            ax.plot(x, hill_response(x, half, row.saturation_max, slope), color=BLUE, lw=1.8, label="curve")
        if pd.notna(row.observed_spend_min) and pd.notna(row.observed_spend_max):
            ax.axvspan(row.observed_spend_min, row.observed_spend_max, color=GREY, alpha=0.15, lw=0, label="observed")
        if current is not None:
            ax.axvline(current, color=ORANGE, lw=1.5, ls="--", label="current")
        ax.set_title(str(row.display_name or row.channel_name))
        _money_axes(ax, x=True, y=True)
        ax.set_xlabel("weekly spend ($)")
        ax.set_ylabel("response / week ($)")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
    fig.tight_layout()
    _legend_above(fig, axes[0])
    return svg(fig, f"sat-{title}")


def contribution_over_time(decomposition: pd.DataFrame, title: str) -> str:
    """Stacked weekly contribution of each channel (paid and organic) above the non-media base."""
    channels = decomposition[decomposition["component_kind"].isin(("channel", "organic"))]
    wide = channels.pivot_table(index="week_start", columns="component", values="value_mean", aggfunc="sum").fillna(0)
    fig, ax = plt.subplots(figsize=(10, 3.4))
    ax.stackplot(wide.index, wide.T.to_numpy(), labels=list(wide.columns), alpha=0.85)
    _money_axes(ax, y=True)
    ax.set_ylabel("incremental revenue / week ($)")
    ax.set_title(title, loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    return svg(fig, f"contrib-{title}")


def actual_vs_fitted(decomposition: pd.DataFrame, title: str) -> str:
    """Observed outcome per week against the posterior-mean fit with its 90% band, and the baseline
    with its 90% band where it moves (a time-varying baseline; a fixed one is one number)."""
    actual = decomposition[decomposition["component"] == "actual"].sort_values("week_start")
    fitted = decomposition[decomposition["component"] == "fitted"].sort_values("week_start")
    baseline = decomposition[decomposition["component"] == "baseline"].sort_values("week_start")
    moving = len(baseline) > 1 and baseline["value_mean"].max() > baseline["value_mean"].min()
    fig, ax = plt.subplots(figsize=(10, 3.0))
    ax.fill_between(
        fitted["week_start"], fitted["value_p05"], fitted["value_p95"], color=BLUE, alpha=0.2, lw=0, label="fitted 90%"
    )
    ax.plot(fitted["week_start"], fitted["value_mean"], color=BLUE, lw=1.4, label="fitted")
    ax.plot(actual["week_start"], actual["value_mean"], color="black", lw=1.0, marker=".", ms=3, label="actual")
    if moving:
        weeks = baseline["week_start"]
        ax.fill_between(weeks, baseline["value_p05"], baseline["value_p95"], color=GREEN, alpha=0.2, lw=0)
        ax.plot(weeks, baseline["value_mean"], color=GREEN, lw=1.2, label="baseline (90%)")
    _money_axes(ax, y=True)
    ax.set_ylabel("revenue / week ($)")
    ax.set_title(title, loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    return svg(fig, f"avf-{title}")


def backtest_forecasts(backtests: pd.DataFrame, title: str) -> str:
    """One segment's backtests: each fold's forecast mean with its 80% and 90% predictive bands
    against the actual, a dotted line at each fold's cutoff."""
    fig, ax = plt.subplots(figsize=(10, 3.0))
    for i, (_, fold) in enumerate(backtests.sort_values("week_start").groupby("fold")):
        labels = ("forecast 90%", "forecast 80%", "forecast") if i == 0 else (None, None, None)
        weeks = fold["week_start"]
        ax.fill_between(
            weeks, fold["forecast_p05"], fold["forecast_p95"], color=ORANGE, alpha=0.15, lw=0, label=labels[0]
        )
        ax.fill_between(
            weeks, fold["forecast_p10"], fold["forecast_p90"], color=ORANGE, alpha=0.3, lw=0, label=labels[1]
        )
        ax.plot(weeks, fold["forecast_mean"], color=ORANGE, lw=1.4, label=labels[2])
        ax.axvline(fold["cutoff_date"].iloc[0], color=GREY, lw=0.8, ls=":")
    actual = backtests.drop_duplicates("week_start").sort_values("week_start")
    ax.plot(actual["week_start"], actual["actual"], color="black", lw=1.0, marker=".", ms=3, label="actual")
    _money_axes(ax, y=True)
    ax.set_ylabel("revenue / week ($)")
    ax.set_title(title, loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    return svg(fig, f"backtest-{title}")


def _whiskers(ax: plt.Axes, y: np.ndarray, data: pd.DataFrame) -> None:
    """Horizontal interval whiskers (columns low, high) on the bars that have one; none where not published."""
    has = (data["low"].notna() & data["high"].notna()).to_numpy()
    if has.any():
        rows = data[has]
        ax.errorbar(
            rows["contribution"],
            y[has],
            xerr=[
                (rows["contribution"] - rows["low"]).clip(lower=0),
                (rows["high"] - rows["contribution"]).clip(lower=0),
            ],
            fmt="none",
            ecolor="black",
            elinewidth=0.8,
            capsize=2,
        )


def channel_contributions(channels: pd.DataFrame, title: str, colours: dict[str, str] | None = None) -> str:
    """Horizontal bars of incremental revenue per channel, whiskers at its 80% interval where one is
    published (low / high columns), ROI annotated; ``colours`` picks out channels (others grey-blue)."""
    data = channels.sort_values("contribution")
    colours = colours or {}
    fig, ax = plt.subplots(figsize=(5.6, 0.3 * len(data) + 0.9))
    notes = [f"ROI {roi:.2f}" if pd.notna(roi) else "" for roi in data["roi"]]
    _revenue_bars(ax, data, data["display_name"], [colours.get(c, SKY) for c in data["channel"]], notes, 1.25)
    ax.set_title(title, loc="left")
    return svg(fig, f"bars-{title}")


def _revenue_bars(
    ax: plt.Axes, data: pd.DataFrame, labels: pd.Series, colours: list[str], notes: list[str], room: float
) -> None:
    """Horizontal bars of incremental revenue (column contribution) with their interval whiskers and a
    note right of each; ``room``: the x range as a multiple of the largest bar or whisker."""
    y = np.arange(len(data))
    ax.barh(y, data["contribution"], color=colours)
    _whiskers(ax, y, data)
    right = float(np.nanmax(data[["contribution", "high"]].to_numpy(dtype=float))) if len(data) else 1.0
    for yi, note in enumerate(notes):
        ax.text(right * 1.02, yi, note, va="center", fontsize=8)
    ax.set_xlim(0, right * room)
    ax.set_yticks(y, labels)
    _money_axes(ax, x=True)
    ax.set_xlabel("incremental revenue over the window ($)")


def group_split(groups: pd.DataFrame, title: str) -> str:
    """Brand vs performance: incremental revenue per channel group with its 80% interval where
    published (low / high), its share of the total annotated."""
    data = groups.sort_values("contribution")
    fig, ax = plt.subplots(figsize=(5.6, 0.45 * len(data) + 0.9))
    colours = [{"brand": ORANGE, "performance": BLUE}.get(g, GREY) for g in data["channel_group"]]
    notes = [f"{share:.0%} of total" for share in data["share"]]
    _revenue_bars(ax, data, data["channel_group"], colours, notes, 1.3)
    ax.set_title(title, loc="left")
    return svg(fig, f"groups-{title}")


def spend_changes(plan: pd.DataFrame, title: str) -> str:
    """Next quarter per channel: the change of spend against holding current spend (``change``),
    increases green, cuts vermillion, the next quarter's total spend (``next_quarter_spend``) annotated."""
    data = plan.sort_values("change")
    fig, ax = plt.subplots(figsize=(5.6, 0.3 * len(data) + 0.9))
    y = np.arange(len(data))
    ax.barh(y, data["change"], color=[GREEN if c >= 0 else RED for c in data["change"]])
    ax.axvline(0, color="black", lw=0.8)
    reach = float(data["change"].abs().max()) if len(data) else 1.0
    reach = reach or 1.0
    for yi, total in enumerate(data["next_quarter_spend"]):
        ax.text(reach * 1.08, yi, f"{money(total)} next quarter", va="center", fontsize=8)
    ax.set_xlim(-reach * 1.1, reach * 1.75)
    ax.set_yticks(y, data["display_name"])
    _money_axes(ax, x=True)
    ax.set_xlabel(f"change vs current spend over the next {QUARTER_WEEKS} weeks ($)")
    ax.set_title(title, loc="left")
    return svg(fig, f"changes-{title}")


def readiness_heatmap(readiness: pd.DataFrame) -> str:
    """Segments x the five readiness dimensions, scored 1-5."""
    columns = [
        "history_score",
        "spend_score",
        "impressions_score",
        "outcome_score",
        "controls_score",
        "readiness_score",
    ]
    data = readiness.set_index("segment_id")[columns]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(data) + 1.2))
    ax.imshow(data.to_numpy(dtype=float), cmap="RdYlGn", vmin=1, vmax=5, aspect="auto")
    for (i, j), value in np.ndenumerate(data.to_numpy()):
        ax.text(j, i, str(value), ha="center", va="center", fontsize=10)
    ax.set_xticks(range(len(columns)), [c.removesuffix("_score") for c in columns])
    ax.set_yticks(range(len(data)), data.index)
    ax.set_title("data readiness (1-5; 4+ is enough)", loc="left")
    return svg(fig, "readiness")


def frontier(front: pd.DataFrame, current_budget: float | None, title: str) -> str:
    """Expected outcome of the best allocations per total weekly budget, 80% band on the best."""
    totals = front.groupby(["total_weekly_budget", "rank"], as_index=False).agg(
        mean=("expected_outcome_mean", "first"),
        p10=("expected_outcome_p10", "first"),
        p90=("expected_outcome_p90", "first"),
    )
    best = totals[totals["rank"] == totals["rank"].min()].sort_values("total_weekly_budget")
    others = totals[totals["rank"] != totals["rank"].min()]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.fill_between(best["total_weekly_budget"], best["p10"], best["p90"], color=BLUE, alpha=0.2, lw=0, label="80%")
    ax.plot(best["total_weekly_budget"], best["mean"], color=BLUE, marker="o", ms=3, lw=1.6, label="best allocation")
    if len(others):
        ax.scatter(others["total_weekly_budget"], others["mean"], s=8, color=GREY, label="other high performers")
    if current_budget:
        ax.axvline(current_budget, color=ORANGE, ls="--", lw=1.4, label="current budget")
    _money_axes(ax, x=True, y=True)
    ax.set_xlabel("total weekly budget ($)")
    ax.set_ylabel("expected outcome / week ($)")
    ax.set_title(title, loc="left")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False, fontsize=8)
    return svg(fig, f"frontier-{title}")


def scenarios(table: pd.DataFrame, title: str) -> str:
    """Incremental outcome per scenario with its 80% interval."""
    data = table.groupby("scenario", as_index=False).agg(
        mean=("incremental_outcome_mean", "first"),
        p10=("incremental_outcome_p10", "first"),
        p90=("incremental_outcome_p90", "first"),
    )
    fig, ax = plt.subplots(figsize=(6, 3.0))
    x = np.arange(len(data))
    ax.bar(
        x,
        data["mean"],
        color=[ORANGE if s == "current" else BLUE for s in data["scenario"]],
        yerr=[(data["mean"] - data["p10"]).clip(lower=0), (data["p90"] - data["mean"]).clip(lower=0)],
        error_kw={"ecolor": "black", "lw": 1, "capsize": 3},
    )
    ax.set_xticks(x, data["scenario"])
    _money_axes(ax, y=True)
    ax.set_ylabel("incremental outcome / week ($)")
    ax.set_title(title, loc="left")
    return svg(fig, f"scen-{title}")


def trace_and_rank(draws: pd.DataFrame, title: str) -> str:
    """Per parameter: draws by chain (trace) and the histogram of their pooled ranks per chain (rank plot)."""
    names = sorted(draws["label"].unique())
    fig, axes = plt.subplots(len(names), 2, figsize=(10, 1.3 * len(names) + 0.6), squeeze=False)
    for (trace_ax, rank_ax), name in zip(axes, names, strict=True):
        rows = draws[draws["label"] == name]
        ranks = rows["value"].rank(method="average").to_numpy()
        bins = np.linspace(0, len(rows), 11)
        for chain, chain_rows in rows.groupby("chain"):
            order = chain_rows.sort_values("draw")
            trace_ax.plot(order["draw"], order["value"], lw=0.7, label=f"chain {chain}")
            rank_ax.hist(ranks[(rows["chain"] == chain).to_numpy()], bins=bins, histtype="step", lw=1.1)
        trace_ax.set_ylabel(name, rotation=0, ha="right", fontsize=8)
        rank_ax.set_yticks([])
    axes[0][0].set_title("trace (kept draws by chain)", loc="left")
    axes[0][1].set_title("rank plot (uniform = chains agree)", loc="left")
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    fig.tight_layout()
    return svg(fig, f"trace-{title}")


def prior_vs_posterior(draws: pd.DataFrame, title: str) -> str:
    """Per channel, the ROI prior draws against the posterior draws: what the data taught."""
    channels = sorted(draws["channel"].dropna().unique())
    fig, axes = _grid(len(channels))
    for ax, channel in zip(axes, channels, strict=False):
        rows = draws[draws["channel"] == channel]
        prior = rows.loc[rows["draw_kind"] == "prior", "value"]
        post = rows.loc[rows["draw_kind"] == "posterior", "value"]
        top = np.nanpercentile(pd.concat([prior, post]), 99) if len(prior) + len(post) else 1
        bins = np.linspace(0, max(top, 1e-9), 30)
        ax.hist(prior.clip(upper=top), bins=bins, density=True, color=GREY, alpha=0.6, label="prior")
        ax.hist(post.clip(upper=top), bins=bins, density=True, color=BLUE, alpha=0.7, label="posterior")
        ax.set_title(channel)
        ax.set_yticks([])
        ax.set_xlabel("ROI ($ per $)")
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    _legend_above(fig, axes[0], right=True)
    return svg(fig, f"pvp-{title}")


def rhat_ess(parameters: pd.DataFrame, rhat_max: float, ess_min: float, title: str) -> str:
    """R-hat and bulk ESS per parameter against the publish thresholds."""
    data = parameters.sort_values("label")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 0.2 * len(data) + 1.2), sharey=True)
    y = np.arange(len(data))
    ax1.scatter(data["rhat"], y, s=10, color=[RED if r > rhat_max else BLUE for r in data["rhat"]])
    ax1.axvline(rhat_max, color=RED, ls="--", lw=1)
    ax1.set_xlabel("R-hat")
    ax1.set_yticks(y, data["label"], fontsize=7)
    ax2.scatter(data["ess_bulk"], y, s=10, color=[RED if e < ess_min else GREEN for e in data["ess_bulk"]])
    ax2.axvline(ess_min, color=RED, ls="--", lw=1)
    ax2.set_xlabel("bulk ESS")
    fig.suptitle(title, x=0.01, ha="left", fontsize=11)
    fig.tight_layout()
    return svg(fig, f"rhat-{title}")
