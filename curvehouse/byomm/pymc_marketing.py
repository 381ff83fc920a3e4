"""Read a saved PyMC-Marketing MMM (``mmm.save(path)``: ArviZ InferenceData as NetCDF4) into ModelCurves.

Both MMM classes of PyMC-Marketing 0.19 (``pymc_marketing.mmm.multidimensional.MMM`` and the
older ``pymc_marketing.mmm.MMM``) save the same pieces, read here with xarray alone (no PyMC):

- root attributes, JSON text: ``channel_columns``, ``adstock`` (lookup_name, prefix, l_max,
  normalize, mode), ``saturation`` (lookup_name, prefix), ``adstock_first``, ``time_varying_media``,
  ``dims`` (multidimensional class only) and ``id`` (a hash of the model configuration);
- ``constant_data``: the raw ``channel_data`` (date x channel), ``target_data``, and the scales
  the model divides them by, ``channel_scale`` (per channel) and ``target_scale``;
- ``posterior``: ``<adstock prefix>_alpha``, ``<saturation prefix>_lam`` / ``_beta`` per channel and
  ``channel_contribution`` (chain x draw x date x channel, in target / target_scale units).

Conversion (geometric adstock, logistic saturation, the library's default pairing, adstock
first). The model's contribution is ``target_scale * beta * logistic(lam * adstock(x / channel_scale))``
with ``logistic(z) = (1 - exp(-z)) / (1 + exp(-z))`` and adstock weights ``alpha**l`` for
l < l_max, divided by their sum when ``normalize``. A spend s sustained for l_max periods adstocks
to ``s * carry``, ``carry = 1`` (normalised) or ``sum(alpha**l)``. That steady state, per posterior
draw, on spend points from 0 to twice the largest observed spend, is the curve; a Hill curve fitted
to its posterior mean is the curve in our convention (a logistic is not a Hill curve:
``extras['fit_max_relative_error']`` says how close), and fits to the pointwise 5% / 95% curves
give the ``_p05`` / ``_p95`` range, as for Meridian. Before trusting these formulas the reader
recomputes ``channel_contribution`` with them from ``channel_data`` and rejects the file if they
disagree (a version with other conventions). Periods other than weeks (from the date coordinate)
are scaled to weekly spend and response. Money is in the units of the channel columns and the
target: PyMC-Marketing does not record whether those are spend and revenue.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from curvehouse.byomm import fields
from curvehouse.byomm.hill import HillFit, fit_hill
from curvehouse.byomm.records import ByommRejection, ChannelCurve, ModelCurves

__all__ = ["FIT_WARNING_ERROR", "is_pymc_marketing_file", "read_pymc_marketing"]

SOURCE = "pymc_marketing"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"  # NetCDF4 files are HDF5 files
NETCDF3_MAGICS = (b"CDF\x01", b"CDF\x02", b"CDF\x05")  # classic NetCDF, which ArviZ never writes
FIT_WARNING_ERROR = 0.05  # warn when the fitted mean curve misses a steady-state point by more than this
RHAT_WARNING = 1.05
CURVE_POINTS = 41
CURVE_SPAN = 2.0  # curve points run from 0 to this multiple of the largest observed weekly spend
QUANTILES = (0.05, 0.95)  # the level of _p05 / _p95 and of the contribution interval
REPRODUCE_TOLERANCE = 1e-6  # recomputed vs saved channel_contribution, relative to its largest value
REPRODUCE_DRAWS = 100  # draws checked (evenly spaced): enough to catch another convention
DAYS_PER_WEEK = 7
ADSTOCK = "geometric"
ADSTOCK_MODE = "After"
SATURATION = "logistic"
_PARAMETER_DIMS = {"chain", "draw", "channel"}
_REQUIRED = object()


@dataclass(frozen=True)
class _Settings:
    """What the root attributes say about the model's structure."""

    channels: tuple[str, ...]
    alpha: str  # posterior variable names
    lam: str
    beta: str
    l_max: int
    normalize: bool
    model_id: str | None


@dataclass(frozen=True)
class _Fit:
    """The parts of the file the curves are computed from; draws flattened over chain x draw."""

    dates: np.ndarray  # datetime64, one per period
    spend: np.ndarray  # raw channel data, period x channel
    channel_scale: np.ndarray  # per channel
    target_scale: float
    target_total: float | None
    alpha: np.ndarray  # draw x channel
    lam: np.ndarray
    beta: np.ndarray
    contribution: np.ndarray  # draw x period x channel, in target / target_scale units


def is_pymc_marketing_file(path_or_head: Path | bytes) -> bool:
    """True for a NetCDF file (HDF5 or classic), from its first bytes or its path.

    NetCDF is only read as a saved PyMC-Marketing model; the reader tells an MMM from other
    NetCDF and says why it rejects one.
    """
    if isinstance(path_or_head, Path):
        with path_or_head.open("rb") as handle:
            path_or_head = handle.read(len(HDF5_MAGIC))
    return path_or_head.startswith((HDF5_MAGIC, *NETCDF3_MAGICS))


def read_pymc_marketing(path: Path) -> ModelCurves:
    """Read a saved PyMC-Marketing MMM; raise ByommRejection naming the file, reason and field."""
    file = str(path)
    try:
        return _read(Path(path), file)
    except ByommRejection:
        raise
    except Exception as exc:  # contract: a bad input is a rejection, never a crash of the load
        raise ByommRejection(file, f"unreadable PyMC-Marketing model ({type(exc).__name__}: {exc})") from exc


def _read(path: Path, file: str) -> ModelCurves:
    with _open(path, file) as tree:
        settings = _settings(dict(tree.attrs), file)
        posterior = _group(tree, "posterior", file)
        fit = _fit(posterior, _group(tree, "constant_data", file), settings, file)
        created_at = posterior.attrs.get("created_at")
        warnings = _sampling_warnings(tree, posterior, settings)
    _check_reproduces_contributions(fit, settings, file)

    period_days = _period_days(fit.dates, file)
    weeks_per_period = DAYS_PER_WEEK / period_days
    channels = []
    for j, channel in enumerate(settings.channels):
        curve, warning = _channel_curve(channel, j, fit, settings, weeks_per_period, file)
        channels.append(curve)
        warnings += [warning] if warning else []
    if period_days != DAYS_PER_WEEK:
        warnings.append(f"PyMC-Marketing periods are {period_days:g} days: curves scaled to weeks")

    refreshed_at, note = _refreshed_at(created_at, path, file)
    warnings += [note] if note else []
    model_id = f"{SOURCE}_{settings.model_id}" if settings.model_id else fields.name(path.stem, "model_id", file)
    if not settings.model_id:
        warnings.append(f"no id attribute: model_id is the file name, {model_id}")
    start, end = _date_range(fit.dates, period_days)
    return ModelCurves(
        model_id=model_id,
        source=SOURCE,
        refreshed_at=refreshed_at,
        date_range_start=start,
        date_range_end=end,
        total_revenue=fit.target_total,
        channels=tuple(channels),
        source_path=file,
        warnings=tuple(warnings),
    )


def _refreshed_at(created_at: object, path: Path, file: str) -> tuple[datetime, str | None]:
    """When the posterior was sampled (its created_at), else the file's modification time and a note saying so."""
    if created_at is not None:
        return fields.timestamp(created_at, "posterior.created_at", file), None
    modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(tzinfo=None, microsecond=0)
    return modified, f"no posterior created_at: used the file's modification time, {modified:%Y-%m-%d %H:%M} UTC"


# --- file --------------------------------------------------------------------------------------


def _open(path: Path, file: str) -> xr.DataTree:
    """The file's groups, lazily; classic NetCDF and unreadable HDF5 are rejected."""
    with path.open("rb") as handle:
        head = handle.read(len(HDF5_MAGIC))
    if head.startswith(NETCDF3_MAGICS):
        raise ByommRejection(
            file,
            "classic NetCDF (version 3): PyMC-Marketing's mmm.save writes NetCDF4, so not a saved PyMC-Marketing MMM",
        )
    try:
        return xr.open_datatree(path, engine="h5netcdf")
    except (OSError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ByommRejection(file, f"not a readable NetCDF4 file (truncated or corrupt?): {reason}") from exc


def _group(tree: xr.DataTree, name: str, file: str) -> xr.Dataset:
    if name not in tree.children:
        raise ByommRejection(file, f"no {name} group: not a fitted PyMC-Marketing MMM", name)
    return tree[name].to_dataset()


def _attr(attrs: dict[str, Any], key: str, file: str, default: Any = _REQUIRED) -> Any:
    """A root attribute, decoded from the JSON text PyMC-Marketing stores; ``default`` when absent, if given."""
    if key not in attrs and default is not _REQUIRED:
        return default
    if key not in attrs:
        raise ByommRejection(file, f"no {key} attribute: not a saved PyMC-Marketing MMM", f"attrs.{key}")
    try:
        return json.loads(attrs[key])
    except (TypeError, json.JSONDecodeError):
        raise ByommRejection(file, f"{fields.show(attrs[key])} is not JSON", f"attrs.{key}") from None


def _transformation(attrs: dict[str, Any], key: str, supported: str, file: str) -> dict[str, Any]:
    """The adstock or saturation settings; any other transformation than the supported one is rejected."""
    settings = _attr(attrs, key, file)
    name = settings.get("lookup_name") if isinstance(settings, dict) else settings
    if name != supported:
        raise ByommRejection(
            file, f"{key} {fields.show(name)} is not supported (this reader reads {supported})", f"attrs.{key}"
        )
    return settings


def _settings(attrs: dict[str, Any], file: str) -> _Settings:
    channels = _attr(attrs, "channel_columns", file)
    if not isinstance(channels, list) or not channels or not all(isinstance(c, str) for c in channels):
        raise ByommRejection(file, "channel_columns is not a list of channel names", "attrs.channel_columns")
    adstock, saturation = (
        _transformation(attrs, "adstock", ADSTOCK, file),
        _transformation(attrs, "saturation", SATURATION, file),
    )
    if adstock.get("mode", ADSTOCK_MODE) != ADSTOCK_MODE:
        raise ByommRejection(
            file, f"adstock mode {fields.show(adstock['mode'])} is not supported (only {ADSTOCK_MODE})", "attrs.adstock"
        )
    l_max, normalize = adstock.get("l_max"), adstock.get("normalize")
    if isinstance(l_max, bool) or not isinstance(l_max, int) or l_max <= 0:
        raise ByommRejection(
            file, f"adstock l_max {fields.show(l_max)} is not a positive whole number", "attrs.adstock"
        )
    if not isinstance(normalize, bool):
        raise ByommRejection(file, f"adstock normalize {fields.show(normalize)} is not true or false", "attrs.adstock")
    if _attr(attrs, "time_varying_media", file, default=False):
        raise ByommRejection(
            file,
            "time-varying media effects are not supported: the curve changes over time",
            "attrs.time_varying_media",
        )
    dims = _attr(attrs, "dims", file, default=[])  # the multidimensional class's extra dims, e.g. geo
    if dims:
        raise ByommRejection(
            file, f"a model with dims {fields.show(dims)}: this reader reads single-series models", "attrs.dims"
        )
    if not _attr(attrs, "adstock_first", file, default=True):
        raise ByommRejection(
            file, "saturation before adstock is not supported (adstock_first false)", "attrs.adstock_first"
        )
    model_id = attrs.get("id")
    return _Settings(
        channels=tuple(channels),
        alpha=f"{adstock.get('prefix') or 'adstock'}_alpha",
        lam=f"{saturation.get('prefix') or 'saturation'}_lam",
        beta=f"{saturation.get('prefix') or 'saturation'}_beta",
        l_max=l_max,
        normalize=normalize,
        model_id=None if model_id is None else fields.name(model_id, "attrs.id", file),
    )


def _fit(posterior: xr.Dataset, constant: xr.Dataset, settings: _Settings, file: str) -> _Fit:
    """Load the arrays the curves need, channels in channel_columns order."""
    channels = list(settings.channels)
    for name in ("channel_data", "channel_scale", "target_scale"):
        if name not in constant:
            raise ByommRejection(
                file,
                f"no constant_data {name} (saved by PyMC-Marketing "
                f"{posterior.attrs.get('pymc_marketing_version', 'of unknown version')}; this reader needs 0.19's)",
                f"constant_data.{name}",
            )
    spend = _by_channel(  # PyMC-Marketing reads missing channel data as 0
        constant["channel_data"].fillna(0.0), channels, ("date", "channel"), "constant_data.channel_data", file
    )
    scale = _by_channel(constant["channel_scale"], channels, ("channel",), "constant_data.channel_scale", file)
    if "channel_contribution" not in posterior:
        raise ByommRejection(file, "no channel_contribution in the posterior", "posterior.channel_contribution")
    contribution = _by_channel(
        posterior["channel_contribution"].stack(sample=("chain", "draw")),
        channels,
        ("sample", "date", "channel"),
        "posterior.channel_contribution",
        file,
    )
    dates = constant["date"].to_numpy() if "date" in constant.coords else np.array([])
    if not np.issubdtype(dates.dtype, np.datetime64) or len(dates) != contribution.shape[1]:
        raise ByommRejection(file, "the date coordinate does not hold the model's dates", "constant_data.date")
    target_scale = constant["target_scale"]
    if target_scale.size != 1 or not np.isfinite(target_scale.to_numpy()).all():
        raise ByommRejection(file, "target_scale is not one finite number", "constant_data.target_scale")
    target = constant.get("target_data")
    return _Fit(
        dates=dates,
        spend=spend,
        channel_scale=scale,
        target_scale=float(target_scale.to_numpy().item()),
        target_total=None if target is None else float(target.sum()),
        alpha=_parameter(posterior, settings.alpha, channels, file),
        lam=_parameter(posterior, settings.lam, channels, file),
        beta=_parameter(posterior, settings.beta, channels, file),
        contribution=contribution,
    )


def _by_channel(array: xr.DataArray, channels: list[str], dims: tuple[str, ...], field: str, file: str) -> np.ndarray:
    """Values with exactly ``dims``, channels selected by name in the given order."""
    if set(array.dims) != set(dims):
        raise ByommRejection(file, f"dims {array.dims}, expected {dims}", field)
    missing = [c for c in channels if c not in array["channel"].to_numpy()]
    if missing:
        raise ByommRejection(file, f"no values for channel(s) {', '.join(missing)} of channel_columns", field)
    values = array.sel(channel=channels).transpose(*dims).to_numpy().astype(float)
    if not np.isfinite(values).all():
        raise ByommRejection(file, "values are not all finite numbers", field)
    return values


def _parameter(posterior: xr.Dataset, name: str, channels: list[str], file: str) -> np.ndarray:
    """Posterior draws x channel of one parameter; one shared across channels is broadcast."""
    if name not in posterior:
        raise ByommRejection(file, f"no {name} in the posterior", f"posterior.{name}")
    array = posterior[name]
    if not set(array.dims) <= _PARAMETER_DIMS:
        raise ByommRejection(
            file, f"{name} has dims {array.dims}; only per-channel parameters are supported", f"posterior.{name}"
        )
    if "channel" not in array.dims:
        array = array.expand_dims(channel=channels)
    return _by_channel(
        array.stack(sample=("chain", "draw")), channels, ("sample", "channel"), f"posterior.{name}", file
    )


# --- conventions -------------------------------------------------------------------------------


def _logistic(z: np.ndarray) -> np.ndarray:
    """PyMC-Marketing's logistic saturation, ``(1 - exp(-z)) / (1 + exp(-z))``."""
    return (1 - np.exp(-z)) / (1 + np.exp(-z))


def _adstock_weights(alpha: np.ndarray, l_max: int, normalize: bool) -> np.ndarray:
    """Geometric weights ``alpha**l``, l < l_max, on a last axis; divided by their sum when normalised."""
    weights = alpha[..., None] ** np.arange(l_max)
    return weights / weights.sum(axis=-1, keepdims=True) if normalize else weights


def _carry(alpha: np.ndarray, settings: _Settings) -> np.ndarray:
    """What a sustained spend of 1 adstocks to, per draw: the sum of the weights (1 when normalised)."""
    return _adstock_weights(alpha, settings.l_max, settings.normalize).sum(axis=-1)


def _steady_response(spend: np.ndarray, fit: _Fit, j: int, settings: _Settings) -> np.ndarray:
    """Draws x points: response per period to a spend per period sustained for l_max periods, in target units."""
    carry = _carry(fit.alpha[:, j], settings)[:, None]
    x = spend[None, :] / fit.channel_scale[j]
    lam, beta = fit.lam[:, j, None], fit.beta[:, j, None]
    return beta * _logistic(lam * x * carry) * fit.target_scale


def _contributions(fit: _Fit, settings: _Settings, draws: np.ndarray) -> np.ndarray:
    """Draws x period x channel contribution, recomputed from channel_data (ConvMode.After: trailing lags)."""
    x = fit.spend / fit.channel_scale
    weights = _adstock_weights(fit.alpha[draws], settings.l_max, settings.normalize)  # draw x channel x lag
    adstocked = np.zeros((len(draws), *x.shape))
    for lag in range(min(settings.l_max, len(x))):
        adstocked[:, lag:, :] += weights[:, None, :, lag] * x[None, : len(x) - lag, :]
    return fit.beta[draws][:, None, :] * _logistic(fit.lam[draws][:, None, :] * adstocked)


def _check_reproduces_contributions(fit: _Fit, settings: _Settings, file: str) -> None:
    """Reject a file whose saved channel_contribution the formulas above do not reproduce."""
    draws = np.unique(np.linspace(0, len(fit.alpha) - 1, min(REPRODUCE_DRAWS, len(fit.alpha))).round().astype(int))
    saved = fit.contribution[draws]
    gap = np.max(np.abs(_contributions(fit, settings, draws) - saved))
    if gap > REPRODUCE_TOLERANCE * max(np.max(np.abs(saved)), 1e-12):
        raise ByommRejection(
            file,
            f"channel_contribution is not reproduced by {ADSTOCK} adstock and {SATURATION} saturation on the scaled "
            f"channel_data (largest gap {gap:.3g}): a PyMC-Marketing version with other conventions?",
            "posterior.channel_contribution",
        )


def _period_days(dates: np.ndarray, file: str) -> float:
    if len(dates) < 2:
        raise ByommRejection(file, "fewer than two dates: the period length is unknown", "constant_data.date")
    steps = np.diff(dates).astype("timedelta64[s]").astype(float) / 86400
    days = float(np.median(steps))
    if days <= 0:
        raise ByommRejection(file, "dates are not increasing", "constant_data.date")
    return days


def _date_range(dates: np.ndarray, period_days: float) -> tuple[date, date]:
    """First period's start to the last period's last day."""
    first = dates[0].astype("datetime64[D]").item()
    last = dates[-1].astype("datetime64[D]").item()
    return first, last + timedelta(days=max(math.ceil(period_days) - 1, 0))


# --- curves ------------------------------------------------------------------------------------


def _channel_curve(
    channel: str, j: int, fit: _Fit, settings: _Settings, weeks_per_period: float, file: str
) -> tuple[ChannelCurve, str | None]:
    """One channel's steady-state curve (weekly), its Hill fits and its posterior contribution."""
    weekly_spend = fit.spend[:, j] * weeks_per_period
    grid = np.linspace(0.0, CURVE_SPAN * weekly_spend.max(), CURVE_POINTS)
    response = _steady_response(grid / weeks_per_period, fit, j, settings) * weeks_per_period
    mean = response.mean(axis=0)
    low, high = np.quantile(response, QUANTILES, axis=0)
    try:
        fits = [fit_hill(grid, mean), fit_hill(grid, low), fit_hill(grid, high)]
    except ValueError as exc:
        raise ByommRejection(file, f"channel {channel}: {exc}", f"posterior.{settings.beta}") from None
    totals = fit.contribution[:, :, j].sum(axis=1) * fit.target_scale
    alpha = float(fit.alpha[:, j].mean())
    ceiling = fit.beta[:, j] * fit.target_scale * weeks_per_period
    extras = {
        "fit_max_relative_error": fits[0].max_relative_error,
        "adstock_alpha": alpha,
        "logistic_saturation_max": float(ceiling.mean()),  # the logistic's own ceiling, weekly
    }
    if 0 < alpha < 1:
        extras["adstock_half_life_weeks"] = math.log(0.5) / math.log(alpha) / weeks_per_period
    curve = ChannelCurve(
        channel_name=channel,
        display_name=channel,
        saturation_half_point=fits[0].saturation_half_point,
        saturation_max=fits[0].saturation_max,
        hill_slope=fits[0].hill_slope,
        contribution_mean=float(totals.mean()),
        contribution_lower=float(np.quantile(totals, QUANTILES[0])),
        contribution_upper=float(np.quantile(totals, QUANTILES[1])),
        spend=float(fit.spend[:, j].sum()),
        **_bounds(fits),
        observed_spend_min=float(weekly_spend.min()),
        observed_spend_max=float(weekly_spend.max()),
        points=tuple(
            (float(s), float(m), float(lo), float(hi)) for s, m, lo, hi in np.column_stack((grid, mean, low, high))
        ),
        extras=extras,
    )
    warning = None
    if fits[0].max_relative_error > FIT_WARNING_ERROR:
        warning = (
            f"channel {channel}: the fitted Hill curve misses PyMC-Marketing's logistic curve by up to "
            f"{fits[0].max_relative_error:.1%}"
        )
    return curve, warning


def _bounds(fits: list[HillFit]) -> dict[str, float]:
    """_p05/_p95 of each parameter: the range spanned by the fits to the mean, 5% and 95% curves."""
    bounds = {}
    for name in ("saturation_half_point", "saturation_max", "hill_slope"):
        values = [getattr(f, name) for f in fits]
        bounds[f"{name}_p05"], bounds[f"{name}_p95"] = min(values), max(values)
    return bounds


def _sampling_warnings(tree: xr.DataTree, posterior: xr.Dataset, settings: _Settings) -> list[str]:
    """Divergent transitions and unconverged curve parameters, as the sampler left them."""
    import arviz as az  # imported here: the rest of the reader needs only xarray

    notes = []
    if "sample_stats" in tree.children and "diverging" in tree["sample_stats"]:
        diverging = tree["sample_stats"]["diverging"]
        if int(diverging.sum()):
            notes.append(f"{int(diverging.sum())} of {diverging.size} posterior draws are divergent transitions")
    names = [settings.alpha, settings.lam, settings.beta]  # present: _fit has read them
    if posterior.sizes.get("chain", 1) > 1:
        rhat = az.rhat(posterior[names])
        worst = max(float(rhat[n].max()) for n in names)
        if worst > RHAT_WARNING:
            notes.append(f"curve parameters did not converge: largest r-hat {worst:.2f} (over {RHAT_WARNING})")
    return notes
