"""The Python side of every published table agrees with the table's YAML contract.

The contracts (models/**/_*__models.yml: contract enforced, a data_type per column) are the one
source of a mart's columns: the marts' typed selects are generated from them (macros/contract_select.sql).
The Python models state what they produce in Python, because the curvehouse package runs on
Snowflake without the YAML: the planning tables' column lists (curvehouse.planning.schema, which
shaped() reindexes to), the fit artifacts (curvehouse.posterior.summaries.ARTIFACT_COLUMNS), the
BYOMM curves and rejections (curvehouse.byomm.landing) and the gate results
(curvehouse.gates.runner.RESULT_COLUMNS). Here each is compared with the contract it feeds, names in
order and, where Python declares a dtype, a compatible SQL type: a column renamed, dropped, moved
or retyped on one side only fails here, in well under a second (YAML read with PyYAML, Python
constants read with ast - no dbt, no heavy imports).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from curvehouse.planning.schema import PLANNING_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
# Marts typed straight from one Python model (select * from ref(<python model>), then contract_select).
PYTHON_FED_MARTS = {
    **{
        mart: "planning_" + stem
        for mart, stem in {
            "mmm_planning_channels": "channels",
            "mmm_planning_curve_draws": "curve_draws",
            "mmm_response_surface": "surface",
            "mmm_efficient_frontier": "frontier",
            "mmm_scenarios": "scenarios",
            "mmm_scenario_sensitivity": "scenario_sensitivity",
            "mmm_saturation_audit": "audit",
            "mmm_reallocation_proposals": "proposals",
            "mmm_attribution_agreement": "agreement",
            "mmm_alerts": "alerts",
        }.items()
    },
    "mmm_gate_results": "gate_segments",
    "mmm_byomm_rejections": "byomm_landing_rejections",
}
# Fit marts that type fit_segments' artifact rows through contract_select (renames in its expressions).
FIT_ARTIFACT_MARTS = (
    "mmm_posterior_draws",
    "mmm_channel_parameters",
    "mmm_decomposition_weekly",
    "mmm_backtests",
)
# pandas dtype the Python side declares -> contract data types a value of it publishes as.
COMPATIBLE = {
    "object": {"varchar"},
    "string": {"varchar"},
    "float64": {"double", "integer", "bigint"},
    "int64": {"bigint", "integer"},
    "bool": {"boolean"},
    "datetime64[ns]": {"timestamp", "date"},
}


@cache
def yaml_models() -> dict[str, dict]:
    """Every model entry of the project's YAML, by name."""
    models = {}
    for path in [*ROOT.glob("models/**/_*.yml"), *ROOT.glob("python_models/**/_*.yml")]:
        for entry in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            models[entry["name"]] = entry
    return models


def contract(model: str) -> dict[str, str]:
    """The model's contract: column -> data_type, in contract order."""
    entry = yaml_models()[model]
    assert entry.get("config", {}).get("contract", {}).get("enforced"), f"{model} has no enforced contract"
    return {c["name"]: c["data_type"] for c in entry["columns"]}


def yaml_columns(model: str) -> list[str]:
    return [c["name"] for c in yaml_models()[model].get("columns", [])]


def model_sql(model: str) -> str:
    (path,) = ROOT.glob(f"models/**/{model}.sql")
    return path.read_text()


def python_constant(module: str, name: str):
    """A module-level literal (tuple, list, dict) read from the source, without importing the module."""
    tree = ast.parse((ROOT / module).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{module} defines no literal {name}")


def python_side(python_model: str, mart: str) -> dict[str, str | None]:
    """Columns the Python model declares it produces: column -> pandas dtype (None where not declared)."""
    if python_model.startswith("planning_"):
        return dict.fromkeys(PLANNING_COLUMNS[mart])
    if python_model == "gate_segments":
        return dict.fromkeys(python_constant("curvehouse/gates/runner.py", "RESULT_COLUMNS"))
    if python_model == "byomm_landing_rejections":
        return python_constant("curvehouse/byomm/landing.py", "REJECTION_COLUMNS")
    raise AssertionError(f"no Python column list known for {python_model}")


def compatible(dtype: str | None, data_type: str) -> bool:
    return dtype is None or data_type in COMPATIBLE.get(dtype, set())


def expressions(sql: str) -> dict[str, str]:
    """contract_select's expressions in a model: contract column -> the SQL (as written) it is computed from."""
    block = re.search(r"expressions=\{(.*?)\}\) \}\}", sql, re.DOTALL)
    return dict(re.findall(r"'(\w+)':\s*(.+?),?\s*$", block.group(1), re.MULTILINE)) if block else {}


def typed_from_python_models() -> dict[str, str]:
    """Every mart whose contract_select reads a CTE that is `select * from ref(<Python model>)`."""
    python_models = {p.stem for p in ROOT.glob("python_models/**/*.py")}
    found = {}
    for path in ROOT.glob("models/**/*.sql"):
        sql = path.read_text()
        ctes = dict(re.findall(r"(\w+) as \(\s*select \* from \{\{ ref\('(\w+)'\) \}\}\s*\)", sql))
        for source in re.findall(r"contract_select\('(\w+)'", sql):
            if ctes.get(source) in python_models:
                found[path.stem] = ctes[source]
    return found


def test_every_mart_typed_from_a_python_model_is_checked_here():
    assert typed_from_python_models() == PYTHON_FED_MARTS
    assert set(PLANNING_COLUMNS) == {m for m, p in PYTHON_FED_MARTS.items() if p.startswith("planning_")}


@pytest.mark.parametrize("mart", sorted(PYTHON_FED_MARTS))
def test_python_columns_are_the_contract(mart):
    declared, published = python_side(PYTHON_FED_MARTS[mart], mart), contract(mart)
    assert list(declared) == list(published)
    assert {c: (t, published[c]) for c, t in declared.items() if not compatible(t, published[c])} == {}


def test_contract_select_is_only_used_on_fully_typed_contracts():
    users = [p.stem for p in ROOT.glob("models/**/*.sql") if "contract_select(" in p.read_text()]
    assert users
    untyped = {m: [c["name"] for c in yaml_models()[m]["columns"] if not c.get("data_type")] for m in users}
    assert {m: cols for m, cols in untyped.items() if cols} == {}
    assert all(contract(m) for m in users)


def test_fit_artifacts_are_fit_segments_columns():
    assert list(python_constant("curvehouse/posterior/summaries.py", "ARTIFACT_COLUMNS")) == yaml_columns(
        "fit_segments"
    )


@pytest.mark.parametrize("mart", FIT_ARTIFACT_MARTS)
def test_fit_marts_read_artifact_columns(mart):
    """Each contract column is an artifact column read by name, a rename of one, or a column the mart joins in."""
    artifacts = python_constant("curvehouse/posterior/summaries.py", "ARTIFACT_COLUMNS")
    sql = model_sql(mart)
    assert re.search(r"select \* from \{\{ ref\('fit_segments'\) \}\}", sql)
    joined = set(re.findall(r"^\s+runs\.(\w+),?$", sql, re.MULTILINE))
    computed = expressions(sql)
    mismatched = {}
    for column, data_type in contract(mart).items():
        if column in joined:
            continue
        source = computed.get(column, f"'{column}'")
        plain = re.fullmatch(r"'(\w+)'|\"(\w+)\"|column_ref\('(\w+)'\)", source)
        if plain is None:
            continue  # an expression (case when ...): its columns are checked by the dbt build
        name = next(g for g in plain.groups() if g)
        if name not in artifacts or not compatible(artifacts[name], data_type):
            mismatched[column] = (name, artifacts.get(name), data_type)
    assert mismatched == {}


def test_byomm_curves_are_ingest_columns_and_mmm_curves_contract():
    curves = python_constant("curvehouse/byomm/landing.py", "CURVE_COLUMNS")
    assert list(curves) == yaml_columns("byomm_ingest")
    # int_curves_byomm stores load_id as run_id; mmm_curves publishes those columns, then three of its own.
    stored = {("run_id" if c == "load_id" else c): t for c, t in curves.items()}
    published = contract("mmm_curves")
    own = ["staleness_days", "is_current", "is_latest_version"]
    assert list(published)[-3:] == own
    assert list(published)[:-3] == yaml_columns("int_curves_byomm")
    assert set(stored) == set(yaml_columns("int_curves_byomm"))
    assert {c: (t, published[c]) for c, t in stored.items() if not compatible(t, published[c])} == {}


def test_mmm_curves_unions_the_contract_columns_it_does_not_compute():
    """mmm_curves names the columns it unions (its dbt unit tests cannot read the contract): the
    contract's, in order."""
    block = re.search(r"set curve_columns = \[(.*?)\]", model_sql("mmm_curves"), re.DOTALL)
    assert re.findall(r"'(\w+)'", block.group(1)) == list(contract("mmm_curves"))[:-3]


def test_byomm_rejections_are_the_python_models_columns():
    rejections = python_constant("curvehouse/byomm/landing.py", "REJECTION_COLUMNS")
    assert list(rejections) == yaml_columns("byomm_landing_rejections")
