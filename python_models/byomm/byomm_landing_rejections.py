"""The BYOMM landing entries this build could not load: one row per entry, naming file, reason, field.

Published through the mmm_byomm_rejections mart; byomm_rejection_policy logs and enforces them.
"""

from curvehouse import warehouse
from curvehouse.byomm.landing import load_landing_folder


def model(dbt, session):
    _, rejections = load_landing_folder(
        warehouse.local_folder(dbt.config.get("byomm_path"), session),
        default_segment=dbt.config.get("byomm_default_segment"),
        consistency_tolerance=float(dbt.config.get("byomm_consistency_tolerance")),
    )
    return warehouse.for_warehouse(rejections, session)
