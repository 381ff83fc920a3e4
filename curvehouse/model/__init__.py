"""The built-in Bayesian MMM: spec, data arrays, NumPyro model, sampling.

Importing this package before JAX gives XLA one host device per chain (4 by default) so NUTS
chains run in parallel; inside `dbt run` this is the first import of JAX, so it is in time.
"""

import os
import sys

if "jax" not in sys.modules and "xla_force_host_platform_device_count" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count="
        + os.environ.get("CURVEHOUSE_HOST_DEVICES", "4")
    ).strip()
