"""The project's methodology settings with a user's ``--vars`` override merged over them.

dbt replaces a var wholesale: ``--vars '{mmm: {noise: student_t}}'`` makes ``var('mmm')`` a dict
with one key. The project's own values reach every model as the config ``project_settings``
(dbt_project.yml points it at the same YAML as its vars), so a Python model merges the var over
them here, key by key at every depth; SQL models read single settings through the macro
``setting`` with the same precedence.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["merge", "merged_setting"]


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: nested mappings merge key by key, any other value replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def merged_setting(
    project_settings: Mapping[str, Any] | None, name: str, var_value: str | Mapping | None
) -> dict[str, Any]:
    """The setting ``name`` as this build should use it: the model's ``var(name)`` (JSON text or a
    mapping; the user's override, or the project's value where there is none) merged over the
    project's own value from the ``project_settings`` config."""
    override = json.loads(var_value) if isinstance(var_value, str) else (var_value or {})
    if not isinstance(override, Mapping):
        raise TypeError(f"var {name!r} must be a mapping of settings, got {override!r}")
    return merge((project_settings or {}).get(name) or {}, override)
