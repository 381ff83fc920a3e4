"""Scan the BYOMM landing folder into two tables: the curves it loads and the entries it rejects.

Each entry directly in the folder (one file, or one folder as a tool wrote it) is one model
version. Its format is detected from its contents (``detect``), it is read and validated by that
format's reader, its names are vetted, and its contribution is checked against its own curve
(``consistency``; a gap is a warning, not a rejection). A loaded version becomes one curve row per
channel keyed by ``load_id``, a hash of the entry's file contents, so loading the same files again
yields the same ids. An entry that cannot be loaded becomes one rejection row naming the file, the
reason and the offending field; it never stops the other entries. README files and hidden entries
(``.gitkeep``, ``.DS_Store``) are ignored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from curvehouse.byomm import fields
from curvehouse.byomm.consistency import with_consistency_warnings
from curvehouse.byomm.custom_json import read_custom_json
from curvehouse.byomm.detect import detect_format
from curvehouse.byomm.meridian import read_meridian
from curvehouse.byomm.meridian_proto import read_meridian_proto
from curvehouse.byomm.pymc_marketing import read_pymc_marketing
from curvehouse.byomm.recast import read_recast
from curvehouse.byomm.records import ByommRejection, ModelCurves
from curvehouse.byomm.robyn import read_robyn

__all__ = ["CURVE_COLUMNS", "REJECTION_COLUMNS", "WARNING_SEPARATOR", "load_landing_folder", "content_hash"]

READERS: dict[str, Callable[[Path], ModelCurves]] = {
    "custom_json": read_custom_json,
    "recast": read_recast,
    "robyn": read_robyn,
    "meridian": read_meridian,
    "pymc_marketing": read_pymc_marketing,
    "meridian_proto": read_meridian_proto,
}

# One row per loaded model version x channel. Money in outcome currency; weekly where the
# curve convention says so; dates naive UTC.
CURVE_COLUMNS: dict[str, str] = {
    "load_id": "string",
    "model_id": "string",
    "source": "string",
    "segment_id": "string",
    "refreshed_at": "datetime64[ns]",
    "date_range_start": "datetime64[ns]",
    "date_range_end": "datetime64[ns]",
    "channel_name": "string",
    "display_name": "string",
    "curve_family": "string",
    "saturation_half_point": "float64",
    "saturation_half_point_p05": "float64",
    "saturation_half_point_p95": "float64",
    "saturation_max": "float64",
    "saturation_max_p05": "float64",
    "saturation_max_p95": "float64",
    "hill_slope": "float64",
    "hill_slope_p05": "float64",
    "hill_slope_p95": "float64",
    "contribution_mean": "float64",
    "contribution_lower": "float64",
    "contribution_upper": "float64",
    "spend": "float64",
    "total_revenue": "float64",
    "observed_spend_min": "float64",
    "observed_spend_max": "float64",
    "source_path": "string",
    "source_extras": "string",
    "load_warnings": "string",
    "loaded_at": "datetime64[ns]",
}
# One row per landing entry that could not be loaded.
REJECTION_COLUMNS: dict[str, str] = {
    "entry": "string",
    "file": "string",
    "format": "string",
    "reason": "string",
    "field": "string",
    "rejected_at": "datetime64[ns]",
}
WARNING_SEPARATOR = " | "
_HASH_CHUNK = 1 << 20


def load_landing_folder(
    path: str | Path,
    default_segment: str = "total",
    consistency_tolerance: float = 0.25,
    now: datetime | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load every model in the landing folder: (curves, rejections), typed as CURVE_COLUMNS / REJECTION_COLUMNS.

    ``default_segment`` applies to models that name no segment; ``consistency_tolerance`` is the
    relative gap between stated and curve-implied contribution above which a warning is recorded;
    ``now`` (naive UTC, default the current time) stamps loaded_at / rejected_at.
    """
    folder = Path(path)
    now = now or datetime.now(UTC).replace(tzinfo=None)
    curves: list[dict[str, object]] = []
    rejections: list[dict[str, object]] = []
    if not folder.is_dir():
        rejections.append(
            _rejection(folder, ByommRejection(str(folder), "landing folder not found (var byomm_path)"), None, now)
        )
        return _frame(curves, CURVE_COLUMNS), _frame(rejections, REJECTION_COLUMNS)

    loaded_from: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        if _is_ignored(entry):
            continue
        fmt = None
        try:
            fmt = detect_format(entry)
            model = with_consistency_warnings(_vetted(READERS[fmt](entry)), consistency_tolerance)
            load_id = content_hash(entry)
            if load_id in loaded_from:
                raise ByommRejection(str(entry), f"same contents as {loaded_from[load_id]}, which is loaded")
        except ByommRejection as exc:
            rejections.append(_rejection(entry, exc, fmt, now))
        except Exception as exc:  # a reader bug or an unforeseen file must not stop the other entries
            rejections.append(
                _rejection(
                    entry, ByommRejection(str(entry), f"could not be read: {type(exc).__name__}: {exc}"), fmt, now
                )
            )
        else:
            loaded_from[load_id] = entry
            curves += _curve_rows(model, load_id, default_segment, now)
    return _frame(curves, CURVE_COLUMNS), _frame(rejections, REJECTION_COLUMNS)


def content_hash(path: Path) -> str:
    """16 hex digits of SHA-256 over a file's bytes, or over a folder's (relative path, file hash) pairs.

    Hidden files are left out, so a .DS_Store does not make a new version of a folder.
    """
    if path.is_file():
        return _file_sha256(path)[:16]
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file() and not _is_hidden(p.relative_to(path))):
        digest.update(f"{file.relative_to(path).as_posix()}\0{_file_sha256(file)}\n".encode())
    return digest.hexdigest()[:16]


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _is_ignored(entry: Path) -> bool:
    return entry.name.startswith(".") or entry.name.lower().startswith("readme")


def _vetted(model: ModelCurves) -> ModelCurves:
    """Check that every name a reader produced is safe to carry as data and that channels are unique."""
    fields.name(model.model_id, "model_id", model.source_path)
    if model.segment_id is not None:
        fields.name(model.segment_id, "segment_id", model.source_path)
    if not model.channels:
        raise ByommRejection(model.source_path, "the model has no channels", "channels")
    seen: set[str] = set()
    for i, channel in enumerate(model.channels):
        fields.name(channel.channel_name, f"channels[{i}].channel_name", model.source_path)
        if channel.channel_name in seen:
            raise ByommRejection(
                model.source_path, f"channel {channel.channel_name!r} appears twice", f"channels[{i}].channel_name"
            )
        seen.add(channel.channel_name)
    return model


def _curve_rows(model: ModelCurves, load_id: str, default_segment: str, now: datetime) -> list[dict[str, object]]:
    shared = {
        "load_id": load_id,
        "model_id": model.model_id,
        "source": model.source,
        "segment_id": model.segment_id or default_segment,
        "refreshed_at": model.refreshed_at,
        "date_range_start": model.date_range_start,
        "date_range_end": model.date_range_end,
        "total_revenue": model.total_revenue,
        "source_path": model.source_path,
        "load_warnings": WARNING_SEPARATOR.join(model.warnings) or None,
        "loaded_at": now,
    }
    return [
        {
            **shared,
            **{column: getattr(channel, column) for column in CURVE_COLUMNS if hasattr(channel, column)},
            "source_extras": json.dumps(channel.extras, sort_keys=True) if channel.extras else None,
        }
        for channel in model.channels
    ]


def _rejection(entry: Path, exc: ByommRejection, fmt: str | None, now: datetime) -> dict[str, object]:
    return {
        "entry": str(entry),
        "file": exc.file,
        "format": fmt,
        "reason": exc.reason,
        "field": exc.field,
        "rejected_at": now,
    }


def _frame(rows: list[dict[str, object]], columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)
