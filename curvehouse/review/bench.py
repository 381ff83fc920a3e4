"""Review benchmark (``python -m curvehouse.review.bench``): the seconds the review adds to a fit, and
what it says on full-size fits of generated demo data (one line per check that is not a pass).

The timing runs review_checks on seeded arrays of a default fit's size (4 chains x 1000 draws, 156
weeks, 8 channels); ``--fit`` also fits generated segments with the default methodology.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from curvehouse.bench import model_input_from_demo
from curvehouse.demo.generate import DEFAULT_CHANNELS, generate_demo
from curvehouse.model.spec import ModelSpec
from curvehouse.review.rows import SegmentFit, review_checks

__all__ = ["review_seconds", "reviewed_fits"]


def review_seconds(repeats: int = 20, draws: int = 4000, weeks: int = 156, channels: int = 8) -> list[float]:
    """Seconds of review_checks per call, on seeded arrays of this size."""
    rng = np.random.default_rng(0)
    fit = SegmentFit(
        y=rng.normal(1.0, 0.1, weeks),
        mu=np.ones((draws, weeks)),
        sigma=np.full(draws, 0.1),
        mask=np.ones(weeks),
        baseline=rng.normal(0.6, 0.05, (400, weeks)),
        roi={f"c{i}": rng.lognormal(0.0, 0.3, draws) for i in range(channels)},
        roi_prior={f"c{i}": rng.lognormal(0.0, 0.8, 500) for i in range(channels)},
        energy=rng.normal(0.0, 3.0, (4, draws // 4)),
        num_steps=rng.integers(1, 64, (4, draws // 4)),
    )
    spec = ModelSpec()
    review_checks(spec, fit, 0)
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        review_checks(spec, fit, 0)
        seconds.append(time.perf_counter() - started)
    return seconds


def reviewed_fits(n_segments: int, n_weeks: int, seed: int) -> list[str]:
    """Fit generated demo segments (the demo's channels) with the default methodology; the run status
    and every check that is not a pass, one line each."""
    from curvehouse.fitting.segments import fit_segments  # JAX loads only when fitting

    data = generate_demo(n_segments=n_segments, n_weeks=n_weeks, seed=seed, channels=DEFAULT_CHANNELS, daily=False)
    model_input, registry = model_input_from_demo(data)
    frame = fit_segments(model_input, registry, None, progress=lambda _: None)
    lines = []
    for segment, rows in frame.groupby("segment_id"):
        run = rows[rows["artifact"] == "run"].set_index("parameter")
        lines.append(f"{segment}: {run.at['status', 'details']}, review {run.at['review_outcome', 'details']}")
        for r in rows[rows["artifact"] == "review"].itertuples():
            details = json.loads(r.details)
            if details["outcome"] != "pass":
                lines.append(f"  {details['outcome']} {r.parameter}: {details['message']}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fit", action="store_true", help="also fit generated demo segments (minutes)")
    parser.add_argument("--segments", type=int, default=2)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    seconds = review_seconds()
    print(
        f"review_checks, 4 chains x 1000 draws, 156 weeks, 8 channels: median {statistics.median(seconds) * 1000:.1f} "
        f"ms, min {min(seconds) * 1000:.1f} ms over {len(seconds)} calls"
    )
    if args.fit:
        print("\n".join(reviewed_fits(args.segments, args.weeks, args.seed)))


if __name__ == "__main__":
    main()
