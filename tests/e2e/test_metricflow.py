"""The dbt semantic layer (models/semantic/, docs/metrics.md) on the demo build: MetricFlow validates
the semantic manifest against the warehouse, every metric is documented, and each documented
`mf query` command answers what SQL over the published marts, computed here independently, says."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.e2e.conftest import PROJECT_DIR

pytestmark = pytest.mark.e2e

pytest.importorskip(
    "dbt_metricflow",
    reason="dbt-metricflow is not installed (the metrics extra: pip install -c constraints.txt -e '.[metrics]'; "
    "scripts/setup.sh installs it)",
)
MF = Path(sys.executable).parent / "mf"
DOCS = PROJECT_DIR / "docs" / "metrics.md"
DATABASE = "curvehouse.duckdb"  # the demo build's file: the semantic manifest names its database "curvehouse"

# Current runs only: the marts' own flag (mmm_model_runs.is_current carried onto every fit mart).
CHANNELS = "select * from mmm_channel_summary where is_current"
WEEKS = "select * from mmm_decomposition_weekly where is_current"

# Each documented command -> the SQL over the marts that must give the same answer (keys: the
# group-by columns; the other columns: the metrics, compared with a relative tolerance).
EXPECTED = {
    "mf query --metrics spend,incremental_revenue,roi,marginal_roi,contribution_share,spend_share "
    "--group-by segment,channel": f"""
        select
            segment_id as segment,
            channel,
            spend,
            contribution_mean as incremental_revenue,
            contribution_mean / spend as roi,
            marginal_roi_mean as marginal_roi,
            contribution_mean / sum(contribution_mean) over (partition by segment_id) as contribution_share,
            spend / sum(spend) over (partition by segment_id) as spend_share
        from ({CHANNELS})""",
    "mf query --metrics spend,roi,contribution_share --group-by channel": f"""
        with channels as ({CHANNELS}),

        segments as (select segment_id, sum(contribution_mean) as incremental_revenue from channels group by all)

        select
            channels.channel,
            sum(channels.spend) as spend,
            sum(channels.contribution_mean) / sum(channels.spend) as roi,
            sum(channels.contribution_mean) / sum(segments.incremental_revenue) as contribution_share
        from channels
        inner join segments on channels.segment_id = segments.segment_id
        group by channels.channel""",
    "mf query --metrics brand_share,performance_share,brand_spend_share,performance_spend_share,roi,marginal_roi "
    "--group-by segment": f"""
        select
            segment_id as segment,
            sum(contribution_mean) filter (where channel_group = 'brand') / sum(contribution_mean) as brand_share,
            sum(contribution_mean) filter (where channel_group = 'performance') / sum(contribution_mean)
                as performance_share,
            sum(spend) filter (where channel_group = 'brand') / sum(spend) as brand_spend_share,
            sum(spend) filter (where channel_group = 'performance') / sum(spend) as performance_spend_share,
            sum(contribution_mean) / sum(spend) as roi,
            sum(marginal_roi_mean * current_weekly_spend) / sum(current_weekly_spend) as marginal_roi
        from ({CHANNELS})
        group by segment_id""",
    "mf query --metrics spend,incremental_revenue,roi --group-by channel_run__channel_group": f"""
        select
            channel_group as channel_run__channel_group,
            sum(spend) as spend,
            sum(contribution_mean) as incremental_revenue,
            sum(contribution_mean) / sum(spend) as roi
        from ({CHANNELS})
        group by channel_group""",
    "mf query --metrics incremental_revenue_weekly,revenue,media_share_of_revenue "
    "--group-by metric_time__week,segment": f"""
        select
            week_start as metric_time__week,
            segment_id as segment,
            sum(value_mean) filter (where component_kind in ('channel', 'organic')) as incremental_revenue_weekly,
            sum(value_mean) filter (where component_kind = 'actual') as revenue,
            sum(value_mean) filter (where component_kind in ('channel', 'organic'))
                / sum(value_mean) filter (where component_kind = 'actual') as media_share_of_revenue
        from ({WEEKS})
        group by week_start, segment_id""",
    "mf query --metrics incremental_revenue_weekly --group-by metric_time__quarter,channel_run__channel_group": f"""
        select
            date_trunc('quarter', weeks.week_start) as metric_time__quarter,
            channels.channel_group as channel_run__channel_group,
            sum(weeks.value_mean) as incremental_revenue_weekly
        from ({WEEKS}) as weeks
        inner join mmm_channel_summary as channels
            on weeks.run_id = channels.run_id and weeks.channel = channels.channel
        where weeks.component_kind in ('channel', 'organic')
        group by all""",
    "mf query --metrics spend_all_runs,roi_all_runs --group-by model_run,segment": """
        select
            run_id as model_run,
            segment_id as segment,
            sum(spend) as spend_all_runs,
            sum(contribution_mean) / sum(spend) as roi_all_runs
        from mmm_channel_summary
        group by run_id, segment_id""",
}

# The saved queries (models/semantic/_semantic__saved_queries.yml) -> the documented command they must equal,
# with the extra group-by columns the saved query adds.
SAVED = {
    "mf query --saved-query channel_performance": (next(iter(EXPECTED)), ["channel_run__channel_group"]),
    "mf query --saved-query brand_vs_performance": (next(c for c in EXPECTED if "brand_share" in c), []),
    "mf query --saved-query weekly_incremental_revenue": (next(c for c in EXPECTED if "__week" in c), []),
}


def documented_commands() -> list[str]:
    """The `mf query` commands of docs/metrics.md's ```bash blocks, in order, each once (comments cut)."""
    blocks = re.findall(r"```bash\n(.*?)```", DOCS.read_text(), flags=re.S)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return list(dict.fromkeys(line for line in lines if line.startswith("mf query")))


@pytest.fixture(scope="module")
def mf_project(demo_build, tmp_path_factory) -> Path:
    """A folder MetricFlow runs in: the project file, the demo build's semantic manifest in target/ (mf
    reads it from there) and a copy of the demo database under the same file name (the manifest names
    relations by database, the file's stem), so mf opens nothing the other tests share.

    The copy gets a superseded run per segment (the current run's rows under another run id, not
    current, spend x 2, contributions x 3), so that the current-run filters have something to leave
    out and the every-run metrics something to compare."""
    folder = tmp_path_factory.mktemp("metricflow")
    shutil.copy(PROJECT_DIR / "dbt_project.yml", folder / "dbt_project.yml")
    (folder / "target").mkdir()
    shutil.copy(demo_build.target_dir / "semantic_manifest.json", folder / "target" / "semantic_manifest.json")
    assert demo_build.db_path.name == DATABASE
    shutil.copy(demo_build.db_path, folder / DATABASE)
    old = "run_id || '-superseded' as run_id, false as is_current"
    with duckdb.connect(str(folder / DATABASE)) as con:
        con.execute(f"""
            insert into mmm_model_runs
            select * replace ({old}, refreshed_at - interval 28 day as refreshed_at) from mmm_model_runs;
            insert into mmm_channel_summary
            select * replace ({old}, spend * 2 as spend, contribution_mean * 3 as contribution_mean)
            from mmm_channel_summary;
            insert into mmm_decomposition_weekly
            select * replace ({old}, value_mean * 3 as value_mean) from mmm_decomposition_weekly;
        """)
    return folder


def query(folder: Path, sql: str) -> pd.DataFrame:
    """SQL over the marts of the folder's database."""
    with duckdb.connect(str(folder / DATABASE), read_only=True) as con:
        return con.sql(sql).df()


@pytest.fixture(scope="module")
def answers(mf_project) -> dict[str, pd.DataFrame]:
    """Each `mf query` command line's answer, run once (see mf_query)."""
    return {}


def mf(folder: Path, args: list[str]) -> subprocess.CompletedProcess:
    """Run mf as the docs do: the project's profile, the database in CURVEHOUSE_DUCKDB_PATH."""
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
        "DBT_PROJECT_DIR": str(folder),
        "CURVEHOUSE_DUCKDB_PATH": str(folder / DATABASE),
    }
    return subprocess.run([str(MF), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def mf_query(folder: Path, answers: dict[str, pd.DataFrame], command: str) -> pd.DataFrame:
    """A documented `mf query ...` command line's answer, as a frame (through --csv)."""
    if command not in answers:
        args = shlex.split(command)
        assert args[:2] == ["mf", "query"], command
        csv = folder / f"answer{len(answers)}.csv"
        proc = mf(folder, [*args[1:], "--csv", str(csv), "--quiet"])
        assert proc.returncode == 0 and csv.exists(), command + "\n" + proc.stdout[-3000:] + proc.stderr[-3000:]
        answers[command] = pd.read_csv(csv)
    return answers[command]


def assert_same(got: pd.DataFrame, expected: pd.DataFrame, command: str) -> None:
    """The same rows (keyed by the text and time columns, the group-by) and metrics (to 1e-9)."""
    assert sorted(got.columns) == sorted(expected.columns), (command, list(got.columns), list(expected.columns))
    keys = [c for c in got.columns if c.startswith("metric_time") or got[c].dtype == object]
    metrics = [c for c in got.columns if c not in keys]
    assert keys and metrics, command
    frames = []
    for frame in (got, expected):
        frame = frame.copy()
        for key in keys:
            if key.startswith("metric_time"):  # mf: timestamps as text; the marts: dates
                frame[key] = pd.to_datetime(frame[key]).dt.date
        frames.append(frame.set_index(keys).sort_index())
    got, expected = frames
    assert list(got.index) == list(expected.index), command
    for metric in metrics:
        np.testing.assert_allclose(
            got[metric].to_numpy(float), expected[metric].to_numpy(float), rtol=1e-9, err_msg=f"{command}: {metric}"
        )


def test_the_documented_queries_are_the_checked_ones():
    assert documented_commands() == [*EXPECTED, *SAVED]


def test_every_metric_is_documented(demo_build):
    manifest = json.loads((demo_build.target_dir / "semantic_manifest.json").read_text())
    documented = re.findall(r"^\| `(\w+)` \|.*\| (?:current|every) \|$", DOCS.read_text(), flags=re.M)
    assert sorted(documented) == sorted(metric["name"] for metric in manifest["metrics"])
    assert sorted(model["name"] for model in manifest["semantic_models"]) == [
        "channel_runs",
        "decomposition_weeks",
        "model_runs",
    ]
    assert sorted(query["name"] for query in manifest["saved_queries"]) == sorted(c.split()[-1] for c in SAVED)
    spines = manifest["project_configuration"]["time_spines"]
    assert [(s["node_relation"]["alias"], s["primary_column"]["time_granularity"]) for s in spines] == [
        ("metricflow_time_spine", "day")
    ]


def test_metricflow_validates_the_semantic_manifest_against_the_warehouse(mf_project):
    # dbt parse already ran dbt's semantic validation (the demo build passed); mf runs its own and
    # queries every semantic model, dimension, entity, measure and metric on the demo database.
    proc = mf(mf_project, ["validate-configs"])
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-5000:]
    assert "Breaking issues" not in output and "Successfully validated metrics against data warehouse" in output


@pytest.mark.parametrize("command", list(EXPECTED))
def test_a_documented_query_answers_what_the_marts_say(mf_project, answers, command):
    got = mf_query(mf_project, answers, command)
    assert len(got) > 0, command
    assert_same(got, query(mf_project, EXPECTED[command]), command)


@pytest.mark.parametrize("saved", list(SAVED))
def test_a_saved_query_answers_as_its_documented_query(mf_project, answers, saved):
    command, extra = SAVED[saved]
    expected = query(mf_project, EXPECTED[command])
    if extra:  # the channel's group, beside segment and channel
        groups = query(mf_project, f"select segment_id as segment, channel, channel_group from ({CHANNELS})")
        expected = expected.merge(groups.rename(columns={"channel_group": extra[0]}))
    assert_same(mf_query(mf_project, answers, saved), expected, saved)


def test_one_answer_per_segment_from_its_current_run(mf_project, answers):
    current = query(mf_project, "select segment_id, run_id from mmm_model_runs where is_current")
    assert len(query(mf_project, "select * from mmm_model_runs")) == 2 * len(current)  # and a superseded one each
    got = mf_query(mf_project, answers, "mf query --metrics spend --group-by segment,model_run")
    assert sorted(zip(got["segment"], got["model_run"], strict=True)) == sorted(
        zip(current["segment_id"], current["run_id"], strict=True)
    )


def test_a_channel_roi_is_the_summary_roi(mf_project, answers):
    # The posterior mean ROI the mart publishes (mean over draws, stored at float precision) is
    # contribution_mean / spend: the semantic layer's ratio of sums, for one channel in one segment.
    got = mf_query(mf_project, answers, next(iter(EXPECTED))).set_index(["segment", "channel"]).sort_index()
    summary = query(mf_project, f"select segment_id as segment, channel, roi_mean from ({CHANNELS})")
    summary = summary.set_index(["segment", "channel"]).sort_index()
    assert list(got.index) == list(summary.index)
    np.testing.assert_allclose(got["roi"].to_numpy(float), summary["roi_mean"].to_numpy(float), rtol=1e-5)
