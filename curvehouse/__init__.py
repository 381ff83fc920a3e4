"""Curvehouse: warehouse-native marketing mix modelling.

The Python API (curvehouse.api): ``curvehouse.fit``, ``curvehouse.load``, ``curvehouse.load_run``,
``curvehouse.load_posterior``,
``curvehouse.weekly_frame_input`` and ``curvehouse.Fit``, imported on first use so that importing
the package (the dbt models do) does not load JAX.
"""

__version__ = "0.1.0"
__all__ = ["Fit", "fit", "load", "load_posterior", "load_run", "weekly_frame_input"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from curvehouse import api

        return getattr(api, name)
    raise AttributeError(f"module 'curvehouse' has no attribute {name!r}")
