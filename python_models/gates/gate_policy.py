"""Enforce the gate policy: fail `dbt build` on a failed error-severity gate unless var
gate_policy is `warn`. A leaf node, so segments that passed still flow to modelling."""

from curvehouse import warehouse
from curvehouse.gates.policy import enforce_gate_policy


def model(dbt, session):
    results = warehouse.to_pandas(dbt.ref("mmm_gate_results"))
    return warehouse.for_warehouse(enforce_gate_policy(results, policy=dbt.config.get("gate_policy")), session)
