"""Land one BYOMM model (a file or a tool's output folder) in the landing folder, validated first.

The entry is checked exactly as the next build will read it (format detection, the format's reader,
name vetting, the contribution-vs-curve check) by loading a private copy; only an entry that loads
is copied in, under a hidden temporary name first and renamed at the end, so a build never sees a
half-copied model and a rejected upload changes nothing in the landing folder.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from curvehouse.byomm.landing import content_hash, load_landing_folder

__all__ = ["UploadRejected", "Landed", "upload_model"]


class UploadRejected(ValueError):
    """The entry would be rejected by the build; the message names the file, the rule and the field."""


@dataclass(frozen=True)
class Landed:
    """What was landed and what the build will load from it."""

    path: Path
    curves: pd.DataFrame

    def describe(self) -> str:
        first = self.curves.iloc[0]
        warnings = first["load_warnings"]
        return (
            f"landed {self.path}: {first['source']} model {first['model_id']} for segment {first['segment_id']}, "
            f"{len(self.curves)} channel(s) ({', '.join(self.curves['channel_name'])}), refreshed "
            f"{first['refreshed_at']:%Y-%m-%d}" + (f"; warnings: {warnings}" if pd.notna(warnings) else "")
        )


def _copy(source: Path, dest: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, dest)
    else:
        shutil.copy2(source, dest)


def upload_model(
    source: str | Path,
    landing: str | Path,
    default_segment: str = "total",
    consistency_tolerance: float = 0.25,
    name: str | None = None,
) -> Landed:
    """Validate ``source`` and copy it into ``landing`` as ``name`` (default: its own name)."""
    source, landing = Path(source), Path(landing)
    if not source.exists():
        raise UploadRejected(f"{source}: no such file or folder")
    target = landing / (name or source.name)
    if target.name.startswith(".") or target.name.lower().startswith("readme"):
        raise UploadRejected(f"{target.name}: hidden and README entries are ignored by the build; choose another name")
    if target.exists():
        raise UploadRejected(
            f"{target}: already in the landing folder; land a newer export under a new name "
            "(older versions stay as history)"
        )
    with tempfile.TemporaryDirectory(prefix="curvehouse-upload-") as scratch:
        probe = Path(scratch) / target.name
        _copy(source, probe)
        curves, rejections = load_landing_folder(scratch, default_segment, consistency_tolerance)
        if not rejections.empty:
            r = rejections.iloc[0]
            field = f" (field {r['field']})" if pd.notna(r["field"]) else ""
            raise UploadRejected(f"{source}: {r['reason']}{field}; nothing was landed")
        digest = content_hash(probe)
    if landing.is_dir():
        for existing in landing.iterdir():
            ignored = existing.name.startswith(".") or existing.name.lower().startswith("readme")
            if not ignored and content_hash(existing) == digest:
                raise UploadRejected(f"{source}: same contents as {existing}, which is already landed")
    landing.mkdir(parents=True, exist_ok=True)
    partial = landing / f".{target.name}.partial"
    if partial.exists():
        shutil.rmtree(partial) if partial.is_dir() else partial.unlink()
    _copy(source, partial)
    partial.rename(target)
    return Landed(target, curves.assign(source_path=str(target)))
