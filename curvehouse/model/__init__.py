"""The built-in Bayesian MMM: spec, data arrays, NumPyro model, sampling.

Importing this package before JAX gives XLA one host device per chain (4 by default) so NUTS
chains run in parallel; inside `dbt run` this is the first import of JAX, so it is in time.
It also points JAX's persistent compilation cache at CURVEHOUSE_JAX_CACHE (default
~/.cache/curvehouse/jax; "off" disables it): compiling the sampler program is most of a small
fit's time (docs/benchmarks.md), and a rebuild, a monthly refresh or the next test of the same
padded shape then reads it from disk.
"""

import os
import sys
from pathlib import Path

if "jax" not in sys.modules:
    if "xla_force_host_platform_device_count" not in os.environ.get("XLA_FLAGS", ""):
        os.environ["XLA_FLAGS"] = (
            os.environ.get("XLA_FLAGS", "")
            + " --xla_force_host_platform_device_count="
            + os.environ.get("CURVEHOUSE_HOST_DEVICES", "4")
        ).strip()
    _cache = os.environ.get("CURVEHOUSE_JAX_CACHE", str(Path.home() / ".cache" / "curvehouse" / "jax"))
    if _cache.lower() not in ("", "off") and "JAX_COMPILATION_CACHE_DIR" not in os.environ:
        try:
            Path(_cache).mkdir(parents=True, exist_ok=True)
        except OSError:  # a read-only home (a Snowpark sandbox): compile every time
            pass
        else:
            os.environ["JAX_COMPILATION_CACHE_DIR"] = _cache
            os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "1")
