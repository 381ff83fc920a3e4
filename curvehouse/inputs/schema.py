"""The raw input contract: which tables a user lands and what each column must hold.

One source of truth for the validator, the demo-data writer and the docs. Column kinds:
``date`` (ISO 8601 calendar date), ``month`` (a date; the first of the month by convention),
``name`` (segment / channel / control identifiers: free text without quote characters),
``text``, ``number`` (finite float), ``integer``, ``boolean``. ``optional`` marks a column a file
may omit (read as null, so files written before it existed stay valid). ``not_after_as_of`` marks the
column that dates each row of a dated table: no row may be dated after the run's as-of date (var
``as_of_date``); a month column breaks it only when the month starts after that date.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHANNEL_GROUPS",
    "CHANNEL_KINDS",
    "NAME_MAX_LENGTH",
    "NULL_TOKENS",
    "RAW_TABLES",
    "RAW_TABLE_NAMES",
    "Column",
    "RawTable",
    "raw_tables",
]

CHANNEL_GROUPS = ("brand", "performance")

# Registry channel_kind values (empty reads as paid): paid media with spend, organic media with
# volumes in their own unit, and non-media treatments (price, promotion depth, distribution).
CHANNEL_KINDS = ("paid", "organic", "non_media")

# Cell texts read as "missing" (after trimming, case-sensitive); staging SQL should use the same list.
NULL_TOKENS = ("", "NA", "NaN", "nan", "null", "NULL")

# Longest allowed segment_id / channel / control name.
NAME_MAX_LENGTH = 64


@dataclass(frozen=True)
class Column:
    """One column of a raw table."""

    name: str
    kind: str
    nullable: bool = False
    non_negative: bool = False
    not_after_as_of: bool = False
    optional: bool = False


@dataclass(frozen=True)
class RawTable:
    """One raw input table (a file ``<name>.csv`` or ``<name>.parquet`` on DuckDB)."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def core_column_names(self) -> tuple[str, ...]:
        """The columns every file of the table has (the optional ones left out)."""
        return tuple(c.name for c in self.columns if not c.optional)


def raw_tables(kpi_name: str = "revenue") -> dict[str, RawTable]:
    """The raw tables, with the outcome column named by the KPI var (default ``revenue``)."""
    tables = [
        RawTable(
            "channel_registry",
            (
                Column("channel", "name"),
                Column("display_name", "text"),
                Column("channel_group", "text"),
                Column("live_since", "date"),
                Column("is_primary", "boolean"),
                Column("roi_prior_mean", "number", nullable=True, non_negative=True),
                Column("roi_prior_sd", "number", nullable=True, non_negative=True),
                Column("adstock_max_lag", "integer", nullable=True, non_negative=True),
                Column("channel_kind", "text", nullable=True, optional=True),
                Column("unit", "text", nullable=True, optional=True),
                Column("exposure_driven", "boolean", nullable=True, optional=True),
                Column("mroi_prior_mean", "number", nullable=True, non_negative=True, optional=True),
                Column("mroi_prior_sd", "number", nullable=True, non_negative=True, optional=True),
                Column("contribution_share_prior_mean", "number", nullable=True, non_negative=True, optional=True),
                Column("contribution_share_prior_sd", "number", nullable=True, non_negative=True, optional=True),
            ),
            key=("channel",),
        ),
        RawTable(
            "channel_spend",
            (
                Column("date", "date", not_after_as_of=True),
                Column("segment_id", "name"),
                Column("channel", "name"),
                Column("spend", "number", non_negative=True),
                Column("impressions", "number", nullable=True, non_negative=True),
            ),
            key=("date", "segment_id", "channel"),
        ),
        RawTable(
            "platform_spend",
            (
                Column("date", "date", not_after_as_of=True),
                Column("segment_id", "name"),
                Column("channel", "name"),
                Column("platform_spend", "number", non_negative=True),
            ),
            key=("date", "segment_id", "channel"),
        ),
        RawTable(
            "outcomes",
            (
                Column("date", "date", not_after_as_of=True),
                Column("segment_id", "name"),
                Column(kpi_name, "number", non_negative=True),
            ),
            key=("date", "segment_id"),
        ),
        RawTable(
            "controls",
            (
                Column("date", "date", not_after_as_of=True),
                Column("segment_id", "name"),
                Column("control", "name"),
                Column("value", "number"),
            ),
            key=("date", "segment_id", "control"),
            required=False,
        ),
        RawTable(
            "channel_activity",
            (
                Column("date", "date", not_after_as_of=True),
                Column("segment_id", "name"),
                Column("channel", "name"),
                Column("value", "number"),
            ),
            key=("date", "segment_id", "channel"),
            required=False,
        ),
        RawTable(
            "attribution",
            (
                Column("month", "month", not_after_as_of=True),
                Column("segment_id", "name"),
                Column("channel", "name"),
                Column("attributed_revenue", "number", non_negative=True),
            ),
            key=("month", "segment_id", "channel"),
            required=False,
        ),
        RawTable(
            "reallocation_proposals",
            (
                Column("date", "date", not_after_as_of=True),
                Column("segment_id", "name"),
                Column("channel_from", "name"),
                Column("channel_to", "name"),
                Column("weekly_amount", "number", non_negative=True),
                Column("proposed_by", "text", nullable=True),
            ),
            key=("date", "segment_id", "channel_from", "channel_to", "proposed_by"),
            required=False,
        ),
        RawTable(
            "experiments",
            (
                Column("experiment_id", "name"),
                Column("segment_id", "name"),
                Column("channel", "name"),
                Column("start_date", "date", not_after_as_of=True),
                Column("end_date", "date"),
                Column("baseline_weekly_spend", "number", non_negative=True),
                Column("test_weekly_spend", "number", non_negative=True),
                Column("lift_weekly", "number"),
                Column("lift_weekly_sd", "number"),
                Column("method", "text", nullable=True),
            ),
            key=("experiment_id",),
            required=False,
        ),
    ]
    return {t.name: t for t in tables}


RAW_TABLES = raw_tables()
RAW_TABLE_NAMES = tuple(RAW_TABLES)
