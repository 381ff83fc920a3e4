"""The warehouse tables the report reads, loaded once through a TableReader.

A table that is not built (the planning layer not run yet, a warehouse without the agent schema)
is None; an empty table (a BYOMM-only build has no built-in fit rows) is an empty frame. Pages
check ``has()`` and say what is missing instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from curvehouse.report.reader import TableReader

__all__ = [
    "FIT_TABLES",
    "CURRENT_ONLY",
    "CURVE_TABLES",
    "GATE_TABLES",
    "AGENT_VIEWS",
    "PLANNING_TABLES",
    "PLANNER_TABLES",
    "Tables",
    "load_tables",
]

FIT_TABLES = (
    "mmm_model_runs",
    "mmm_posterior_draws",
    "mmm_channel_parameters",
    "mmm_saturation_curves",
    "mmm_channel_summary",
    "mmm_decomposition_weekly",
    "mmm_model_review",
    "mmm_backtests",
    "mmm_experiments",
)
CURVE_TABLES = ("mmm_curves", "mmm_byomm_rejections", "int_byomm_staleness_alerts", "stg_raw__channel_registry")
GATE_TABLES = ("mmm_gate_results", "mmm_data_readiness", "mmm_channel_deferrals")
AGENT_VIEWS = ("agent_saturation_positions", "agent_mmm_context", "agent_recommendations", "agent_alerts")
PLANNING_TABLES = (
    "mmm_efficient_frontier",
    "mmm_scenarios",
    "mmm_saturation_audit",
    "mmm_alerts",
    "mmm_attribution_agreement",
)
# The curve draws and channel inputs the runtime SQL functions read (current curves only): the
# planner page evaluates them.
PLANNER_TABLES = ("mmm_planning_channels", "mmm_planning_curve_draws")
# Read only their is_current rows: the report never shows older runs of these (draws, weekly
# decomposition and curve points grow with every run and segment; a 100-segment warehouse would
# otherwise ship every past run's rows to the report).
CURRENT_ONLY = frozenset(
    {
        "mmm_posterior_draws",
        "mmm_channel_parameters",
        "mmm_saturation_curves",
        "mmm_decomposition_weekly",
        "mmm_backtests",
        "mmm_experiments",
        "mmm_efficient_frontier",
        "mmm_scenarios",
        "mmm_saturation_audit",
        "mmm_attribution_agreement",
    }
)
DATE_COLUMNS = (
    "refreshed_at",
    "loaded_at",
    "validated_at",
    "week_start",
    "date_range_start",
    "date_range_end",
    "data_window_start",
    "data_window_end",
    "due_by",
    "cutoff_date",
)


@dataclass
class Tables:
    """Frames by table name; None for tables the warehouse does not hold."""

    frames: dict[str, pd.DataFrame | None] = field(default_factory=dict)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.frames.get(name)

    def has(self, name: str) -> bool:
        """True when the table exists and has rows."""
        frame = self.frames.get(name)
        return frame is not None and not frame.empty

    def built(self, name: str) -> bool:
        """True when the table exists, rows or not."""
        return self.frames.get(name) is not None

    def current(self, name: str) -> pd.DataFrame:
        """Rows flagged is_current (all rows where the table has no such flag); empty when absent."""
        frame = self.frames.get(name)
        if frame is None:
            return pd.DataFrame()
        if "is_current" in frame.columns:
            frame = frame[frame["is_current"].fillna(False).astype(bool)]
        return frame.reset_index(drop=True)


def load_tables(reader: TableReader, names: tuple[str, ...] | None = None) -> Tables:
    """Read every table the report uses (or ``names``), parsing date columns."""
    names = names or FIT_TABLES + CURVE_TABLES + GATE_TABLES + AGENT_VIEWS + PLANNING_TABLES + PLANNER_TABLES
    frames: dict[str, pd.DataFrame | None] = {}
    for name in names:
        frame = reader.read(name, current_only=name in CURRENT_ONLY)
        if frame is not None:
            for column in DATE_COLUMNS:
                if column in frame.columns:
                    frame[column] = pd.to_datetime(frame[column], errors="coerce")
        frames[name] = frame
    return Tables(frames)
