"""Read back what earlier builds of ``fit_segments`` stored: which runs exist, which are current, and
the current runs' parameter summaries (refresh-mode priors).

Only those few rows are read, in SQL inside the warehouse (DuckDB or Snowflake), so the cost of a
build does not grow with the draws, curve points and decompositions that history accumulates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from curvehouse import constants as k
from curvehouse import warehouse

__all__ = ["History", "current_parameters_sql", "read_history", "runs_sql"]

_RUNS = """
select
    run_id,
    segment_id,
    max(case when parameter = 'status' then details end) as status,
    max(case when parameter = 'refreshed_at' then details end) as refreshed_at
from {this}
where artifact = 'run' and parameter in ('status', 'refreshed_at')
group by run_id, segment_id
"""

# The current run of a segment is its most recently refreshed published run (as mmm_model_runs says).
_CURRENT_PARAMETERS = """
with runs as ({runs}),
ranked as (
    select run_id, row_number() over (partition by segment_id order by refreshed_at desc, run_id desc) as n
    from runs
    where status = '{published}'
)
select artifacts.segment_id, artifacts.channel, artifacts.parameter, artifacts.mean, artifacts.sd
from {this} as artifacts
inner join ranked on artifacts.run_id = ranked.run_id and ranked.n = 1
where artifacts.artifact = 'parameter' and artifacts.channel is not null
"""


def runs_sql(this: str) -> str:
    """One row per stored run: run_id, segment_id, status, refreshed_at (text, sortable)."""
    return _RUNS.format(this=this)


def current_parameters_sql(this: str) -> str:
    """Posterior mean and sd per channel parameter of each segment's current run."""
    return _CURRENT_PARAMETERS.format(runs=runs_sql(this), this=this, published=k.STATUS_PUBLISHED)


@dataclass(frozen=True)
class History:
    """What the fit needs from earlier builds."""

    runs: pd.DataFrame  # run_id, segment_id, status, refreshed_at
    current_parameters: pd.DataFrame | None  # segment_id, channel, parameter, mean, sd

    @property
    def run_ids(self) -> frozenset[str]:
        """Run ids already stored (published or rejected): fitting them again would change nothing."""
        return frozenset(self.runs["run_id"])

    @classmethod
    def empty(cls) -> History:
        return cls(pd.DataFrame(columns=["run_id", "segment_id", "status", "refreshed_at"]), None)


def read_history(session: Any, this: str) -> History:
    """The runs and current parameters stored in the artifact table ``this`` (a DuckDB connection or
    a Snowpark session; on DuckDB any registered frame of artifact rows works too)."""
    params = warehouse.query(session, current_parameters_sql(this))
    return History(warehouse.query(session, runs_sql(this)), params if not params.empty else None)
