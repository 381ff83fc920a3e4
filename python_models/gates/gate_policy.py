"""Enforce the gate policy: fail `dbt build` on a failed error-severity gate unless var
gate_policy is `warn`. A leaf node, so segments that passed still flow to modelling."""

from curvehouse.gates.policy import enforce_gate_policy


def model(dbt, session):
    dbt.config(materialized="table")
    results = dbt.ref("mmm_gate_results").df()
    return enforce_gate_policy(results, policy=dbt.config.get("gate_policy"))
