"""PyMC-Marketing reader on real saved MMMs (0.19.2, both MMM classes): numbers recomputed from the raw draws.

The expected values are computed here from the file's posterior draws and its fit_data (the data
as the user passed it), with PyMC-Marketing's formulas written out: channels and target scaled by
their max, geometric adstock weights alpha**l normalised to sum 1, logistic saturation
beta * (1 - exp(-lam x)) / (1 + exp(-lam x)), contributions times the target's max.
"""

from __future__ import annotations

import functools
import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

from curvehouse.byomm.detect import MAX_FILE_BYTES, detect_format
from curvehouse.byomm.landing import load_landing_folder
from curvehouse.byomm.pymc_marketing import is_pymc_marketing_file, read_pymc_marketing
from curvehouse.byomm.records import ByommRejection
from curvehouse.hill import hill_response

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pymc_marketing"
MODERN = FIXTURES / "demo_mmm.nc"  # pymc_marketing.mmm.multidimensional.MMM
LEGACY = FIXTURES / "demo_legacy_mmm.nc"  # pymc_marketing.mmm.MMM
CHANNELS = ["tv", "paid_search", "paid_social"]
L_MAX = 8
WEEKS = 104
PARAMETERS = ("adstock_alpha", "saturation_lam", "saturation_beta")


def raw(path: Path) -> dict[str, object]:
    """What the test needs from the file, read with xarray: draws, the user's data, attributes."""
    with xr.open_datatree(path, engine="h5netcdf") as tree:
        posterior = tree["posterior"].to_dataset().stack(sample=("chain", "draw"))
        fit_data = tree["fit_data"].to_dataset().to_dataframe()
        attrs = dict(tree.attrs)
        draws = {n: posterior[n].transpose("sample", "channel").sel(channel=CHANNELS).to_numpy() for n in PARAMETERS}
        contribution = posterior["channel_contribution"].sel(channel=CHANNELS).transpose("sample", "date", "channel")
        legacy_total = (
            posterior["channel_contribution_original_scale"].sel(channel=CHANNELS).sum("date").T.to_numpy()
            if "channel_contribution_original_scale" in posterior
            else None
        )
        return {
            **draws,
            "contribution": contribution.to_numpy(),
            "legacy_total": legacy_total,
            "spend": fit_data[CHANNELS].to_numpy(),
            "target": fit_data["revenue" if "revenue" in fit_data else "y"].to_numpy(),
            "attrs": attrs,
            "created_at": posterior.attrs["created_at"],
        }


def logistic(z: np.ndarray) -> np.ndarray:
    return (1 - np.exp(-z)) / (1 + np.exp(-z))


def adstock_weights(draws: dict, normalize: bool) -> np.ndarray:
    """Draws x channel x lag: geometric weights alpha**l, l < l_max."""
    weights = draws["adstock_alpha"][:, :, None] ** np.arange(L_MAX)
    return weights / weights.sum(axis=-1, keepdims=True) if normalize else weights


def library_contribution(draws: dict, normalize: bool = True) -> np.ndarray:
    """Draws x week x channel: beta * logistic(lam * adstock(spend / max spend)), adstock trailing (mode After)."""
    x = draws["spend"] / np.abs(draws["spend"]).max(axis=0)
    weights = adstock_weights(draws, normalize)
    adstocked = np.zeros((len(weights), *x.shape))
    for lag in range(L_MAX):
        adstocked[:, lag:, :] += weights[:, None, :, lag] * x[None, : WEEKS - lag, :]
    return draws["saturation_beta"][:, None, :] * logistic(draws["saturation_lam"][:, None, :] * adstocked)


def steady_response(draws: dict, j: int, weekly_spend: np.ndarray, normalize: bool = True) -> np.ndarray:
    """Draws x spend: weekly response at a weekly spend sustained for l_max weeks (it adstocks to spend x carry)."""
    carry = adstock_weights(draws, normalize)[:, j, :].sum(axis=-1)[:, None]
    x = weekly_spend[None, :] * carry / np.abs(draws["spend"][:, j]).max()
    lam, beta = draws["saturation_lam"][:, j, None], draws["saturation_beta"][:, j, None]
    return beta * logistic(lam * x) * np.abs(draws["target"]).max()


@pytest.fixture(scope="module", params=[MODERN, LEGACY], ids=["multidimensional", "legacy"])
def saved(request) -> tuple[Path, dict]:
    return request.param, raw(request.param)


@functools.cache
def fixture_model(path: Path):
    """The reader's result for a committed fixture, read once."""
    return read_pymc_marketing(path)


@pytest.fixture(scope="module")
def model(saved):
    return fixture_model(saved[0])


def test_the_fixtures_are_what_the_reader_assumes(saved):
    _, draws = saved
    attrs = draws["attrs"]
    assert json.loads(attrs["channel_columns"]) == CHANNELS
    adstock, saturation = json.loads(attrs["adstock"]), json.loads(attrs["saturation"])
    assert (adstock["lookup_name"], adstock["l_max"], adstock["normalize"]) == ("geometric", L_MAX, True)
    assert saturation["lookup_name"] == "logistic"
    assert json.loads(attrs["scaling"])["channel"]["method"] == "max"
    assert draws["spend"].shape == (WEEKS, len(CHANNELS))


def test_saved_contributions_follow_the_library_formulas(saved):
    """The conventions the reader relies on, checked on the raw file: scale, adstock, saturation."""
    _, draws = saved
    np.testing.assert_allclose(draws["contribution"], library_contribution(draws), rtol=1e-9, atol=1e-12)


def test_reads_the_model_and_its_data(saved, model):
    path, draws = saved
    assert (model.source, model.model_id) == ("pymc_marketing", f"pymc_marketing_{draws['attrs']['id']}")
    assert [c.channel_name for c in model.channels] == CHANNELS
    assert (model.date_range_start, model.date_range_end) == (date(2024, 11, 18), date(2026, 11, 15))
    assert model.total_revenue == pytest.approx(draws["target"].sum())
    assert model.refreshed_at == datetime.fromisoformat(draws["created_at"]).replace(tzinfo=None)
    assert model.source_path == str(path)
    assert any("divergent" in w for w in model.warnings)
    for j, channel in enumerate(model.channels):
        weekly = draws["spend"][:, j]
        assert channel.spend == pytest.approx(weekly.sum())
        assert (channel.observed_spend_min, channel.observed_spend_max) == pytest.approx((weekly.min(), weekly.max()))
        half_life = np.log(0.5) / np.log(draws["adstock_alpha"][:, j].mean())
        assert channel.extras["adstock_half_life_weeks"] == pytest.approx(half_life)


def test_contributions_are_the_saved_draws_in_outcome_currency(saved, model):
    _, draws = saved
    totals = draws["contribution"].sum(axis=1) * np.abs(draws["target"]).max()
    if draws["legacy_total"] is not None:  # the legacy class also saves them in the original scale
        np.testing.assert_allclose(totals, draws["legacy_total"], rtol=1e-9)
    for j, channel in enumerate(model.channels):
        assert channel.contribution_mean == pytest.approx(totals[:, j].mean())
        assert channel.contribution_lower == pytest.approx(np.quantile(totals[:, j], 0.05))
        assert channel.contribution_upper == pytest.approx(np.quantile(totals[:, j], 0.95))


def test_curve_points_are_the_steady_state_posterior(saved, model):
    _, draws = saved
    for j, channel in enumerate(model.channels):
        points = np.array(channel.points)
        assert points[0, 0] == 0 and points[-1, 0] == pytest.approx(2 * draws["spend"][:, j].max())
        response = steady_response(draws, j, points[:, 0])
        np.testing.assert_allclose(points[:, 1], response.mean(axis=0), rtol=1e-9)
        np.testing.assert_allclose(points[:, 2:].T, np.quantile(response, [0.05, 0.95], axis=0), rtol=1e-9)


def test_the_hill_curve_gives_the_response_at_mean_weekly_spend(saved, model):
    _, draws = saved
    for j, channel in enumerate(model.channels):
        mean_spend = draws["spend"][:, j].mean()
        expected = steady_response(draws, j, np.array([mean_spend])).mean()
        fitted = hill_response(mean_spend, channel.saturation_half_point, channel.saturation_max, channel.hill_slope)
        assert fitted == pytest.approx(expected, rel=channel.extras["fit_max_relative_error"])
        assert channel.extras["fit_max_relative_error"] < 0.03


def test_hill_fits_and_their_interval(model):
    for channel in model.channels:
        points = np.array(channel.points)[1:]  # the zero-spend point is zero on any curve
        fitted = hill_response(points[:, 0], channel.saturation_half_point, channel.saturation_max, channel.hill_slope)
        assert np.max(np.abs(fitted / points[:, 1] - 1)) == pytest.approx(channel.extras["fit_max_relative_error"])
        for name in ("saturation_half_point", "saturation_max", "hill_slope"):
            assert getattr(channel, f"{name}_p05") <= getattr(channel, name) <= getattr(channel, f"{name}_p95")


def test_both_classes_give_the_same_curves():
    """Same data, same seed, same sampler: the two MMM classes saved the same draws."""
    modern, legacy = fixture_model(MODERN), fixture_model(LEGACY)
    for a, b in zip(modern.channels, legacy.channels, strict=True):
        assert (a.saturation_half_point, a.saturation_max, a.contribution_mean) == pytest.approx(
            (b.saturation_half_point, b.saturation_max, b.contribution_mean)
        )


def edited(tmp_path: Path, **attrs: object) -> Path:
    """A copy of the fixture with root attributes replaced (JSON-encoded, as PyMC-Marketing writes them)."""
    path = Path(shutil.copy(MODERN, tmp_path / "edited.nc"))
    with h5py.File(path, "r+") as handle:
        for key, value in attrs.items():
            handle.attrs[key] = json.dumps(value)
    return path


UNNORMALISED = {"lookup_name": "geometric", "prefix": "adstock", "l_max": L_MAX, "normalize": False, "mode": "After"}


@pytest.mark.parametrize(
    "attrs, field, words",
    [
        ({"adstock": {"lookup_name": "delayed", "l_max": 8, "normalize": True}}, "attrs.adstock", "'delayed'"),
        ({"saturation": {"lookup_name": "hill"}}, "attrs.saturation", "'hill'"),
        ({"dims": ["geo"]}, "attrs.dims", "single-series"),
        ({"time_varying_media": True}, "attrs.time_varying_media", "time-varying"),
        ({"adstock_first": False}, "attrs.adstock_first", "saturation before adstock"),
    ],
)
def test_unsupported_models_are_rejected_naming_what(tmp_path, attrs, field, words):
    path = edited(tmp_path, **attrs)
    with pytest.raises(ByommRejection) as caught:
        read_pymc_marketing(path)
    assert (caught.value.file, caught.value.field) == (str(path), field)
    assert words in caught.value.reason


def test_conventions_that_do_not_reproduce_the_file_are_rejected(tmp_path):
    path = edited(tmp_path, adstock=UNNORMALISED)  # the draws were made with normalised adstock
    with pytest.raises(ByommRejection, match="not reproduced") as caught:
        read_pymc_marketing(path)
    assert caught.value.field == "posterior.channel_contribution"


def test_unnormalised_adstock_carries_a_sustained_spend_to_sum_of_weights(tmp_path):
    """The same draws as if fitted with normalize=False: contributions rewritten with the library's formula."""
    draws = raw(MODERN)
    path = edited(tmp_path, adstock=UNNORMALISED)
    with h5py.File(path, "r+") as handle:
        saved = handle["posterior"]["channel_contribution"]
        saved[...] = library_contribution(draws, normalize=False).reshape(saved.shape)
    model = read_pymc_marketing(path)
    for j, channel in enumerate(model.channels):
        points = np.array(channel.points)
        expected = steady_response(draws, j, points[:, 0], normalize=False).mean(axis=0)
        np.testing.assert_allclose(points[:, 1], expected, rtol=1e-9)
        assert points[-1, 1] > np.array(fixture_model(MODERN).channels[j].points)[-1, 1]


def test_without_id_and_created_at_the_file_name_and_time_are_used(tmp_path):
    path = Path(shutil.copy(MODERN, tmp_path / "brand_mmm_2026q4.nc"))
    with h5py.File(path, "r+") as handle:
        del handle.attrs["id"]
        del handle["posterior"].attrs["created_at"]
    model = read_pymc_marketing(path)
    assert model.model_id == "brand_mmm_2026q4"
    assert model.refreshed_at == datetime.fromtimestamp(int(path.stat().st_mtime), tz=UTC).replace(tzinfo=None)
    assert any("file name" in w for w in model.warnings) and any("modification time" in w for w in model.warnings)


def test_fortnightly_periods_are_scaled_to_weeks(tmp_path):
    path = Path(shutil.copy(MODERN, tmp_path / "fortnightly.nc"))
    with h5py.File(path, "r+") as handle:
        for group in ("posterior", "constant_data"):
            handle[group]["date"][...] = handle[group]["date"][...] * 2
    weekly, fortnightly = fixture_model(MODERN), read_pymc_marketing(path)
    assert fortnightly.date_range_end == date(2024, 11, 18) + timedelta(days=14 * WEEKS - 1)
    assert any("periods are 14 days" in w for w in fortnightly.warnings)
    for a, b in zip(weekly.channels, fortnightly.channels, strict=True):
        np.testing.assert_allclose(np.array(b.points), np.array(a.points) / 2, rtol=1e-9)
        assert b.contribution_mean == pytest.approx(a.contribution_mean)
        assert b.extras["adstock_half_life_weeks"] == pytest.approx(2 * a.extras["adstock_half_life_weeks"])


def test_a_netcdf_that_is_not_an_mmm_is_rejected(tmp_path):
    path = tmp_path / "weather.nc"
    xr.Dataset({"temperature": ("day", [3.0, 4.5])}).to_netcdf(path, engine="h5netcdf")
    with pytest.raises(ByommRejection) as caught:
        read_pymc_marketing(path)
    assert (caught.value.file, caught.value.field) == (str(path), "attrs.channel_columns")
    classic = tmp_path / "classic.nc"
    xr.Dataset({"temperature": ("day", [3.0, 4.5])}).to_netcdf(classic, engine="scipy")
    assert is_pymc_marketing_file(classic)
    with pytest.raises(ByommRejection, match="classic NetCDF") as caught:
        read_pymc_marketing(classic)
    assert caught.value.file == str(classic)


def test_a_truncated_file_is_rejected(tmp_path):
    path = tmp_path / "truncated.nc"
    path.write_bytes(MODERN.read_bytes()[: MODERN.stat().st_size // 2])
    assert is_pymc_marketing_file(path.read_bytes()[:8])
    with pytest.raises(ByommRejection) as caught:
        read_pymc_marketing(path)
    assert caught.value.file == str(path)
    assert "truncated" in caught.value.reason


def test_netcdf_has_its_own_size_limit(tmp_path):
    for size, ok in ((MAX_FILE_BYTES * 4, True), (201 << 20, False)):
        path = tmp_path / f"{size}.nc"
        path.write_bytes(b"\x89HDF\r\n\x1a\n")
        with path.open("r+b") as handle:
            handle.truncate(size)  # sparse: nothing is written
        if ok:
            assert detect_format(path) == "pymc_marketing"
        else:
            with pytest.raises(ByommRejection, match="too large for a pymc_marketing model"):
                detect_format(path)


def test_the_landing_folder_loads_the_file_as_pymc_marketing(tmp_path):
    folder = tmp_path / "landing"
    folder.mkdir()
    shutil.copy(MODERN, folder / "brand_mmm.nc")
    xr.Dataset({"temperature": ("day", [3.0])}).to_netcdf(folder / "weather.nc", engine="h5netcdf")
    curves, rejections = load_landing_folder(folder, now=datetime(2026, 12, 1))
    assert set(curves["source"]) == {"pymc_marketing"}
    assert list(curves["channel_name"]) == CHANNELS
    assert rejections[["format", "field"]].to_dict("records") == [
        {"format": "pymc_marketing", "field": "attrs.channel_columns"}
    ]
