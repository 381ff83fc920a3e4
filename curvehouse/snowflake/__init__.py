"""Snowflake scale-out: the per-segment fit as a Snowpark partition (partition.py, pure pandas) and
the Snowpark call that fans it out (fanout.py). Neither imports Snowpark or JAX at import time."""
