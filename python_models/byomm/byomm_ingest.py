"""Load every model in the BYOMM landing folder (var byomm_path): one row per model version x channel.

Formats are detected from contents (custom JSON, Recast CSV, Robyn output folder, Meridian
export folder or MMM proto schema file, saved PyMC-Marketing model). Entries that cannot be
loaded are listed by byomm_landing_rejections instead; int_curves_byomm keeps every version ever
loaded.
"""

from curvehouse import warehouse
from curvehouse.byomm.landing import load_landing_folder


def model(dbt, session):
    curves, _ = load_landing_folder(
        warehouse.local_folder(dbt.config.get("byomm_path"), session),
        default_segment=dbt.config.get("byomm_default_segment"),
        consistency_tolerance=float(dbt.config.get("byomm_consistency_tolerance")),
    )
    return warehouse.for_warehouse(curves, session)
