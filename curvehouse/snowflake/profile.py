"""A dbt profile's Snowflake target as a connection, for commands that read the built tables
(`curvehouse report --target snowflake`): the same profiles.yml and environment dbt uses."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import yaml

__all__ = ["PROFILE", "connect", "report_schemas", "target_settings"]

PROFILE = "curvehouse"  # dbt_project.yml's profile
CONNECT_KEYS = ("account", "user", "password", "authenticator", "role", "warehouse", "database", "schema")
AGENT_SCHEMA_SUFFIX = "_agent"  # dbt's custom schema of the agent views: <target schema>_agent


def target_settings(profiles_dir: Path, target: str, profile: str = PROFILE) -> dict[str, Any]:
    """The target's settings from <profiles_dir>/profiles.yml, env_var() rendered as dbt renders it
    (a variable without a default must be set)."""
    path = Path(profiles_dir) / "profiles.yml"
    if not path.is_file():
        raise FileNotFoundError(f"no profiles.yml in {profiles_dir} (--profiles-dir, env DBT_PROFILES_DIR)")
    outputs = (yaml.safe_load(path.read_text()) or {}).get(profile, {}).get("outputs", {})
    if target not in outputs:
        raise KeyError(f"{path}: profile {profile!r} has no target {target!r} (it has {', '.join(outputs) or 'none'})")

    def env_var(name: str, default: str | None = None) -> str:
        if name in os.environ:
            return os.environ[name]
        if default is None:
            raise KeyError(f"{path}: target {target!r} needs the environment variable {name}")
        return default

    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return {
        key: environment.from_string(value).render(env_var=env_var) if isinstance(value, str) else value
        for key, value in outputs[target].items()
    }


def connect(settings: dict[str, Any]) -> Any:
    """A snowflake-connector-python connection with the target's credentials (empty ones left out)."""
    import snowflake.connector

    if settings.get("type") != "snowflake":
        raise ValueError(f"target type {settings.get('type')!r} is not snowflake")
    return snowflake.connector.connect(**{k: settings[k] for k in CONNECT_KEYS if settings.get(k)})


def report_schemas(settings: dict[str, Any]) -> list[str]:
    """Where the report's tables live: the target schema and its agent views' schema."""
    schema = str(settings["schema"])
    return [schema, f"{schema}{AGENT_SCHEMA_SUFFIX}"]
