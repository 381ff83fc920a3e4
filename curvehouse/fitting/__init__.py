"""Fitting the built-in MMM per segment, one job per module:

- ``segments``: fit every cleared segment and collect its artifacts (what the dbt model calls);
- ``run_ids``: the deterministic run id of a segment's input and methodology;
- ``metrics``: R2 and MAPE in sample and on held-out final weeks;
- ``publish``: the rule that publishes a run or rejects it;
- ``artifacts``: a fit's long artifact rows (parameters, draws, curves, decomposition, run rows).

Nothing is imported here, so reading a run id does not load JAX.
"""
