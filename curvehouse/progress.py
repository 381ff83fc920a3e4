"""Progress lines for long work (fits, surface enumeration) through standard ``logging``.

Inside a dbt run on DuckDB the Python models execute in dbt's own process: ``dbt_progress``
attaches dbt's event handler to the ``curvehouse`` logger, so each line lands in logs/dbt.log
and on the terminal with dbt's own timestamps. Elsewhere (Snowflake's Python runtime, plain
Python) it is the standard logger, which Snowflake records in the account's event table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

__all__ = ["LOGGER_NAME", "dbt_progress"]

LOGGER_NAME = "curvehouse"


def dbt_progress(name: str = LOGGER_NAME) -> Callable[[str], None]:
    """An INFO-level progress function for ``name``, routed into dbt's log when dbt is running us."""
    logger = logging.getLogger(name)
    try:
        from dbt.adapters.events.logging import AdapterLogger
        from dbt_common.events.event_handler import DbtEventLoggingHandler
    except ImportError:  # not inside dbt
        logger.setLevel(logging.INFO)
        return logger.info
    if not any(isinstance(h, DbtEventLoggingHandler) for h in logger.handlers):
        AdapterLogger.set_adapter_dependency_log_level(name, "INFO")
    return logger.info
