"""Run the gate suites in ``expectations/`` per segment with Great Expectations.

The SQL models build one pandas frame per gate; each suite validates one frame, one batch per
segment, through GX's pandas data source (GX over DuckDB via SQLAlchemy is broken in 1.24).
The results come back as a table, one row per segment x expectation, with the observed value,
the offending rows' keys and a readable message; GX's HTML data docs are built on request.

Each suite file is a GX 1.x ExpectationSuite exactly as a GX file data context writes it
(``gx/expectations/<name>.json``), so GX opens, edits and saves it
(``gx.ExpectationSuite(**json.load(f))``, or ``context.suites.get(name)`` / ``suite.save()``).
Where each piece lives (docs/gates.md)::

    {
      "name": "platform_gap",                   # gate name = the file name without .json
      "notes": "...",                           # what the gate is for
      "suite_parameters": {"platform_gap_tolerance": 0.05},   # GX's suite parameters: defaults;
                                                #   the dbt var of the same name overrides
      "meta": {
        "great_expectations_version": "1.24.1", # written by GX
        "curvehouse": {                         # ours; unknown keys here are errors
          "format_version": 2,
          "frame": "platform_gaps",             # key of the frame in run_gates(frames=...)
          "unexpected_index_column_names": ["segment_id", "channel", "week_start"]
        }
      },
      "expectations": [{
        "type": "expect_column_values_to_be_between",   # a GX column map expectation
        "kwargs": {"column": "gap_ratio", "max_value": {"$PARAMETER": "platform_gap_tolerance"}},
        "severity": "critical",                 # GX's: critical (the gate blocks the segment's
                                                #   fit: severity 'error' in the results) | warning
        "notes": "...",                         # the rule in words
        "meta": {"curvehouse": {
          "rule": "platform_gap",
          "message": {                          # str.format templates
            "observed": "max gap {max:.1%}",    # fields: max, min (of the column),
                                                #   element_count, unexpected_count, parameters
            "offender": "channel '{channel}', week {week_start}: ...",
                                                # fields: index columns, the column, parameters
            "failure": "{offenders}",           # optional; fields: offenders, counts, parameters
            "separator": "; "                   # optional; joins the offenders shown
          }
        }},
        "id": "..."                             # optional, as GX writes it (also rendered_content,
                                                #   description)
      }],
      "id": "..."                               # optional, as GX writes it
    }

``$PARAMETER`` kwargs are GX's own suite parameters: the runner passes the values (the suite's
``suite_parameters``, overridden by ``run_gates(params)``) to GX as ``expectation_parameters``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import great_expectations as gx
import numpy as np
import pandas as pd
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.core.partitioners import PartitionerColumnValue
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)
from great_expectations.exceptions import ExpectationNotFoundError
from great_expectations.expectations.expectation import ColumnMapExpectation, Expectation
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
from great_expectations.expectations.registry import get_expectation_impl

from curvehouse.gates.aggregates import FrameAggregates, frame_aggregates

__all__ = [
    "META_KEY",
    "RESULT_COLUMNS",
    "GateExpectation",
    "GateMessages",
    "GateSuite",
    "SqlSource",
    "SuiteFormatError",
    "aggregate_columns",
    "gate_failures",
    "load_suite",
    "load_suites",
    "run_gates",
]

RESULT_COLUMNS = (
    "segment_id",
    "gate",
    "rule",
    "expectation",
    "severity",
    "success",
    "observed_value",
    "element_count",
    "unexpected_count",
    "offending_keys",
    "message",
    "validated_at",
)
META_KEY = "curvehouse"  # our namespace in the suite's and each expectation's GX meta
SUITE_FORMAT_VERSION = 2  # meta.curvehouse.format_version (1: the pre-GX-native layout)
MAX_OFFENDING_KEYS = 100
OFFENDERS_IN_MESSAGE = 3
DATA_DOCS_SITE = "curvehouse_gates"

# GX's expectation severity -> ours (the results' severity column, the gate policy's).
_SEVERITY = {"critical": "error", "warning": "warning"}
# Keys GX 1.x writes for a suite and an expectation; ours live under meta.curvehouse.
_SUITE_KEYS = frozenset({"name", "expectations", "meta", "notes"})
_SUITE_GX_KEYS = frozenset({"id", "suite_parameters"})
_EXPECTATION_KEYS = frozenset({"type", "kwargs", "meta", "notes"})
_EXPECTATION_GX_KEYS = frozenset({"id", "severity", "description", "rendered_content", "expectation_context"})
_STAT_FIELDS = frozenset({"max", "min", "element_count", "unexpected_count"})
_COUNT_FIELDS = frozenset({"element_count", "unexpected_count"})


@dataclass(frozen=True)
class SqlSource:
    """Validate in the warehouse through GX's SQL data source instead of pandas (Snowflake).

    ``queries`` maps each frame name to the SELECT that yields it (dbt relation names, never data);
    GX partitions each query by ``segment_id`` with a bound parameter. ``engine_kwargs`` go to
    SQLAlchemy's ``create_engine`` (e.g. ``creator`` returning the Snowpark session's connection).
    """

    connection_string: str
    queries: Mapping[str, str]
    engine_kwargs: Mapping[str, Any] = field(default_factory=dict)


class SuiteFormatError(ValueError):
    """A gate suite file that breaks the documented format; the message names the file."""


@dataclass(frozen=True)
class GateMessages:
    """``str.format`` templates that turn a validation result into one readable line."""

    observed: str
    offender: str
    failure: str = "{offenders}"
    separator: str = "; "


@dataclass(frozen=True)
class GateExpectation:
    """One GX column map expectation with the rule it enforces and how to report it.

    ``severity`` is ours: ``error`` (GX ``critical``: blocks the segment's fit) or ``warning``.
    """

    type: str
    kwargs: Mapping[str, Any]
    rule: str
    severity: str
    description: str
    messages: GateMessages

    @property
    def column(self) -> str:
        return self.kwargs["column"]


@dataclass(frozen=True)
class GateSuite:
    """One suite file: the frame it validates, parameter defaults and its expectations.

    ``document`` is the file's GX ExpectationSuite (a dict, as read), which the runner hands to GX.
    """

    name: str
    frame: str
    description: str
    parameters: Mapping[str, float]
    unexpected_index_column_names: tuple[str, ...]
    expectations: tuple[GateExpectation, ...]
    source: Path
    document: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


# --- loading suites -------------------------------------------------------------------------


def load_suites(directory: Path) -> list[GateSuite]:
    """Load and validate every ``*.json`` suite in ``directory``, in file-name order."""
    paths = sorted(Path(directory).glob("*.json"))
    if not paths:
        raise SuiteFormatError(f"{directory}: no gate suite files (*.json)")
    suites = [load_suite(path) for path in paths]
    seen: dict[str, Path] = {}
    for suite in suites:
        if suite.name in seen:
            raise SuiteFormatError(f"{suite.source}: suite name '{suite.name}' is already used by {seen[suite.name]}")
        seen[suite.name] = suite.source
    return suites


def load_suite(path: Path) -> GateSuite:
    """Load one suite file; any problem raises :class:`SuiteFormatError` naming the file."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SuiteFormatError(f"{path}: cannot read suite JSON: {exc}") from exc
    try:
        return _parse_suite(raw, Path(path))
    except ValueError as exc:
        raise SuiteFormatError(f"{path}: {exc}") from exc


def _parse_suite(raw: Any, source: Path) -> GateSuite:
    _object(raw, "the suite (a GX ExpectationSuite)", required=_SUITE_KEYS, optional=_SUITE_GX_KEYS)
    name = _text(raw["name"], "name")
    if name != source.stem:
        raise ValueError(
            f"name '{name}' must be the file name without .json ('{source.stem}'): "
            "a GX file data context finds a suite by its file name"
        )
    description = _notes(raw["notes"], "notes")
    parameters = _object(raw.get("suite_parameters", {}), "suite_parameters")
    for key, value in parameters.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"suite_parameters.{key} must be a number")
    ours = _meta(raw["meta"], "meta", required={"format_version", "frame", "unexpected_index_column_names"})
    if ours["format_version"] != SUITE_FORMAT_VERSION:
        raise ValueError(f"meta.{META_KEY}.format_version must be {SUITE_FORMAT_VERSION}")
    frame = _text(ours["frame"], f"meta.{META_KEY}.frame")
    index_columns = ours["unexpected_index_column_names"]
    if not index_columns or not isinstance(index_columns, list):
        raise ValueError(f"meta.{META_KEY}.unexpected_index_column_names must be a non-empty list")
    for i, column in enumerate(index_columns):
        _text(column, f"meta.{META_KEY}.unexpected_index_column_names[{i}]")
    expectations = raw["expectations"]
    if not expectations or not isinstance(expectations, list):
        raise ValueError("expectations must be a non-empty list")
    parsed = tuple(
        _parse_expectation(item, f"expectations[{i}]", set(parameters), index_columns)
        for i, item in enumerate(expectations)
    )
    document = _gx_document(raw)
    try:
        kept = len(gx.ExpectationSuite(**copy.deepcopy(document)).expectations)
    except Exception as exc:  # GX's own reading of the file: any refusal is a format error
        raise ValueError(f"is not a valid GX ExpectationSuite: {exc}") from exc
    if kept != len(parsed):  # GX logs and drops an expectation it cannot build
        raise ValueError(f"GX reads {kept} of its {len(parsed)} expectations")
    return GateSuite(
        name=name,
        frame=frame,
        description=description,
        parameters=MappingProxyType({k: float(v) for k, v in parameters.items()}),
        unexpected_index_column_names=tuple(index_columns),
        expectations=parsed,
        source=source,
        document=MappingProxyType(document),
    )


def _parse_expectation(raw: Any, where: str, parameters: set[str], index_columns: list[str]) -> GateExpectation:
    """One expectation; an error names the rule too where the expectation's meta gives one."""
    try:
        return _parse_rule(raw, where, parameters, index_columns)
    except ValueError as exc:
        rule = _rule_name(raw)
        if rule is None:
            raise
        raise ValueError(f"{exc} (rule '{rule}')") from exc


def _rule_name(raw: Any) -> str | None:
    """meta.curvehouse.rule of an expectation, if it has a usable one."""
    node = raw
    for key in ("meta", META_KEY, "rule"):
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, str) and node.strip() else None


def _parse_rule(raw: Any, where: str, parameters: set[str], index_columns: list[str]) -> GateExpectation:
    _object(raw, where, required=_EXPECTATION_KEYS, optional=_EXPECTATION_GX_KEYS)
    ours = _meta(raw["meta"], f"{where}.meta", required={"rule", "message"})
    rule = _text(ours["rule"], f"{where}.meta.{META_KEY}.rule")
    expectation_type = _text(raw["type"], f"{where}.type")
    try:
        implementation = get_expectation_impl(expectation_type)
    except ExpectationNotFoundError as exc:
        raise ValueError(f"{where}.type '{expectation_type}' is not a GX expectation") from exc
    if not issubclass(implementation, ColumnMapExpectation):
        raise ValueError(
            f"{where}.type '{expectation_type}' is not a column map expectation "
            "(gates report the offending rows, so each expectation checks rows of a column)"
        )
    kwargs = _object(raw["kwargs"], f"{where}.kwargs")
    _text(kwargs.get("column"), f"{where}.kwargs.column")
    for key, value in kwargs.items():
        if isinstance(value, dict) and "$PARAMETER" in value:
            if not isinstance(value["$PARAMETER"], str) or value["$PARAMETER"] not in parameters:
                raise ValueError(
                    f"{where}.kwargs.{key} references parameter {value['$PARAMETER']!r}, "
                    "which the suite's suite_parameters do not declare"
                )
    severity = raw.get("severity", "critical")  # GX's default
    if severity not in _SEVERITY:
        raise ValueError(
            f"{where}.severity must be one of {sorted(_SEVERITY)} "
            "(critical blocks the segment's fit, warning is only surfaced)"
        )
    expectation = GateExpectation(
        type=expectation_type,
        kwargs=MappingProxyType(kwargs),
        rule=rule,
        severity=_SEVERITY[severity],
        description=_notes(raw["notes"], f"{where}.notes"),
        messages=_parse_messages(
            ours["message"], f"{where}.meta.{META_KEY}.message", parameters, {*index_columns, kwargs["column"]}
        ),
    )
    try:
        _gx_expectation(_gx_expectation_document(raw))
    except Exception as exc:  # GX's own validation of the type and kwargs
        raise ValueError(f"{where} is not a valid '{expectation_type}': {exc}") from exc
    return expectation


def _parse_messages(raw: Any, where: str, parameters: set[str], columns: set[str]) -> GateMessages:
    _object(raw, where, required={"observed", "offender"}, optional={"failure", "separator"})
    allowed = {
        "observed": _STAT_FIELDS | parameters,
        "offender": columns | parameters,
        "failure": _COUNT_FIELDS | {"offenders"} | parameters,
    }
    for key, fields in allowed.items():
        if key in raw:
            template = _text(raw[key], f"{where}.{key}")
            try:
                used = _template_fields(template)
            except ValueError as exc:
                raise ValueError(f"{where}.{key}: {exc}") from exc
            unknown = sorted(used - fields)
            if unknown:
                raise ValueError(f"{where}.{key} uses unknown field(s) {unknown}; allowed: {sorted(fields)}")
    if "separator" in raw and not isinstance(raw["separator"], str):
        raise ValueError(f"{where}.separator must be a string")
    return GateMessages(**raw)


def _meta(raw: Any, where: str, required: set[str]) -> dict[str, Any]:
    """Our namespace in a GX ``meta`` object (which may hold other keys): exactly these keys."""
    _object(raw, where, required={META_KEY}, optional=None, others=True)
    return _object(raw[META_KEY], f"{where}.{META_KEY}", required=required, optional=set())


def _object(
    raw: Any,
    where: str,
    required: set[str] = frozenset(),
    optional: set[str] | None = None,
    others: bool = False,
) -> dict[str, Any]:
    """Check a JSON object's keys; ``optional=None`` with no ``required`` allows any keys, as does
    ``others``."""
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be a JSON object")
    missing = sorted(required - raw.keys())
    if missing:
        raise ValueError(f"{where} lacks key(s) {missing}")
    if not others and (required or optional is not None):
        unknown = sorted(raw.keys() - required - (optional or set()))
        if unknown:
            raise ValueError(f"{where} has unknown key(s) {unknown}")
    return raw


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string")
    return value


def _notes(value: Any, where: str) -> str:
    """GX notes: a non-empty string or list of strings (Markdown), as one text."""
    if isinstance(value, list) and value:
        return "\n".join(_text(line, f"{where}[{i}]") for i, line in enumerate(value))
    if isinstance(value, list):
        raise ValueError(f"{where} must be a non-empty string or list of strings")
    return _text(value, where)


def _template_fields(template: str) -> set[str]:
    """The top-level field names a ``str.format`` template uses (ValueError if malformed)."""
    return {
        re.split(r"[.\[]", name, maxsplit=1)[0]
        for _, name, _, _ in string.Formatter().parse(template)
        if name is not None
    }


def _gx_document(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The suite as GX should build it here: ids and rendered content dropped (GX makes its own)."""
    document = {key: copy.deepcopy(value) for key, value in raw.items() if key != "id"}
    document["expectations"] = [_gx_expectation_document(item) for item in raw["expectations"]]
    return document


def _gx_expectation_document(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {key: copy.deepcopy(value) for key, value in raw.items() if key not in {"id", "rendered_content"}}


def _gx_expectation(document: Mapping[str, Any]) -> Expectation:
    return ExpectationConfiguration(**copy.deepcopy(dict(document))).to_domain_obj()


# --- running gates --------------------------------------------------------------------------


def run_gates(
    frames: Mapping[str, pd.DataFrame] | None,
    params: dict[str, float],
    suites_dir: Path,
    data_docs_dir: Path | None = None,
    sql_source: SqlSource | None = None,
    aggregates: Mapping[str, FrameAggregates] | None = None,
) -> pd.DataFrame:
    """Validate every suite per segment; one result row per segment x expectation.

    Without ``sql_source`` GX validates the pandas ``frames``. With ``sql_source`` the expectations
    run as SQL in the warehouse (GX's SQL data source) and ``frames`` may be None. ``aggregates``
    (per frame: its segments and the min / max the messages need, see ``aggregate_columns``) give
    the segment list and the observed values; by default they are computed from ``frames``, so
    with ``sql_source`` pass the warehouse's (``curvehouse.gates.aggregates.aggregate_sql``).

    A segment absent from a suite's frame gets no row for that suite. ``params`` override the
    suites' ``suite_parameters`` (their defaults); GX gets the values as ``expectation_parameters``.
    With ``data_docs_dir``, GX's HTML data docs (suites and every validation result) are built
    there. Rows are ordered by segment, suite file, expectation.
    """
    if frames is None and (sql_source is None or aggregates is None):
        raise ValueError("run_gates needs frames unless it gets both a sql_source and the aggregates")
    suites = load_suites(suites_dir)
    if aggregates is None:
        columns = aggregate_columns(suites)
        aggregates = {name: frame_aggregates(frame, columns.get(name, ())) for name, frame in frames.items()}
    _check_inputs(suites, aggregates, params)
    validated_at = pd.Timestamp.now(tz="UTC")
    context = _context(data_docs_dir)
    checkpoints = _checkpoints(context, suites, sql_source)
    parts = {}
    if sql_source is None:
        parts = {
            name: dict(tuple(frames[name].groupby("segment_id", sort=False))) for name in {s.frame for s in suites}
        }
    segments = sorted(set().union(*(aggregates[suite.frame].segments for suite in suites)), key=str)
    rows = []
    for segment in segments:
        run_id = RunIdentifier(run_name=_run_name(segment), run_time=validated_at.to_pydatetime())
        for suite in suites:
            stats = aggregates[suite.frame].segments.get(segment)
            if stats is None:
                continue
            values = {**suite.parameters, **_overrides(suite, params)}
            checkpoint, expectation_ids = checkpoints[suite.name]
            checkpoint_result = checkpoint.run(
                batch_parameters={"dataframe": parts[suite.frame][segment]}
                if sql_source is None
                else {"segment_id": segment},
                expectation_parameters=values,
                run_id=run_id,
            )
            (suite_result,) = checkpoint_result.run_results.values()
            by_id = {result.expectation_config.id: result for result in suite_result.results}
            rows.extend(
                _result_row(segment, suite, expectation, by_id[gx_id], stats, values, validated_at)
                for expectation, gx_id in zip(suite.expectations, expectation_ids, strict=True)
            )
    if data_docs_dir is not None:
        # Every run above stored its result in the context; one build renders them all and the
        # index once (an UpdateDataDocsAction per checkpoint run rebuilds the index each time).
        context.build_data_docs(site_names=[DATA_DOCS_SITE])
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS)).astype(
        {
            "success": bool,
            "element_count": "int64",
            "unexpected_count": "int64",
            "validated_at": "datetime64[ns, UTC]",
        }
    )


def gate_failures(results: pd.DataFrame) -> list[str]:
    """Messages of the failed error-severity rows: what the gate policy raises on."""
    failed = results[~results["success"].astype(bool) & (results["severity"] == "error")]
    return failed["message"].tolist()


def _overrides(suite: GateSuite, params: Mapping[str, float]) -> dict[str, float]:
    return {name: float(params[name]) for name in suite.parameters if name in params}


def aggregate_columns(suites: list[GateSuite]) -> dict[str, tuple[str, ...]]:
    """Per frame, the expectation columns whose ``observed`` template uses ``min`` or ``max``."""
    columns: dict[str, dict[str, None]] = {}
    for suite in suites:
        for expectation in suite.expectations:
            if _template_fields(expectation.messages.observed) & {"min", "max"}:
                columns.setdefault(suite.frame, {})[expectation.column] = None
    return {frame: tuple(names) for frame, names in columns.items()}


def _check_inputs(suites: list[GateSuite], frames: Mapping[str, FrameAggregates], params: Mapping[str, float]) -> None:
    """Fail early, naming the suite and frame, on a missing frame, column or parameter."""
    declared = {name for suite in suites for name in suite.parameters}
    unknown = sorted(params.keys() - declared)
    if unknown:
        raise ValueError(f"unknown gate parameter(s) {unknown}; suites declare {sorted(declared)}")
    for suite in suites:
        if suite.frame not in frames:
            raise ValueError(
                f"suite '{suite.name}' ({suite.source.name}) validates frame '{suite.frame}', "
                f"which was not given (frames: {sorted(frames)})"
            )
        frame = frames[suite.frame]
        needed = {"segment_id", *suite.unexpected_index_column_names}
        needed.update(expectation.column for expectation in suite.expectations)
        where = f"frame '{suite.frame}' (suite '{suite.name}')"
        missing = sorted(needed - set(frame.columns))
        if missing:
            raise ValueError(f"{where} lacks column(s) {missing}")
        if frame.has_null_segment:
            raise ValueError(f"{where} has null segment_id")


def _context(data_docs_dir: Path | None) -> AbstractDataContext:
    """A fresh in-memory GX context, quiet, whose only data docs site is ``data_docs_dir``."""
    sites: dict[str, dict[str, Any]] = {}
    if data_docs_dir is not None:
        sites[DATA_DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(Path(data_docs_dir).resolve()),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        data_docs_sites=sites,
        progress_bars=ProgressBarsConfig(globally=False),
        analytics_enabled=False,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _checkpoints(
    context: AbstractDataContext, suites: list[GateSuite], sql_source: SqlSource | None = None
) -> dict[str, tuple[gx.Checkpoint, list[str]]]:
    """One checkpoint per suite (with its result format) and the ids of its expectations.

    One pandas data source, one dataframe asset per frame: each segment's rows arrive as the
    batch parameter, so nothing is rebuilt per segment. With ``sql_source``: one SQL data source,
    one query asset per frame, partitioned by segment_id (the segment is a bound parameter).
    """
    frames = list(dict.fromkeys(suite.frame for suite in suites))
    if sql_source is None:
        datasource = context.data_sources.add_pandas("curvehouse_gates")
        batches = {
            frame: datasource.add_dataframe_asset(frame).add_batch_definition_whole_dataframe(frame) for frame in frames
        }
    else:
        datasource = context.data_sources.add_sql(
            "curvehouse_gates",
            connection_string=sql_source.connection_string,
            kwargs=dict(sql_source.engine_kwargs),
        )
        batches = {
            frame: datasource.add_query_asset(frame, query=sql_source.queries[frame]).add_batch_definition(
                frame, partitioner=PartitionerColumnValue(column_name="segment_id")
            )
            for frame in frames
        }
    checkpoints = {}
    for suite in suites:
        gx_suite = context.suites.add(gx.ExpectationSuite(**copy.deepcopy(dict(suite.document))))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batches[suite.frame], suite=gx_suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=suite.name,
                validation_definitions=[definition],
                result_format={
                    "result_format": "COMPLETE",
                    "unexpected_index_column_names": list(suite.unexpected_index_column_names),
                },
            )
        )
        checkpoints[suite.name] = (checkpoint, [e.id for e in gx_suite.expectations])
    return checkpoints


def _run_name(segment: Any) -> str:
    """The segment as a GX run name, which becomes a data docs path component: kept readable,
    made path-safe, with a hash suffix when characters had to be replaced (no collisions)."""
    text = str(segment)
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", text)
    return safe if safe == text else f"{safe}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def _result_row(
    segment: Any,
    suite: GateSuite,
    expectation: GateExpectation,
    result: ExpectationValidationResult,
    stats: Mapping[str, tuple[Any, Any]],
    values: Mapping[str, float],
    validated_at: pd.Timestamp,
) -> dict[str, Any]:
    errors = _gx_errors(result.exception_info)
    if errors:
        raise RuntimeError(
            f"gate suite '{suite.name}' ({suite.source.name}), segment '{segment}', column "
            f"'{expectation.column}': Great Expectations raised: {'; '.join(errors)}"
        )
    details = result.result
    key_columns = (*suite.unexpected_index_column_names, expectation.column)
    keys = [
        {column: _plain(row.get(column)) for column in key_columns}
        for row in details.get("unexpected_index_list") or []
    ]
    counts = {
        "element_count": int(details["element_count"]),
        "unexpected_count": int(details["unexpected_count"]),
    }
    success = bool(result.success)
    low, high = stats.get(expectation.column, (None, None))
    observed = _render(expectation.messages.observed, {**values, **counts, "max": _plain(high), "min": _plain(low)})
    message = _message(suite.name, segment, expectation, success, observed, keys, counts, values)
    return {
        "segment_id": segment,
        "gate": suite.name,
        "rule": expectation.rule,
        "expectation": expectation.type,
        "severity": expectation.severity,
        "success": success,
        "observed_value": observed,
        **counts,
        "offending_keys": json.dumps(keys[:MAX_OFFENDING_KEYS]),
        "message": message,
        "validated_at": validated_at,
    }


def _gx_errors(info: Mapping[str, Any] | None) -> list[str]:
    """GX's exception messages for one result: flat, or keyed by metric when a metric failed."""
    if not info:
        return []
    if "raised_exception" in info:
        return [str(info.get("exception_message"))] if info["raised_exception"] else []
    nested = [value for value in info.values() if isinstance(value, dict)]
    return [message for value in nested for message in _gx_errors(value)]


def _message(
    gate: str,
    segment: Any,
    expectation: GateExpectation,
    success: bool,
    observed: str,
    keys: list[dict[str, Any]],
    counts: Mapping[str, int],
    values: Mapping[str, float],
) -> str:
    """One line: "gate: segment 'x' passed: observed" or the first offenders and how many more."""
    head = f"{gate}: segment '{segment}'"
    if success:
        return f"{head} passed: {observed}"
    templates = expectation.messages
    shown = [_render(templates.offender, {**values, **key}) for key in keys[:OFFENDERS_IN_MESSAGE]]
    more = counts["unexpected_count"] - len(shown)
    offenders = templates.separator.join(shown + ([f"and {more:,} more"] if more > 0 else []))
    return f"{head}, " + _render(templates.failure, {**values, **counts, "offenders": offenders})


class _NullSafeFormatter(string.Formatter):
    """Renders a missing value as 'null' whatever its format spec (e.g. a null spend)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        return "null" if value is None else super().format_field(value, format_spec)


def _render(template: str, fields: Mapping[str, Any]) -> str:
    return _NullSafeFormatter().vformat(template, (), fields)


def _plain(value: Any) -> Any:
    """A JSON-safe scalar: ISO dates, Python numbers, None for any kind of missing."""
    if value is None or pd.isna(value):
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, np.generic):
        return value.item()
    return value
