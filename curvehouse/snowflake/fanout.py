"""Fan the fit out over Snowflake: one vectorized-UDTF partition per segment.

Called from the fit_segments dbt Python model when its session is Snowpark. The UDTF's packages
come either from Snowflake's Anaconda channel or from the PyPI artifact repository (which needs an
x86 warehouse), as var ``snowflake_fit`` says; the curvehouse package itself comes from a stage
(var ``snowflake_imports``). Only pandas is imported here: JAX loads inside the UDTF.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from curvehouse.published import History
from curvehouse.snowflake.partition import OUTPUT_SCHEMA, PartitionFit

__all__ = ["UdtfSettings", "fit_on_snowpark", "output_schema"]

PACKAGE_SOURCES = ("anaconda", "pypi")
PARTITION_COLUMN = "SEGMENT_ID"


@dataclass(frozen=True)
class UdtfSettings:
    """Where the fit UDTF gets its packages (var ``snowflake_fit``) and code (var ``snowflake_imports``)."""

    package_source: str
    anaconda_packages: tuple[str, ...]
    pypi_packages: tuple[str, ...]
    artifact_repository: str | None
    resource_constraint: dict[str, str] | None
    imports: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.package_source not in PACKAGE_SOURCES:
            raise ValueError(
                f"var snowflake_fit.package_source must be one of {PACKAGE_SOURCES}, got {self.package_source!r}"
            )
        if self.package_source == "pypi" and not self.artifact_repository:
            raise ValueError(
                "var snowflake_fit.package_source is 'pypi' but snowflake_fit.artifact_repository "
                "is empty (Snowflake's shared one is snowflake.snowpark.pypi_shared_repository)"
            )

    @classmethod
    def from_vars(cls, fit: dict, imports: list[str] | None) -> UdtfSettings:
        """From the parsed vars; unknown keys are errors that name the var."""
        known = {"package_source", "anaconda_packages", "pypi_packages", "artifact_repository", "resource_constraint"}
        unknown = sorted(set(fit) - known)
        if unknown:
            raise ValueError(f"var snowflake_fit has unknown key(s) {unknown}; known: {sorted(known)}")
        return cls(
            package_source=str(fit.get("package_source", "anaconda")),
            anaconda_packages=tuple(fit.get("anaconda_packages") or ()),
            pypi_packages=tuple(fit.get("pypi_packages") or ()),
            artifact_repository=fit.get("artifact_repository") or None,
            resource_constraint=dict(fit["resource_constraint"]) if fit.get("resource_constraint") else None,
            imports=tuple(imports or ()),
        )

    def register_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for the UDTF registration behind ``apply_in_pandas``."""
        kwargs: dict[str, Any] = {"imports": list(self.imports)} if self.imports else {}
        if self.package_source == "pypi":
            kwargs["packages"] = list(self.pypi_packages)
            kwargs["artifact_repository"] = self.artifact_repository
            if self.resource_constraint:
                kwargs["resource_constraint"] = dict(self.resource_constraint)
        else:
            kwargs["packages"] = list(self.anaconda_packages)
        return kwargs


def output_schema():
    """The UDTF's output schema (Snowpark StructType) from partition.OUTPUT_SCHEMA."""
    from snowflake.snowpark.types import DoubleType, StringType, StructField, StructType, TimestampType

    types = {"string": StringType, "double": DoubleType, "timestamp": TimestampType}
    return StructType([StructField(name, types[kind]()) for name, kind in OUTPUT_SCHEMA.items()])


def fit_on_snowpark(
    model_input: Any,
    registry: pd.DataFrame,
    config: dict,
    history: History,
    settings: UdtfSettings,
    experiments: pd.DataFrame | None = None,
    posterior_store: bool = False,
) -> Any:
    """A Snowpark DataFrame of the new runs' artifacts: model_input (Snowpark, upper-case columns)
    grouped by segment, each group fitted by PartitionFit in its own UDTF partition (with the lift
    tests, stg_raw__experiments as pandas, shipped to every partition); with posterior_store, also
    the published runs' full posteriors as pieces (curvehouse.snowflake.posteriors.stage_posteriors
    puts them on a stage)."""
    fitter = PartitionFit(
        registry=registry,
        config=config,
        existing_run_ids=history.run_ids,
        previous=history.current_parameters,
        experiments=experiments,
        posterior_store=posterior_store,
    )
    grouped = model_input.group_by(PARTITION_COLUMN)
    return grouped.apply_in_pandas(fitter, output_schema=output_schema(), **settings.register_kwargs())
