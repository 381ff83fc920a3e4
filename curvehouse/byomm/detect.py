"""Tell which BYOMM format a landing-folder entry holds, from its contents rather than its name.

A file is sniffed from its first 64 KiB only, so a huge or binary file is turned away without
being read: text starting with ``{`` is custom JSON; CSV text whose header has model_id and
channel_name is a Recast export; a NetCDF file (HDF5 or classic magic bytes) is a saved
PyMC-Marketing model, whose reader tells an MMM from other NetCDF. A wire-format protobuf has no
magic bytes, so a file named ``*.binpb`` / ``*.pb`` whose first bytes read as the top-level fields
of Meridian's MMM proto schema message (``mmm.v1.Mmm``) is that schema. A folder is a Robyn output
when it holds pareto_hyperparameters.csv, a Meridian export when it holds Meridian's curve or
summary files.
"""

from __future__ import annotations

import csv
from pathlib import Path

from curvehouse.byomm.meridian import is_meridian_folder
from curvehouse.byomm.meridian_proto import PROTO_SUFFIXES, is_meridian_proto
from curvehouse.byomm.pymc_marketing import is_pymc_marketing_file
from curvehouse.byomm.recast import is_recast_header
from curvehouse.byomm.records import ByommRejection
from curvehouse.byomm.robyn import is_robyn_folder

__all__ = ["FORMATS", "SNIFF_BYTES", "MAX_FILE_BYTES", "MAX_NETCDF_BYTES", "MAX_PROTO_BYTES", "detect_format"]

FORMATS = ("custom_json", "recast", "robyn", "meridian", "pymc_marketing", "meridian_proto")
SNIFF_BYTES = 64 * 1024
MAX_FILE_BYTES = 5 * 1024 * 1024  # a single-file model holds one entry per channel: kilobytes, never megabytes
MAX_NETCDF_BYTES = 200 * 1024 * 1024  # a saved posterior holds every draw of every deterministic
MAX_PROTO_BYTES = 200 * 1024 * 1024  # Meridian's kernel in the proto holds the input data and every posterior draw
_LIMITS = {"pymc_marketing": MAX_NETCDF_BYTES, "meridian_proto": MAX_PROTO_BYTES}


def detect_format(path: Path) -> str:
    """One of FORMATS; raise ByommRejection for an unknown format or an oversized file."""
    if path.is_dir():
        if is_robyn_folder(path):
            return "robyn"
        if is_meridian_folder(path):
            return "meridian"
        raise ByommRejection(
            str(path),
            "unknown format: a folder without a Robyn output (pareto_hyperparameters.csv) or a Meridian export "
            "(response_curves.csv, summary_metrics.csv)",
        )
    if not path.is_file():
        raise ByommRejection(str(path), "unknown format: neither a file nor a folder")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    is_proto = path.suffix.lower() in PROTO_SUFFIXES and is_meridian_proto(head)
    found = "meridian_proto" if is_proto else _sniff(head)
    if found is None:
        raise ByommRejection(
            str(path),
            "unknown format: not a custom JSON model (a JSON object), a Recast CSV (header with model_id and "
            "channel_name), a saved PyMC-Marketing model (NetCDF) nor an MMM proto schema file (.binpb)",
        )
    size = path.stat().st_size
    limit = _LIMITS.get(found, MAX_FILE_BYTES)
    if size > limit:
        raise ByommRejection(
            str(path), f"file too large for a {found} model: {size / 2**20:,.1f} MiB (limit {limit / 2**20:g} MiB)"
        )
    return found


def _sniff(head: bytes) -> str | None:
    if is_pymc_marketing_file(head):
        return "pymc_marketing"
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text.lstrip(b" \t\r\n").startswith(b"{"):
        return "custom_json"
    first_line, newline, _ = text.partition(b"\n")
    if not newline and len(head) == SNIFF_BYTES:
        return None  # no line break in the sniffed bytes: not a CSV header
    try:
        header = next(csv.reader([first_line.decode("utf-8").rstrip("\r")]), [])
    except (UnicodeDecodeError, csv.Error):
        return None
    return "recast" if is_recast_header(header) else None
