"""Log one line per rejected BYOMM entry and enforce var byomm_rejection_policy.

A leaf node after the curves and the rejections are written: under `warn` the build goes on,
under `error` it fails naming every rejected file.
"""

from curvehouse import warehouse
from curvehouse.byomm.policy import enforce_rejection_policy


def model(dbt, session):
    rejections = warehouse.to_pandas(dbt.ref("mmm_byomm_rejections"))
    result = enforce_rejection_policy(rejections, policy=dbt.config.get("byomm_rejection_policy"))
    for message in result["message"]:
        print(message, flush=True)
    return warehouse.for_warehouse(result, session)
