"""The planning benchmark runs end to end and prints its figures (no timing is asserted)."""

from curvehouse.cli import build_parser
from curvehouse.planning.bench import bench_curves, run_planning_bench


def test_bench_curves_look_like_the_demo():
    curves = bench_curves(0)
    assert curves.n_channels == 8 and curves.n_draws == 200
    assert set(curves.groups) == {"brand", "performance"}
    assert (curves.lower_c < curves.current_c).all() and (curves.current_c < curves.upper_c).all()


def test_planning_bench_prints_surface_frontier_and_what_if(tmp_path):
    lines = []
    report = run_planning_bench(tmp_path / "missing.duckdb", segments=1, echo=lines.append)
    assert "10,000 scenarios" in lines[0]
    assert "surface 10,017 scenarios" in lines[1] and "frontier 21 levels" in lines[1]
    assert report["segments"][0]["scenarios"] >= 10_000
    assert report["segments"][0]["surface_plus_frontier_s"] > 0
    assert "skipped" in lines[2] and "missing.duckdb" in report["what_if"]


def test_cli_accepts_the_planning_scenario(tmp_path):
    args = build_parser().parse_args(["bench", "--scenarios", "planning", "--planning-db", str(tmp_path / "x.duckdb")])
    assert args.scenarios == ["planning"] and args.planning_db == tmp_path / "x.duckdb"
