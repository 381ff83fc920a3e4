"""Read a Robyn output folder, as Robyn wrote it, into the weekly-spend curve convention.

Robyn (facebookexperimental/Robyn) writes one folder per run: ``pareto_hyperparameters.csv`` and
``pareto_aggregated.csv`` for every Pareto-optimal model (``solID``), ``RobynModel-<solID>.json``
for the model the user exported, and usually ``raw_data.csv`` (its input data, ``dt_input``).

Conversion (geometric adstock). Robyn's response in period t is ``coef·x_t^α / (x_t^α + I^α)``
where ``x_t = m_t + θ·x_{t−1}`` is the *unnormalised* adstock of the modelled variable m and I
the inflexion in the same units; ``coef`` is outcome per period for a Hill value in [0, 1] (the
window sum of coef·Hill is Robyn's xDecompAgg, to the unit on the fixtures). A sustained spend s
per period adstocks to s/(1−θ), so the steady state is

    coef·(s/(1−θ))^α / ((s/(1−θ))^α + I^α) = coef·s^α / (s^α + (I·(1−θ))^α):

saturation_max = coef, hill_slope = α, saturation_half_point = I·(1−θ). For periods of p days a
weekly spend s is s·p/7 per period; with k = 7/p: saturation_max = k·coef, half point = k·I·(1−θ).

Robyn's allocator reads the same Hill differently: at spend s per period it adds the *historical*
mean carryover c (mean over the modelling window of adstocked minus raw media) instead of the
steady state, ``initResponseUnit = coef·(s + c)^α / ((s + c)^α + I^α)``. ``extras`` keep c and I
(``mean_carryover``, ``inflexion``, in weekly spend: k·c, k·I) so both readings are available.

Inflexion. Robyn 3.12+ writes ``<media>_inflexion`` (I = γ·max of the adstocked window). Before
3.12 it must be rebuilt from the adstocked media of the modelling window: 3.7–3.11 used
I = (1−γ)·min + γ·max (3.6 the same, rounded to 4 decimals). The media come from raw_data.csv,
the JSON's ``Extras.raw_data`` or the rawMedia/rawSpend rows of pareto_media_transform_matrix.csv.

Exposure media (``facebook_I`` with spend ``facebook_S``). Robyn 3.12+ already models them in
spend units (exposure × cpe_window, cpe_window = window spend / window exposure), so its inflexion
and carryover are spend. A rebuilt inflexion is converted the same way, by the observed spend per
exposure over the modelling window: a linear scale, so Hill in exposure equals Hill in spend and
the numbers match what Robyn 3.12 itself would write. The channel is named after the spend column.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from curvehouse.byomm.records import ByommRejection, ChannelCurve, ModelCurves

__all__ = ["is_robyn_folder", "read_robyn"]

SOURCE = "robyn"
HYPERPARAMETERS_CSV = "pareto_hyperparameters.csv"
AGGREGATED_CSV = "pareto_aggregated.csv"
RAW_DATA_CSV = "raw_data.csv"
MEDIA_MATRIX_CSV = "pareto_media_transform_matrix.csv"
CLUSTERS_CI_CSV = "pareto_clusters_ci.csv"
MODEL_JSON_GLOB = "RobynModel-*.json"
MATRIX_DATE = "ds"
INFLEXION_MAX_ONLY_SINCE = (3, 12)  # first version with I = γ·max and <media>_inflexion columns
DAYS_PER_WEEK = 7
SPEND_MATCH_RTOL = 1e-6  # raw spend vs total_spend: Robyn's CSV / JSON keep >= 10 significant digits
SPEND_MATCH_ATOL = 1e-6
JSON_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
FOLDER_STAMP = re.compile(r"Robyn_(\d{12})")  # robyn_outputs() names its folder Robyn_<YYYYmmddHHMM>_…
FOLDER_STAMP_FORMAT = "%Y%m%d%H%M"
VERSION_NUMBER = re.compile(r"(\d+)\.(\d+)")
SPEND_SUFFIX = re.compile(r"_(s|spend|spends|cost|costs)$", re.IGNORECASE)
ACRONYM_MAX_LETTERS = 3  # "tv", "ooh", "uac" display as TV, OOH, UAC
HYPERPARAMETER_SUFFIXES = ("alphas", "gammas", "thetas")
REQUIRED_AGGREGATED = ("solID", "rn", "coef", "xDecompAgg", "total_spend", "mean_spend", "roi_total")


@dataclass(frozen=True)
class _RunSettings:
    """What the exported JSON says about the run; None / empty where there is no JSON."""

    file: str | None
    window: tuple[date, date] | None
    date_var: str | None
    dep_var: str | None
    dep_var_type: str | None
    spend_of: dict[str, str]  # paid media variable -> its spend column
    adstock: str | None
    period_days: float | None
    version: tuple[int, int] | None
    exported_at: datetime | None
    raw_records: Any
    convergence: tuple[str, ...]


@dataclass(frozen=True)
class _RobynHill:
    """One paid media's Robyn parameters, per period, money in spend units (see module doc)."""

    coef: float
    alpha: float
    gamma: float
    theta: float
    inflexion_model_units: float
    spend_per_model_unit: float
    mean_carryover: float

    @property
    def inflexion(self) -> float:
        return self.inflexion_model_units * self.spend_per_model_unit


def is_robyn_folder(path: Path) -> bool:
    """A folder holding Robyn's Pareto exports (detected from contents, not from its name)."""
    path = Path(path)
    return (path / HYPERPARAMETERS_CSV).is_file() and (path / AGGREGATED_CSV).is_file()


def read_robyn(path: Path, sol_id: str | None = None) -> ModelCurves:
    """The exported (or the given ``sol_id``) Robyn model of a folder as weekly-spend curves.

    Model choice: ``sol_id`` when given; else the solID of the folder's ``RobynModel-<solID>.json``;
    with several such JSONs the newest ``ModelsCollect.export_timestamp`` (a warning names the
    others). Anything unreadable raises ``ByommRejection`` naming file, reason and field.
    """
    folder = Path(path)
    try:
        return _read(folder, sol_id)
    except ByommRejection:
        raise
    except Exception as exc:  # contract: a bad input is a rejection, never a crash of the load
        raise ByommRejection(str(folder), f"unreadable Robyn output ({type(exc).__name__}: {exc})") from exc


def _read(folder: Path, sol_id: str | None) -> ModelCurves:
    if not is_robyn_folder(folder):
        raise ByommRejection(
            str(folder), f"not a Robyn output folder: needs {HYPERPARAMETERS_CSV} and {AGGREGATED_CSV}"
        )
    hyper_file, agg_file = folder / HYPERPARAMETERS_CSV, folder / AGGREGATED_CSV
    hyper, agg = _read_csv(hyper_file), _read_csv(agg_file)
    _require_columns(hyper, ("solID",), hyper_file)
    _require_columns(agg, REQUIRED_AGGREGATED, agg_file)
    media = _media_names(hyper, hyper_file)
    models = _read_model_jsons(folder)
    inflexion_written = all(f"{m}_inflexion" in hyper.columns for m in media)
    if not inflexion_written:
        _require_raw_source(folder, models, media[0])

    sol, json_file, doc, warnings = _pick_model(folder, models, sol_id)
    settings = _run_settings(doc, json_file)
    hyper_row = _solution_row(hyper, sol, hyper_file)
    agg_rows = _solution_rows(agg, sol, agg_file)
    _require_geometric(settings, hyper_row, media, hyper_file)
    paid = _paid_media(settings, media, agg_rows, sol, hyper_file, agg_file)
    totals = {var: _number(agg_rows.loc[var], "total_spend", agg_file, sol) for var in paid}
    raw, raw_file = _load_raw(folder, settings, sol)
    if raw is None and not inflexion_written:
        raise ByommRejection(
            raw_file,
            f"{settings.file or 'the run'} has no Extras.raw_data to rebuild the "
            f"inflexion from, and there is no {RAW_DATA_CSV}",
            f"{media[0]}_inflexion",
        )
    window, spend_of = _window_and_spends(raw, raw_file, settings, agg_rows, totals, agg_file)
    _check_unique_channels(spend_of, agg_file)
    weeks_per_period = DAYS_PER_WEEK / (settings.period_days or _period_days(raw, raw_file))
    max_only = settings.version is not None and settings.version >= INFLEXION_MAX_ONLY_SINCE
    clusters_ci = _clusters_ci_table(folder, agg)

    channels = []
    for var in paid:
        agg_row = agg_rows.loc[var]
        if inflexion_written:
            hill = _written_hill(var, hyper_row, agg_row, hyper_file, agg_file, sol)
        else:
            hill = _rebuilt_hill(
                var, spend_of[var], hyper_row, agg_row, raw, window, max_only, (hyper_file, agg_file, raw_file), sol
            )
        spend_window = None if raw is None else _numeric_column(raw, spend_of[var], raw_file)[window]
        roi_interval = _roi_interval(agg_row, clusters_ci, var)
        interval = _contribution_interval(roi_interval, totals[var], settings.dep_var_type)
        channels.append(
            _channel_curve(spend_of[var], hill, agg_row, weeks_per_period, spend_window, interval, agg_file, sol)
        )

    start, end = settings.window or (raw.index[window][0].date(), raw.index[window][-1].date())
    total_revenue = None
    if raw is not None and settings.dep_var in raw.columns:
        total_revenue = float(_numeric_column(raw, settings.dep_var, raw_file)[window].sum())
    warnings += _model_warnings(settings, media, paid, channels, inflexion_written, max_only, weeks_per_period)
    refreshed_at = settings.exported_at
    if refreshed_at is None:
        refreshed_at, note = _folder_time(folder, hyper_file)
        warnings.append(note)
    return ModelCurves(
        model_id=f"{SOURCE}_{sol}",
        source=SOURCE,
        refreshed_at=refreshed_at,
        date_range_start=start,
        date_range_end=end,
        total_revenue=total_revenue,
        channels=tuple(channels),
        source_path=str(folder),
        warnings=tuple(warnings),
    )


def _paid_media(
    settings: _RunSettings, media: list[str], agg_rows: pd.DataFrame, sol: str, hyper_file: Path, agg_file: Path
) -> list[str]:
    """Paid media variables: the JSON's paid_media_vars, else the media Robyn reports spend for."""
    paid = list(settings.spend_of) if settings.spend_of else [m for m in media if _has_spend(agg_rows, m)]
    for var in paid:
        if var not in media:
            raise ByommRejection(
                str(hyper_file), f"paid media {var} of the JSON has no hyperparameters", f"{var}_alphas"
            )
        if var not in agg_rows.index:
            raise ByommRejection(str(agg_file), f"no row for paid media {var} of solID {sol} (truncated?)", "rn")
    return paid


def _window_and_spends(
    raw: pd.DataFrame | None,
    raw_file: str,
    settings: _RunSettings,
    agg_rows: pd.DataFrame,
    totals: dict[str, float],
    agg_file: Path,
) -> tuple[np.ndarray | None, dict[str, str]]:
    """Modelling-window rows of the raw data (None without data) and each paid media's spend column.

    With the JSON both come from it and the data is checked against Robyn's total_spend; without
    it they are found in the data from total_spend (see ``_infer_window``).
    """
    if settings.window is not None:
        if raw is None:
            return None, settings.spend_of
        window = _window_mask(raw, settings.window, raw_file)
        _check_spend_totals(raw, window, settings.spend_of, totals, raw_file)
        return window, settings.spend_of
    if raw is None:
        raise ByommRejection(
            raw_file, f"the modelling window is unknown: no RobynModel JSON and no {RAW_DATA_CSV}", "window_start"
        )
    return _infer_window(raw, totals, _window_periods(agg_rows, list(totals), agg_file), raw_file)


def _model_warnings(
    settings: _RunSettings,
    media: list[str],
    paid: list[str],
    channels: list[ChannelCurve],
    inflexion_written: bool,
    max_only: bool,
    weeks_per_period: float,
) -> list[str]:
    """What a reader of the curves should know about how they were obtained."""
    notes = [f"Robyn: {m}" for m in settings.convergence if "NOT converged" in m]
    organic = [m for m in media if m not in paid]
    if organic:
        notes.append(f"organic variables have no spend, so no spend curve: {', '.join(organic)}")
    if settings.window is None:
        notes.append(
            "no RobynModel JSON: modelling window and spend columns found in the raw data from each media's total_spend"
        )
    if not inflexion_written:
        formula = "γ·max" if max_only else "(1−γ)·min + γ·max"
        notes.append(
            f"inflexion rebuilt from the adstocked media of the window as {formula} (no <media>_inflexion columns)"
        )
    if weeks_per_period != 1.0:
        notes.append(f"Robyn periods are {DAYS_PER_WEEK / weeks_per_period:g} days: curves scaled to weeks")
    outside = [
        c.channel_name
        for c in channels
        if c.contribution_lower is not None
        and c.contribution_upper is not None
        and not c.contribution_lower <= c.contribution_mean <= c.contribution_upper
    ]
    if outside:
        notes.append(
            "contribution intervals are Robyn's 95% ROI range over the solID's cluster of Pareto models; "
            f"this model's own contribution lies outside it for {', '.join(outside)}"
        )
    if settings.dep_var_type is None:
        notes.append("dep_var_type unknown (no RobynModel JSON): contribution intervals left empty")
    elif settings.dep_var_type != "revenue":
        notes.append(f"dep_var_type is {settings.dep_var_type}: curves are in {settings.dep_var} units, not money")
    return notes


# --- files -------------------------------------------------------------------------------------


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV as R's write.csv leaves it: quoted header, leading unnamed row-name column, NA = missing."""
    try:
        return pd.read_csv(path, index_col=0, low_memory=False)
    except FileNotFoundError as exc:
        raise ByommRejection(str(path), "file is missing") from exc
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ByommRejection(str(path), f"not a readable CSV (truncated or corrupt?): {reason}") from exc


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ByommRejection(str(path), f"missing column(s) {', '.join(missing)}: not a Robyn export", missing[0])


def _read_model_jsons(folder: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Exported models by solID (``ExportedModel.select_model``, not the file name)."""
    found: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in sorted(folder.glob(MODEL_JSON_GLOB)):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ByommRejection(str(path), f"malformed JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise ByommRejection(str(path), "not a Robyn model export: the top level is not an object")
        sol = _json_value(doc, "ExportedModel", "select_model")
        if not isinstance(sol, str) or not sol:
            raise ByommRejection(str(path), "no exported solID", "ExportedModel.select_model")
        if sol in found:
            raise ByommRejection(
                str(path), f"solID {sol} is also exported by {found[sol][0].name}", "ExportedModel.select_model"
            )
        found[sol] = (path, doc)
    return found


def _require_raw_source(folder: Path, models: dict[str, tuple[Path, dict[str, Any]]], first_media: str) -> None:
    """Before 3.12 the inflexion is not written; rebuilding it needs the media of the window."""
    has_json_data = any(_json_value(doc, "Extras", "raw_data", scalar=False) for _, doc in models.values())
    if (folder / RAW_DATA_CSV).is_file() or (folder / MEDIA_MATRIX_CSV).is_file() or has_json_data:
        return
    raise ByommRejection(
        str(folder / RAW_DATA_CSV),
        f"{HYPERPARAMETERS_CSV} has no <media>_inflexion columns (Robyn before 3.12 does not write them); "
        f"rebuilding the inflexion needs the adstocked media of the modelling window, but {RAW_DATA_CSV} is "
        f"missing (nor is there {MEDIA_MATRIX_CSV} or a RobynModel JSON with Extras.raw_data)",
        f"{first_media}_inflexion",
    )


def _pick_model(
    folder: Path, models: dict[str, tuple[Path, dict[str, Any]]], sol_id: str | None
) -> tuple[str, Path | None, dict[str, Any], list[str]]:
    """solID to read, the JSON describing its run, and warnings about the choice."""
    if sol_id is not None:
        if sol_id in models:
            return sol_id, models[sol_id][0], models[sol_id][1], []
        if not models:
            return sol_id, None, {}, []
        path, doc = models[sorted(models)[0]]  # every JSON of a folder shares the run's InputCollect
        return sol_id, path, doc, [f"no RobynModel-{sol_id}.json: run settings read from {path.name}"]
    if not models:
        raise ByommRejection(
            str(folder / "RobynModel-<solID>.json"),
            "Robyn output without the exported model: no RobynModel-<solID>.json (written by robyn_write() / "
            "robyn_outputs(export = TRUE)) to say which Pareto model was chosen; export it or pass sol_id",
            "solID",
        )
    if len(models) == 1:
        sol = next(iter(models))
        return sol, models[sol][0], models[sol][1], []
    stamps = {sol: _exported_at(doc) for sol, (_, doc) in models.items()}
    if any(stamp is None for stamp in stamps.values()):
        raise ByommRejection(
            str(folder),
            f"several exported models ({', '.join(sorted(models))}) without "
            "ModelsCollect.export_timestamp to tell the newest: pass sol_id",
            "solID",
        )
    newest = max(stamps.values())
    chosen = [sol for sol, stamp in stamps.items() if stamp == newest]
    if len(chosen) > 1:
        raise ByommRejection(
            str(folder), f"models {', '.join(sorted(chosen))} were exported at the same time: pass sol_id", "solID"
        )
    sol = chosen[0]
    others = ", ".join(s for s in sorted(models) if s != sol)
    note = f"several exported models: read the newest export {sol}, not {others}"
    return sol, models[sol][0], models[sol][1], [note]


def _json_value(doc: dict[str, Any], section: str, key: str, scalar: bool = True) -> Any:
    """``doc[section][key]``; R's jsonlite writes scalars as one-element lists, unwrapped here."""
    node = doc.get(section)
    value = node.get(key) if isinstance(node, dict) else None
    if scalar and isinstance(value, list):
        return value[0] if len(value) == 1 else None
    return value


def _run_settings(doc: dict[str, Any], json_file: Path | None) -> _RunSettings:
    """Run settings from the exported JSON (all empty without one)."""
    file = str(json_file) if json_file else ""

    def strings(key: str) -> list[str]:
        value = _json_value(doc, "InputCollect", key, scalar=False) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ByommRejection(file, "expected a list of names", f"InputCollect.{key}")
        return value

    def text(section: str, key: str) -> str | None:
        value = _json_value(doc, section, key)
        return value if isinstance(value, str) and value else None

    window = None
    if doc:
        try:
            window = (
                date.fromisoformat(text("InputCollect", "window_start") or ""),
                date.fromisoformat(text("InputCollect", "window_end") or ""),
            )
        except ValueError as exc:
            raise ByommRejection(
                file, "window start/end are not YYYY-MM-DD dates", "InputCollect.window_start"
            ) from exc
    paid_vars, paid_spends = strings("paid_media_vars"), strings("paid_media_spends")
    if doc and not paid_vars:
        raise ByommRejection(file, "no paid media listed", "InputCollect.paid_media_vars")
    if len(paid_vars) != len(paid_spends):
        raise ByommRejection(
            file, "paid_media_vars and paid_media_spends differ in length", "InputCollect.paid_media_spends"
        )
    interval = _json_value(doc, "InputCollect", "dayInterval")
    if interval is not None and not (isinstance(interval, (int, float)) and interval > 0):
        raise ByommRejection(file, "dayInterval is not a positive number", "InputCollect.dayInterval")
    version = VERSION_NUMBER.search(text("InputCollect", "version") or "")
    conv = _json_value(doc, "ModelsCollect", "conv_msg", scalar=False) or []
    conv = conv if isinstance(conv, list) else [conv]
    return _RunSettings(
        file=file or None,
        window=window,
        date_var=text("InputCollect", "date_var"),
        dep_var=text("InputCollect", "dep_var"),
        dep_var_type=text("InputCollect", "dep_var_type"),
        spend_of=dict(zip(paid_vars, paid_spends, strict=True)),
        adstock=text("InputCollect", "adstock"),
        period_days=float(interval) if interval is not None else None,
        version=(int(version.group(1)), int(version.group(2))) if version else None,
        exported_at=_exported_at(doc),
        raw_records=_json_value(doc, "Extras", "raw_data", scalar=False),
        convergence=tuple(m for m in conv if isinstance(m, str)),
    )


def _exported_at(doc: dict[str, Any]) -> datetime | None:
    """When the model was exported (else trained), as Robyn wrote it: local time, no zone."""
    for key in ("export_timestamp", "train_timestamp"):
        value = _json_value(doc, "ModelsCollect", key)
        if isinstance(value, str):
            try:
                return datetime.strptime(value, JSON_TIMESTAMP_FORMAT)
            except ValueError:
                continue
    return None


def _folder_time(folder: Path, hyper_file: Path) -> tuple[datetime, str]:
    """Without a JSON timestamp: Robyn's folder stamp (Robyn_YYYYmmddHHMM_…), else the file's mtime."""
    stamp = FOLDER_STAMP.search(folder.name)
    if stamp:
        return (
            datetime.strptime(stamp.group(1), FOLDER_STAMP_FORMAT),
            "refreshed_at taken from the Robyn folder name (no RobynModel JSON timestamp)",
        )
    return (
        datetime.fromtimestamp(hyper_file.stat().st_mtime),
        f"refreshed_at taken from the modification time of {HYPERPARAMETERS_CSV} (no JSON timestamp)",
    )


# --- Pareto rows -------------------------------------------------------------------------------


def _media_names(hyper: pd.DataFrame, path: Path) -> list[str]:
    media = [c[: -len("_alphas")] for c in hyper.columns if c.endswith("_alphas")]
    if not media:
        raise ByommRejection(str(path), "no <media>_alphas columns: not Robyn hyperparameters", "<media>_alphas")
    return media


def _solution_row(hyper: pd.DataFrame, sol: str, path: Path) -> pd.Series:
    rows = hyper[hyper["solID"] == sol]
    if len(rows) != 1:
        found = "not found" if rows.empty else f"found {len(rows)} times"
        raise ByommRejection(str(path), f"solID {sol} {found}", "solID")
    return rows.iloc[0]


def _solution_rows(agg: pd.DataFrame, sol: str, path: Path) -> pd.DataFrame:
    rows = agg[agg["solID"] == sol]
    if rows.empty:
        raise ByommRejection(str(path), f"solID {sol} not found", "solID")
    if rows["rn"].duplicated().any():
        raise ByommRejection(str(path), f"solID {sol} repeats a variable", "rn")
    return rows.set_index("rn")


def _number(row: pd.Series, column: str, path: Path, sol: str) -> float:
    """A required finite number of the solID's row (NA, text or a cut-off row is a rejection)."""
    try:
        value = float(row[column])
    except (KeyError, TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise ByommRejection(str(path), f"{column} is missing or not a number for solID {sol} ({row.name})", column)
    return value


def _optional_number(row: pd.Series, column: str) -> float | None:
    try:
        value = float(row.get(column))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _has_spend(agg_rows: pd.DataFrame, media: str) -> bool:
    return media in agg_rows.index and _optional_number(agg_rows.loc[media], "total_spend") is not None


def _require_geometric(settings: _RunSettings, hyper_row: pd.Series, media: list[str], path: Path) -> None:
    """The steady-state conversion is exact for geometric adstock only."""
    if settings.adstock not in (None, "geometric"):
        raise ByommRejection(
            settings.file or str(path),
            f"adstock {settings.adstock}: only geometric adstock converts to a steady-state weekly curve",
            "InputCollect.adstock",
        )
    for m in media:
        for suffix in HYPERPARAMETER_SUFFIXES:
            if f"{m}_{suffix}" not in hyper_row.index:
                raise ByommRejection(
                    str(path), f"no {m}_{suffix} column (only geometric adstock is supported)", f"{m}_{suffix}"
                )


def _written_hill(
    var: str, hyper_row: pd.Series, agg_row: pd.Series, hyper_file: Path, agg_file: Path, sol: str
) -> _RobynHill:
    """Robyn 3.12+: inflexion and mean carryover as Robyn wrote them (spend units, see module doc)."""
    return _validated(
        _RobynHill(
            coef=_number(agg_row, "coef", agg_file, sol),
            alpha=_number(hyper_row, f"{var}_alphas", hyper_file, sol),
            gamma=_number(hyper_row, f"{var}_gammas", hyper_file, sol),
            theta=_number(hyper_row, f"{var}_thetas", hyper_file, sol),
            inflexion_model_units=_number(hyper_row, f"{var}_inflexion", hyper_file, sol),
            spend_per_model_unit=1.0,
            mean_carryover=_number(agg_row, "mean_carryover", agg_file, sol),
        ),
        var,
        hyper_file,
    )


def _rebuilt_hill(
    var: str,
    spend_col: str,
    hyper_row: pd.Series,
    agg_row: pd.Series,
    raw: pd.DataFrame,
    window: np.ndarray,
    max_only: bool,
    files: tuple[Path, Path, str],
    sol: str,
) -> _RobynHill:
    """Before 3.12: inflexion and mean carryover rebuilt from the media of the modelling window,
    exposure media scaled to spend by the window's spend per exposure (as Robyn 3.12 does)."""
    hyper_file, agg_file, raw_file = files
    theta = _number(hyper_row, f"{var}_thetas", hyper_file, sol)
    gamma = _number(hyper_row, f"{var}_gammas", hyper_file, sol)
    media = _numeric_column(raw, var, raw_file)
    spend_per_unit = 1.0
    if var != spend_col:
        exposure = media[window].sum()
        if exposure <= 0:
            raise ByommRejection(raw_file, f"{var} has no exposure in the window: no spend per exposure", var)
        spend_per_unit = _numeric_column(raw, spend_col, raw_file)[window].sum() / exposure
    inflexion, carryover = _rebuild_inflexion(media * spend_per_unit, window, theta, gamma, max_only)
    return _validated(
        _RobynHill(
            coef=_number(agg_row, "coef", agg_file, sol),
            alpha=_number(hyper_row, f"{var}_alphas", hyper_file, sol),
            gamma=gamma,
            theta=theta,
            inflexion_model_units=inflexion / spend_per_unit,
            spend_per_model_unit=spend_per_unit,
            mean_carryover=carryover,
        ),
        var,
        hyper_file,
    )


def _rebuild_inflexion(
    media: np.ndarray, window: np.ndarray, theta: float, gamma: float, max_only: bool
) -> tuple[float, float]:
    """Robyn's inflexion and mean carryover of one media series, both in the series' units.

    media: (n_periods,) over all the data, date order (Robyn adstocks from the first row);
    window: (n_periods,) bool, the modelling window. Adstock x_t = m_t + θ·x_{t−1}; inflexion
    γ·max (3.12+) or (1−γ)·min + γ·max (before) of x over the window; carryover mean(x − m) there.
    """
    adstocked = lfilter([1.0], [1.0, -theta], media)
    in_window = adstocked[window]
    top = float(in_window.max())
    inflexion = gamma * top if max_only else (1.0 - gamma) * float(in_window.min()) + gamma * top
    return inflexion, float(np.mean((adstocked - media)[window]))


def _validated(hill: _RobynHill, var: str, path: Path) -> _RobynHill:
    checks = (
        ("thetas", 0.0 <= hill.theta < 1.0, "θ must lie in [0, 1)"),
        ("alphas", hill.alpha > 0.0, "α must be positive"),
        ("gammas", 0.0 < hill.gamma <= 1.0, "γ must lie in (0, 1]"),
        ("inflexion", hill.inflexion > 0.0, "the inflexion must be positive (no media in the window?)"),
    )
    for suffix, ok, reason in checks:
        if not ok:
            raise ByommRejection(str(path), f"{var}: {reason}", f"{var}_{suffix}")
    return hill


# --- raw data and window -----------------------------------------------------------------------


def _load_raw(folder: Path, settings: _RunSettings, sol: str) -> tuple[pd.DataFrame | None, str]:
    """Robyn's input data indexed by date, from raw_data.csv, the JSON or the media matrix."""
    raw_csv = folder / RAW_DATA_CSV
    if raw_csv.is_file():
        return _dated(_read_csv(raw_csv), settings.date_var, str(raw_csv)), str(raw_csv)
    if settings.raw_records:
        file = settings.file or ""
        try:
            frame = pd.DataFrame.from_records(settings.raw_records)
        except (TypeError, ValueError) as exc:
            raise ByommRejection(file, f"raw data is not a table: {exc}", "Extras.raw_data") from exc
        return _dated(frame, settings.date_var, file), file
    matrix_csv = folder / MEDIA_MATRIX_CSV
    if matrix_csv.is_file():
        media = _matrix_media(_read_csv(matrix_csv), sol, matrix_csv)
        return _dated(media, MATRIX_DATE, str(matrix_csv)), str(matrix_csv)
    return None, str(raw_csv)


def _matrix_media(matrix: pd.DataFrame, sol: str, path: Path) -> pd.DataFrame:
    """Raw media and spend of one solID from pareto_media_transform_matrix.csv (Robyn 3.6–3.11)."""
    _require_columns(matrix, (MATRIX_DATE, "type", "solID"), path)
    rows = matrix[matrix["solID"] == sol].drop(columns="solID")
    media = rows[rows["type"] == "rawMedia"].drop(columns="type").dropna(axis=1, how="all")
    spend = rows[rows["type"] == "rawSpend"].drop(columns="type").dropna(axis=1, how="all")
    if media.empty:
        raise ByommRejection(
            str(path), f"no rawMedia rows for solID {sol} (Robyn 3.12+ keeps adstocked media only)", "type"
        )
    spend = spend[[MATRIX_DATE] + [c for c in spend.columns if c not in media.columns]]
    return media.merge(spend, on=MATRIX_DATE, how="left")


def _dated(frame: pd.DataFrame, date_var: str | None, file: str) -> pd.DataFrame:
    """Rows sorted by date, indexed by it; the date column is the JSON's date_var or the ISO-date one."""
    column = date_var or _date_column(frame)
    if column is None or column not in frame.columns:
        raise ByommRejection(file, "no date column", column or "date")
    dates = pd.to_datetime(frame[column].astype(str), format="ISO8601", errors="coerce")
    if dates.isna().any() or dates.duplicated().any():
        raise ByommRejection(file, "dates are missing, repeated or not YYYY-MM-DD", column)
    return frame.drop(columns=column).set_index(pd.DatetimeIndex(dates)).sort_index()


def _date_column(frame: pd.DataFrame) -> str | None:
    for column in frame.columns:
        if frame[column].dtype != object:
            continue
        if pd.to_datetime(frame[column], format="ISO8601", errors="coerce").notna().all():
            return column
    return None


def _numeric_column(raw: pd.DataFrame, column: str, file: str) -> np.ndarray:
    if column not in raw.columns:
        raise ByommRejection(file, f"no column {column}", column)
    values = pd.to_numeric(raw[column], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ByommRejection(file, f"{column} has missing or non-numeric values", column)
    return values


def _window_mask(raw: pd.DataFrame, window: tuple[date, date], file: str) -> np.ndarray:
    start, end = (pd.Timestamp(d) for d in window)
    mask = np.asarray((raw.index >= start) & (raw.index <= end))
    if not mask.any():
        raise ByommRejection(file, f"no rows in the modelling window {window[0]}..{window[1]}", "window_start")
    return mask


def _check_spend_totals(
    raw: pd.DataFrame, window: np.ndarray, spend_of: dict[str, str], totals: dict[str, float], file: str
) -> None:
    """The data must be this model's: window spend adds up to Robyn's total_spend per media."""
    for var, column in spend_of.items():
        observed = float(_numeric_column(raw, column, file)[window].sum())
        if not math.isclose(observed, totals[var], rel_tol=SPEND_MATCH_RTOL, abs_tol=SPEND_MATCH_ATOL):
            raise ByommRejection(
                file,
                f"{column} adds up to {observed:,.2f} over the modelling window but "
                f"{AGGREGATED_CSV} has total_spend {totals[var]:,.2f} for {var}: "
                "not this model's data, or truncated",
                column,
            )


def _window_periods(agg_rows: pd.DataFrame, paid: list[str], path: Path) -> int:
    """Length of the modelling window: total_spend / mean_spend of a media that spent."""
    for var in paid:
        mean = _optional_number(agg_rows.loc[var], "mean_spend")
        total = _optional_number(agg_rows.loc[var], "total_spend")
        if mean and total:
            return round(total / mean)
    raise ByommRejection(str(path), "no media with spend to size the modelling window", "mean_spend")


def _infer_window(
    raw: pd.DataFrame, totals: dict[str, float], periods: int, file: str
) -> tuple[np.ndarray, dict[str, str]]:
    """Without the JSON: the one run of ``periods`` rows where every paid media has a column adding
    up to its total_spend (its own column preferred; else the one matching column is its spend)."""
    numeric = raw.apply(pd.to_numeric, errors="coerce")
    sums = numeric.rolling(periods).sum().to_numpy()  # (n_rows, n_columns): rows end-periods+1..end
    close = {
        var: np.isclose(sums, total, rtol=SPEND_MATCH_RTOL, atol=SPEND_MATCH_ATOL) for var, total in totals.items()
    }
    columns = list(numeric.columns)
    found = []
    for end in range(periods - 1, len(raw)):
        spend_of = {}
        for var, hits in close.items():
            matching = [columns[i] for i in np.flatnonzero(hits[end])]
            if var in matching:
                spend_of[var] = var
            elif len(matching) == 1:
                spend_of[var] = matching[0]
            else:
                break
        else:
            found.append((end, spend_of))
    if len(found) != 1:
        raise ByommRejection(
            file,
            f"no RobynModel JSON gives the modelling window, and {len(found)} runs of "
            f"{periods} rows match every media's total_spend (need exactly one)",
            "window_start",
        )
    end, spend_of = found[0]
    mask = np.zeros(len(raw), dtype=bool)
    mask[end - periods + 1 : end + 1] = True
    return mask, spend_of


def _period_days(raw: pd.DataFrame | None, file: str) -> float:
    """Days per period as Robyn infers it: the most common gap between dates."""
    gaps = pd.Series(raw.index).diff().dt.days.dropna() if raw is not None else pd.Series(dtype=float)
    if gaps.empty:
        raise ByommRejection(
            file, "cannot tell the period length (no dayInterval, fewer than two dates)", "dayInterval"
        )
    return float(gaps.mode().iloc[0])


def _check_unique_channels(spend_of: dict[str, str], path: Path) -> None:
    names = [_channel_name(column) for column in spend_of.values()]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ByommRejection(
            str(path), f"several media share the spend column of {', '.join(repeated)}", "paid_media_spends"
        )


# --- curves ------------------------------------------------------------------------------------


def _clusters_ci_table(folder: Path, agg: pd.DataFrame) -> pd.DataFrame | None:
    """pareto_clusters_ci.csv, read only when pareto_aggregated.csv lacks the ci_low/ci_up columns."""
    ci_file = folder / CLUSTERS_CI_CSV
    if {"ci_low", "ci_up"} <= set(agg.columns) or not ci_file.is_file():
        return None
    table = _read_csv(ci_file)
    _require_columns(table, ("rn", "cluster", "ci_low", "ci_up"), ci_file)
    return table


def _roi_interval(agg_row: pd.Series, clusters_ci: pd.DataFrame | None, var: str) -> tuple[float | None, float | None]:
    """Robyn's bootstrapped 95% interval of ROI (revenue) / CPA (conversion) over the solID's cluster
    of Pareto models: the solID's ci_low/ci_up in pareto_aggregated.csv, else pareto_clusters_ci.csv."""
    if clusters_ci is None:
        return _optional_number(agg_row, "ci_low"), _optional_number(agg_row, "ci_up")
    cluster = _optional_number(agg_row, "cluster")
    same_cluster = pd.to_numeric(clusters_ci["cluster"], errors="coerce") == cluster
    rows = clusters_ci[(clusters_ci["rn"] == var) & same_cluster]
    if len(rows) != 1:
        return None, None
    return _optional_number(rows.iloc[0], "ci_low"), _optional_number(rows.iloc[0], "ci_up")


def _contribution_interval(
    ci: tuple[float | None, float | None], spend: float, dep_var_type: str | None
) -> tuple[float | None, float | None]:
    """Contribution bounds over the window from the ROI (or CPA) interval and the spend."""
    low, up = ci
    if low is None or up is None:
        return None, None
    if dep_var_type == "revenue":
        return low * spend, up * spend
    if dep_var_type == "conversion":
        return (spend / up if up > 0 else None), (spend / low if low > 0 else None)
    return None, None


def _channel_curve(
    spend_col: str,
    hill: _RobynHill,
    agg_row: pd.Series,
    weeks_per_period: float,
    spend_window: np.ndarray | None,
    contribution_interval: tuple[float | None, float | None],
    agg_file: Path,
    sol: str,
) -> ChannelCurve:
    """One paid media in the weekly-spend convention (derivation in the module doc).

    spend_window: (n_window_periods,) spend per period over the modelling window, None without data.
    """
    lower, upper = contribution_interval
    name = _channel_name(spend_col)
    return ChannelCurve(
        channel_name=name,
        display_name=_display_name(name),
        saturation_half_point=weeks_per_period * hill.inflexion * (1.0 - hill.theta),
        saturation_max=weeks_per_period * hill.coef,
        hill_slope=hill.alpha,
        contribution_mean=_number(agg_row, "xDecompAgg", agg_file, sol),
        contribution_lower=lower,
        contribution_upper=upper,
        spend=_number(agg_row, "total_spend", agg_file, sol),
        observed_spend_min=None if spend_window is None else weeks_per_period * float(spend_window.min()),
        observed_spend_max=None if spend_window is None else weeks_per_period * float(spend_window.max()),
        extras={
            "coef": hill.coef,
            "alpha": hill.alpha,
            "gamma": hill.gamma,
            "theta": hill.theta,
            "inflexion_model_units": hill.inflexion_model_units,
            "spend_per_model_unit": hill.spend_per_model_unit,
            "inflexion": weeks_per_period * hill.inflexion,
            "mean_carryover": weeks_per_period * hill.mean_carryover,
            "roi_total": _number(agg_row, "roi_total", agg_file, sol),
            "period_days": DAYS_PER_WEEK / weeks_per_period,
        },
    )


def _channel_name(spend_column: str) -> str:
    """The media name of a spend column: Robyn's ``tv_S`` (or ``tv_spend``) → ``tv``."""
    return SPEND_SUFFIX.sub("", spend_column) or spend_column


def _display_name(channel: str) -> str:
    """``google_brand_search`` → ``Google Brand Search``; short lower-case words as acronyms (TV, OOH)."""
    words = channel.replace("_", " ").split()
    return (
        " ".join(
            w.upper() if w.isalpha() and w.islower() and len(w) <= ACRONYM_MAX_LETTERS else w[:1].upper() + w[1:]
            for w in words
        )
        or channel
    )
