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

__all__ = ["History", "current_parameters_sql", "read_history"]

_RUN_IDS = "select distinct run_id from {this} where artifact = 'run'"

# The current run of a segment is its most recently refreshed published run (as mmm_model_runs says).
# Its window and length come along: a refresh converts the trend and control effects it holds from
# them (curvehouse.fitting.anchors).
_CURRENT_PARAMETERS = """
with runs as (
    select
        run_id,
        segment_id,
        max(case when parameter = 'status' then details end) as status,
        max(case when parameter = 'refreshed_at' then details end) as refreshed_at,
        max(case when parameter = 'data_window_start' then details end) as window_start,
        max(case when parameter = 'data_window_end' then details end) as window_end,
        max(case when parameter = 'n_weeks' then value end) as n_weeks
    from {this}
    where
        artifact = 'run'
        and parameter in ('status', 'refreshed_at', 'data_window_start', 'data_window_end', 'n_weeks')
    group by run_id, segment_id
),
ranked as (
    select
        run_id,
        window_start,
        window_end,
        n_weeks,
        row_number() over (partition by segment_id order by refreshed_at desc, run_id desc) as n
    from runs
    where status = '{published}'
)
select
    artifacts.segment_id,
    artifacts.channel,
    artifacts.parameter,
    artifacts.mean,
    artifacts.sd,
    artifacts.run_id,
    ranked.window_start,
    ranked.window_end,
    ranked.n_weeks
from {this} as artifacts
inner join ranked on artifacts.run_id = ranked.run_id and ranked.n = 1
where artifacts.artifact = 'parameter' and (artifacts.channel is not null or artifacts.parameter = '{trend}')
"""


def current_parameters_sql(this: str) -> str:
    """Posterior mean and sd per channel parameter, control effect and trend of each segment's current
    run, with its run id, data window and number of weeks."""
    return _CURRENT_PARAMETERS.format(this=this, published=k.STATUS_PUBLISHED, trend=k.TREND)


@dataclass(frozen=True)
class History:
    """What the fit needs from earlier builds."""

    run_ids: frozenset[str]  # stored runs, published or rejected: fitting them again would change nothing
    # segment_id, channel, parameter, mean, sd, run_id, window_start, window_end, n_weeks of the current runs
    current_parameters: pd.DataFrame | None

    @classmethod
    def empty(cls) -> History:
        return cls(frozenset(), None)


def read_history(session: Any, this: str) -> History:
    """The runs and current parameters stored in the artifact table ``this`` (a DuckDB connection or
    a Snowpark session; on DuckDB any registered frame of artifact rows works too)."""
    run_ids = frozenset(warehouse.query(session, _RUN_IDS.format(this=this))["run_id"])
    params = warehouse.query(session, current_parameters_sql(this))
    return History(run_ids, params if not params.empty else None)
