"""Robyn reader on Robyn's own output folders; expected numbers are rebuilt here from the raw CSVs.

Fixtures: tests/fixtures/robyn (Robyn 3.12.1 on dt_simulated_weekly: an init run exporting
5_277_2 with its allocator CSVs, a refresh exporting 5_221_3, and a pre-3.12 run without
<media>_inflexion columns, raw data or JSON).
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from curvehouse.byomm.records import ByommRejection, ModelCurves
from curvehouse.byomm.robyn import is_robyn_folder, read_robyn

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "robyn"
INIT = FIXTURES / "v3.12.1_init"
REFRESH = FIXTURES / "v3.12.1_refresh"
PRE_312 = FIXTURES / "pre3.12_no_inflexion"
INIT_SOL, REFRESH_SOL, PRE_312_SOL = "5_277_2", "5_221_3", "1_179_5"
SPEND_OF = {
    "tv_S": "tv_S",
    "ooh_S": "ooh_S",
    "print_S": "print_S",
    "facebook_I": "facebook_S",
    "search_clicks_P": "search_S",
}
CHANNEL_OF = {"tv_S": "tv", "ooh_S": "ooh", "print_S": "print", "facebook_I": "facebook", "search_clicks_P": "search"}
WINDOWS = {INIT: ("2016-01-04", "2018-12-31"), REFRESH: ("2016-02-01", "2019-01-28")}
SOLS = {INIT: INIT_SOL, REFRESH: REFRESH_SOL}

# --- independent Robyn arithmetic ---------------------------------------------------------------


def adstock(x: np.ndarray, theta: float) -> np.ndarray:
    """Robyn's adstock_geometric: x_decayed[t] = x[t] + theta * x_decayed[t-1], from the first row."""
    out = np.array(x, dtype=float)
    for t in range(1, len(out)):
        out[t] = x[t] + theta * out[t - 1]
    return out


def hill(x: float, coef: float, alpha: float, inflexion: float) -> float:
    return coef * x**alpha / (x**alpha + inflexion**alpha)


def raw_data(folder: Path = INIT) -> pd.DataFrame:
    return pd.read_csv(folder / "raw_data.csv", index_col=0).sort_values("DATE").reset_index(drop=True)


def window_mask(raw: pd.DataFrame, folder: Path) -> np.ndarray:
    start, end = WINDOWS[folder]
    return ((raw["DATE"] >= start) & (raw["DATE"] <= end)).to_numpy()


def robyn_rows(folder: Path, sol: str) -> tuple[pd.Series, pd.DataFrame]:
    hyper = pd.read_csv(folder / "pareto_hyperparameters.csv", index_col=0)
    agg = pd.read_csv(folder / "pareto_aggregated.csv", index_col=0)
    return hyper[hyper["solID"] == sol].iloc[0], agg[agg["solID"] == sol].set_index("rn")


def spend_scaled_media(raw: pd.DataFrame, window: np.ndarray, var: str) -> tuple[np.ndarray, float]:
    """The media series in spend units and the spend per model unit (window spend / window exposure)."""
    media = raw[var].to_numpy(float)
    spend = raw[SPEND_OF[var]].to_numpy(float)
    cpe = spend[window].sum() / media[window].sum() if var != SPEND_OF[var] else 1.0
    return media * cpe, cpe


def by_name(model: ModelCurves) -> dict:
    return {c.channel_name: c for c in model.channels}


def copy_folder(src: Path, dst: Path, skip: tuple[str, ...] = ()) -> Path:
    """Writable copy (the fixtures are read-only, and copytree would copy that)."""
    dst.mkdir()
    for file in src.iterdir():
        if file.name not in skip:
            shutil.copyfile(file, dst / file.name)
    return dst


def drop_inflexion_columns(folder: Path) -> None:
    path = folder / "pareto_hyperparameters.csv"
    hyper = pd.read_csv(path, index_col=0)
    hyper.drop(columns=[c for c in hyper.columns if c.endswith("_inflexion")]).to_csv(path)


# --- detection and metadata ---------------------------------------------------------------------


def test_robyn_folders_detected_by_content(tmp_path: Path) -> None:
    assert all(is_robyn_folder(f) for f in (INIT, REFRESH, PRE_312))
    assert not is_robyn_folder(tmp_path)
    assert not is_robyn_folder(INIT / "pareto_aggregated.csv")
    only_one = copy_folder(INIT, tmp_path / "half", skip=("pareto_hyperparameters.csv",))
    assert not is_robyn_folder(only_one)


def test_init_model_channels_and_metadata() -> None:
    model = read_robyn(INIT)
    raw = raw_data(INIT)
    window = window_mask(raw, INIT)
    assert model.model_id == "robyn_5_277_2" and model.source == "robyn"
    assert [c.channel_name for c in model.channels] == ["tv", "ooh", "print", "facebook", "search"]
    assert [c.display_name for c in model.channels] == ["TV", "OOH", "Print", "Facebook", "Search"]
    assert model.refreshed_at == datetime(2025, 8, 5, 12, 25, 18)  # ModelsCollect.export_timestamp
    assert (model.date_range_start, model.date_range_end) == (date(2016, 1, 4), date(2018, 12, 31))
    assert window.sum() == 157
    assert model.total_revenue == pytest.approx(raw.loc[window, "revenue"].sum(), rel=1e-12)
    assert model.source_path == str(INIT)
    assert any("newsletter" in w for w in model.warnings)  # organic: no spend, no curve
    assert any("DECOMP.RSSD NOT converged" in w for w in model.warnings)
    _, agg = robyn_rows(INIT, INIT_SOL)
    assert agg.loc["ooh_S", "xDecompAgg"] > agg.loc["ooh_S", "ci_up"] * agg.loc["ooh_S", "total_spend"]
    assert any("lies outside it for ooh" in w for w in model.warnings)  # cluster interval, not this model's


def test_refresh_model_channels_and_metadata() -> None:
    model = read_robyn(REFRESH)
    raw = raw_data(REFRESH)
    window = window_mask(raw, REFRESH)
    assert model.model_id == "robyn_5_221_3"
    assert sorted(by_name(model)) == ["facebook", "ooh", "print", "search", "tv"]
    assert model.refreshed_at == datetime(2025, 8, 5, 11, 29, 39)
    assert (model.date_range_start, model.date_range_end) == (date(2016, 2, 1), date(2019, 1, 28))
    assert model.total_revenue == pytest.approx(raw.loc[window, "revenue"].sum(), rel=1e-12)
    tv = by_name(model)["tv"]
    assert tv.spend == pytest.approx(raw.loc[window, "tv_S"].sum(), rel=1e-9)


# --- the conversion -----------------------------------------------------------------------------


@pytest.mark.parametrize("folder", [INIT, REFRESH], ids=["init", "refresh"])
def test_half_point_is_inflexion_times_one_minus_theta_and_curve_is_robyn_steady_state(folder: Path) -> None:
    hyper, agg = robyn_rows(folder, SOLS[folder])
    channels = by_name(read_robyn(folder))
    for var, name in CHANNEL_OF.items():
        curve = channels[name]
        coef, alpha = agg.loc[var, "coef"], hyper[f"{var}_alphas"]
        theta, inflexion = hyper[f"{var}_thetas"], hyper[f"{var}_inflexion"]
        assert curve.saturation_half_point == pytest.approx(inflexion * (1 - theta), rel=1e-12)
        assert curve.saturation_max == pytest.approx(coef, rel=1e-12)
        assert curve.hill_slope == pytest.approx(alpha, rel=1e-12)
        for s in np.array([0.1, 0.5, 1.0, 2.0, 5.0]) * agg.loc[var, "mean_spend"]:
            ours = (
                curve.saturation_max
                * s**curve.hill_slope
                / (s**curve.hill_slope + curve.saturation_half_point**curve.hill_slope)
            )
            steady = s / (1 - theta)  # unnormalised geometric adstock of a sustained weekly s
            assert ours == pytest.approx(hill(steady, coef, alpha, inflexion), rel=1e-10)


def test_coef_is_weekly_outcome_money_the_window_decomposition_adds_up() -> None:
    """Units: the window sum of coef·Hill(adstock) is xDecompAgg, our contribution_mean."""
    hyper, agg = robyn_rows(INIT, INIT_SOL)
    raw = raw_data(INIT)
    window = window_mask(raw, INIT)
    channels = by_name(read_robyn(INIT))
    for var, name in CHANNEL_OF.items():
        media, _ = spend_scaled_media(raw, window, var)
        adstocked = adstock(media, hyper[f"{var}_thetas"])[window]
        decomposed = sum(
            hill(x, agg.loc[var, "coef"], hyper[f"{var}_alphas"], hyper[f"{var}_inflexion"]) for x in adstocked
        )
        assert channels[name].contribution_mean == pytest.approx(decomposed, rel=1e-9)


@pytest.mark.parametrize(
    "allocator_csv", ["5_277_2_max_response_reallocated.csv", "5_277_2_target_efficiency_reallocated.csv"]
)
def test_allocator_init_response_unit_is_hill_of_spend_plus_mean_carryover(allocator_csv: str) -> None:
    """Robyn's allocator adds the mean carryover of the modelling window (adstocked minus raw)."""
    allocator = pd.read_csv(INIT / allocator_csv, index_col=0)
    hyper, agg = robyn_rows(INIT, INIT_SOL)
    raw = raw_data(INIT)
    window = window_mask(raw, INIT)
    channels = by_name(read_robyn(INIT))
    assert set(allocator.index) == set(CHANNEL_OF)
    for var, row in allocator.iterrows():
        media, _ = spend_scaled_media(raw, window, var)
        carryover = float(np.mean((adstock(media, hyper[f"{var}_thetas"]) - media)[window]))
        x = row["initSpendUnit"] + carryover
        independent = hill(x, agg.loc[var, "coef"], hyper[f"{var}_alphas"], hyper[f"{var}_inflexion"])
        assert independent == pytest.approx(row["initResponseUnit"], rel=1e-9)

        curve = channels[CHANNEL_OF[var]]
        assert curve.extras["mean_carryover"] == pytest.approx(carryover, rel=1e-9)
        x_ours = row["initSpendUnit"] + curve.extras["mean_carryover"]
        ours = hill(x_ours, curve.saturation_max, curve.hill_slope, curve.extras["inflexion"])
        assert ours == pytest.approx(row["initResponseUnit"], rel=1e-9)


def test_exposure_media_named_and_measured_by_their_spend_column() -> None:
    """facebook_I is modelled by Robyn 3.12 as exposure × (window spend / window exposure)."""
    hyper, _ = robyn_rows(INIT, INIT_SOL)
    raw = raw_data(INIT)
    window = window_mask(raw, INIT)
    channels = by_name(read_robyn(INIT))
    assert "facebook_I" not in channels and "search_clicks_P" not in channels
    for var, name in (("facebook_I", "facebook"), ("search_clicks_P", "search")):
        spend = raw.loc[window, SPEND_OF[var]]
        curve = channels[name]
        assert curve.spend == pytest.approx(spend.sum(), rel=1e-9)
        assert (curve.observed_spend_min, curve.observed_spend_max) == pytest.approx((spend.min(), spend.max()))
        media, cpe = spend_scaled_media(raw, window, var)
        assert cpe != pytest.approx(1.0)
        rebuilt = hyper[f"{var}_gammas"] * adstock(media, hyper[f"{var}_thetas"])[window].max()
        assert curve.extras["inflexion"] == pytest.approx(rebuilt, rel=1e-9)  # spend units already
        assert curve.extras["spend_per_model_unit"] == 1.0
        assert curve.saturation_half_point == pytest.approx(rebuilt * (1 - hyper[f"{var}_thetas"]), rel=1e-9)


def test_contribution_from_robyn_roi_spend_and_cluster_interval() -> None:
    _, agg = robyn_rows(INIT, INIT_SOL)
    clusters = pd.read_csv(INIT / "pareto_clusters_ci.csv", index_col=0)
    cluster = agg["cluster"].dropna().iloc[0]
    channels = by_name(read_robyn(INIT))
    for var, name in CHANNEL_OF.items():
        curve = channels[name]
        spend = agg.loc[var, "total_spend"]
        ci = clusters[(clusters["rn"] == var) & (clusters["cluster"] == cluster)].iloc[0]
        assert curve.spend == pytest.approx(spend)
        assert curve.contribution_mean == pytest.approx(agg.loc[var, "roi_total"] * spend, rel=1e-9)
        assert curve.contribution_lower == pytest.approx(ci["ci_low"] * spend, rel=1e-12)
        assert curve.contribution_upper == pytest.approx(ci["ci_up"] * spend, rel=1e-12)
        assert curve.extras["roi_total"] == pytest.approx(agg.loc[var, "roi_total"])


def test_cluster_interval_file_used_when_aggregated_has_no_ci(tmp_path: Path) -> None:
    folder = copy_folder(INIT, tmp_path / "run")
    path = folder / "pareto_aggregated.csv"
    pd.read_csv(path, index_col=0).drop(columns=["ci_low", "ci_up"]).to_csv(path)
    assert by_name(read_robyn(folder)) == by_name(read_robyn(INIT))
    (folder / "pareto_clusters_ci.csv").unlink()
    tv = by_name(read_robyn(folder))["tv"]
    assert tv.contribution_lower is None and tv.contribution_upper is None


def test_daily_periods_are_scaled_to_weekly_spend(tmp_path: Path) -> None:
    """dayInterval 1: weekly spend s is s/7 a day, so max = 7·coef and half point = 7·I·(1−θ)."""
    folder = copy_folder(INIT, tmp_path / "run")
    path = folder / "RobynModel-5_277_2.json"
    doc = json.loads(path.read_text())
    doc["InputCollect"]["dayInterval"] = [1]
    path.write_text(json.dumps(doc))
    hyper, agg = robyn_rows(INIT, INIT_SOL)
    weekly, daily = by_name(read_robyn(INIT))["tv"], by_name(read_robyn(folder))["tv"]
    assert daily.saturation_max == pytest.approx(7 * agg.loc["tv_S", "coef"])
    assert daily.saturation_half_point == pytest.approx(7 * hyper["tv_S_inflexion"] * (1 - hyper["tv_S_thetas"]))
    assert daily.observed_spend_max == pytest.approx(7 * weekly.observed_spend_max)
    assert daily.extras["mean_carryover"] == pytest.approx(7 * agg.loc["tv_S", "mean_carryover"])
    assert daily.spend == weekly.spend and daily.hill_slope == weekly.hill_slope


# --- before 3.12: no inflexion columns ----------------------------------------------------------


@pytest.mark.parametrize("sol_id", [None, PRE_312_SOL])
def test_pre_312_without_raw_data_is_rejected_naming_the_missing_file(sol_id: str | None) -> None:
    with pytest.raises(ByommRejection) as caught:
        read_robyn(PRE_312, sol_id=sol_id)
    rejection = caught.value
    assert rejection.file == str(PRE_312 / "raw_data.csv")
    assert rejection.field == "apple_brand_search_inflexion"
    assert "no <media>_inflexion columns" in rejection.reason and "raw_data.csv is missing" in rejection.reason


def test_pre_312_files_with_another_runs_raw_data_are_rejected(tmp_path: Path) -> None:
    """The init raw_data.csv (tv_S, …) cannot be the data of the pre-3.12 run (apple_brand_search, …)."""
    folder = copy_folder(PRE_312, tmp_path / "pre")
    shutil.copyfile(INIT / "raw_data.csv", folder / "raw_data.csv")
    with pytest.raises(ByommRejection) as caught:
        read_robyn(folder, sol_id=PRE_312_SOL)
    assert caught.value.file == str(folder / "raw_data.csv")
    assert "match every media's total_spend" in caught.value.reason


def test_rebuilt_inflexion_follows_the_3_7_to_3_11_formula(tmp_path: Path) -> None:
    """Pre-3.12 layout (no inflexion, no JSON) beside raw_data.csv: I = (1−γ)·min + γ·max of the window."""
    folder = copy_folder(INIT, tmp_path / "pre", skip=("RobynModel-5_277_2.json",))
    drop_inflexion_columns(folder)
    hyper, agg = robyn_rows(INIT, INIT_SOL)
    raw = raw_data(INIT)
    window = window_mask(raw, INIT)
    model = read_robyn(folder, sol_id=INIT_SOL)
    channels = by_name(model)
    assert (model.date_range_start, model.date_range_end) == (date(2016, 1, 4), date(2018, 12, 31))
    assert any("(1−γ)·min + γ·max" in w for w in model.warnings)
    for var, name in CHANNEL_OF.items():
        theta, gamma = hyper[f"{var}_thetas"], hyper[f"{var}_gammas"]
        media, cpe = spend_scaled_media(raw, window, var)
        adstocked = adstock(media, theta)
        expected = (1 - gamma) * adstocked[window].min() + gamma * adstocked[window].max()
        curve = channels[name]
        assert curve.extras["inflexion"] == pytest.approx(expected, rel=1e-9)
        assert curve.extras["inflexion_model_units"] == pytest.approx(expected / cpe, rel=1e-9)
        assert curve.extras["spend_per_model_unit"] == pytest.approx(cpe, rel=1e-12)
        assert curve.saturation_half_point == pytest.approx(expected * (1 - theta), rel=1e-9)
        assert curve.extras["mean_carryover"] == pytest.approx(agg.loc[var, "mean_carryover"], rel=1e-9)
    # the two formulas differ by (1−γ)·min: 0.2% for ooh here, far above the 1e-9 tolerance above
    assert channels["ooh"].extras["inflexion"] != pytest.approx(hyper["ooh_S_inflexion"], rel=1e-3)


def test_rebuilt_inflexion_for_3_12_reproduces_robyns_own_column_from_json_raw_data(tmp_path: Path) -> None:
    """The JSON says v3.12.1 (I = γ·max) and carries Extras.raw_data; no raw_data.csv needed."""
    folder = copy_folder(INIT, tmp_path / "run", skip=("raw_data.csv",))
    drop_inflexion_columns(folder)
    hyper, _ = robyn_rows(INIT, INIT_SOL)
    channels = by_name(read_robyn(folder))
    for var, name in CHANNEL_OF.items():
        assert channels[name].extras["inflexion"] == pytest.approx(hyper[f"{var}_inflexion"], rel=1e-8)


def test_media_matrix_is_a_raw_data_source(tmp_path: Path) -> None:
    """Robyn 3.6–3.11 pareto_media_transform_matrix.csv: rawMedia and rawSpend rows per solID."""
    raw = raw_data(INIT).rename(columns={"DATE": "ds"})
    media_cols = list(SPEND_OF) + ["newsletter"]
    spend_cols = sorted(set(SPEND_OF.values()))
    matrix = pd.concat(
        [
            raw[["ds"] + media_cols].assign(type="rawMedia", solID=INIT_SOL),
            raw[["ds"] + spend_cols].assign(type="rawSpend", solID=INIT_SOL),
        ],
        ignore_index=True,
    )
    with_csv = copy_folder(INIT, tmp_path / "csv", skip=("RobynModel-5_277_2.json",))
    drop_inflexion_columns(with_csv)
    with_matrix = copy_folder(with_csv, tmp_path / "matrix", skip=("raw_data.csv",))
    matrix.to_csv(with_matrix / "pareto_media_transform_matrix.csv")
    from_matrix, from_csv = read_robyn(with_matrix, sol_id=INIT_SOL), read_robyn(with_csv, sol_id=INIT_SOL)
    assert by_name(from_matrix) == by_name(from_csv)
    assert from_matrix.total_revenue is None  # the matrix has no dep_var


# --- which model ---------------------------------------------------------------------------------


def second_export(folder: Path, sol: str, exported: str) -> None:
    doc = json.loads((INIT / "RobynModel-5_277_2.json").read_text())
    doc["ExportedModel"]["select_model"] = [sol]
    doc["ModelsCollect"]["export_timestamp"] = [exported]
    (folder / f"RobynModel-{sol}.json").write_text(json.dumps(doc))


@pytest.mark.parametrize(
    ("exported", "expected"), [("2025-08-06 09:00:00", "1_223_5"), ("2025-08-01 09:00:00", "5_277_2")]
)
def test_several_exports_read_the_newest(tmp_path: Path, exported: str, expected: str) -> None:
    folder = copy_folder(INIT, tmp_path / "run")
    second_export(folder, "1_223_5", exported)
    model = read_robyn(folder)
    assert model.model_id == f"robyn_{expected}"
    assert any("several exported models" in w for w in model.warnings)
    assert read_robyn(folder, sol_id="5_277_2").model_id == "robyn_5_277_2"


def test_several_exports_at_the_same_time_are_rejected(tmp_path: Path) -> None:
    folder = copy_folder(INIT, tmp_path / "run")
    second_export(folder, "1_223_5", "2025-08-05 12:25:18")
    with pytest.raises(ByommRejection) as caught:
        read_robyn(folder)
    assert caught.value.field == "solID" and "pass sol_id" in caught.value.reason


def test_sol_id_without_its_json_reads_another_pareto_model(tmp_path: Path) -> None:
    hyper, _ = robyn_rows(INIT, "1_223_5")
    model = read_robyn(INIT, sol_id="1_223_5")
    tv = by_name(model)["tv"]
    assert model.model_id == "robyn_1_223_5"
    assert tv.saturation_half_point == pytest.approx(hyper["tv_S_inflexion"] * (1 - hyper["tv_S_thetas"]))


# --- rejections -----------------------------------------------------------------------------------


def test_output_without_the_exported_model_is_rejected(tmp_path: Path) -> None:
    folder = copy_folder(INIT, tmp_path / "run", skip=("RobynModel-5_277_2.json",))
    with pytest.raises(ByommRejection) as caught:
        read_robyn(folder)
    assert caught.value.field == "solID"
    assert "without the exported model" in caught.value.reason and "RobynModel-<solID>.json" in caught.value.file


def test_malformed_json_is_rejected(tmp_path: Path) -> None:
    folder = copy_folder(INIT, tmp_path / "run")
    path = folder / "RobynModel-5_277_2.json"
    path.write_text(path.read_text()[:5000])
    with pytest.raises(ByommRejection) as caught:
        read_robyn(folder)
    assert caught.value.file == str(path) and "malformed JSON" in caught.value.reason


def test_json_without_exported_solid_is_rejected(tmp_path: Path) -> None:
    folder = copy_folder(INIT, tmp_path / "run")
    path = folder / "RobynModel-5_277_2.json"
    doc = json.loads(path.read_text())
    del doc["ExportedModel"]
    path.write_text(json.dumps(doc))
    with pytest.raises(ByommRejection) as caught:
        read_robyn(folder)
    assert caught.value.field == "ExportedModel.select_model"


def truncate_inside_solution(path: Path, sol: str, rn: str, keep: float) -> None:
    """Cut the file part-way through the solID's row for rn (everything after is lost)."""
    text = path.read_text()
    line_start = text.index(f'"{rn}",', text.index(f'"{sol}"') - 2000)
    while f'"{sol}"' not in text[line_start : text.index("\n", line_start)]:
        line_start = text.index(f'"{rn}",', line_start + 1)
    line_end = text.index("\n", line_start)
    path.write_text(text[: line_start + int((line_end - line_start) * keep)])


@pytest.mark.parametrize("keep", [0.1, 0.6])
def test_truncated_aggregated_csv_is_rejected(tmp_path: Path, keep: float) -> None:
    folder = copy_folder(INIT, tmp_path / "run")
    truncate_inside_solution(folder / "pareto_aggregated.csv", INIT_SOL, "facebook_I", keep)
    with pytest.raises(ByommRejection) as caught:
        read_robyn(folder)
    assert caught.value.file == str(folder / "pareto_aggregated.csv")


def test_csv_cut_inside_a_quoted_field_is_rejected(tmp_path: Path) -> None:
    folder = copy_folder(INIT, tmp_path / "run")
    path = folder / "pareto_hyperparameters.csv"
    text = path.read_text()
    path.write_text(text[: text.index(f'"{INIT_SOL}"') + 3])
    with pytest.raises(ByommRejection) as caught:
        read_robyn(folder)
    assert caught.value.file == str(path) and "not a readable CSV" in caught.value.reason


def test_truncated_raw_data_is_rejected(tmp_path: Path) -> None:
    folder = copy_folder(INIT, tmp_path / "run")
    path = folder / "raw_data.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:120]))
    with pytest.raises(ByommRejection) as caught:
        read_robyn(folder)
    assert caught.value.file == str(path) and "total_spend" in caught.value.reason


@pytest.mark.parametrize(
    ("file", "column"),
    [
        ("pareto_aggregated.csv", "coef"),
        ("pareto_aggregated.csv", "solID"),
        ("pareto_hyperparameters.csv", "tv_S_thetas"),
    ],
)
def test_wrong_columns_are_rejected_naming_the_field(tmp_path: Path, file: str, column: str) -> None:
    folder = copy_folder(INIT, tmp_path / "run")
    path = folder / file
    pd.read_csv(path, index_col=0).drop(columns=[column]).to_csv(path)
    with pytest.raises(ByommRejection) as caught:
        read_robyn(folder)
    assert caught.value.file == str(path) and caught.value.field == column


@pytest.mark.parametrize("content", [b"", b"\x00\xff\xfe garbage \x81", b"just one line with no columns\n"])
def test_unreadable_hyperparameters_are_rejected(tmp_path: Path, content: bytes) -> None:
    folder = copy_folder(INIT, tmp_path / "run")
    (folder / "pareto_hyperparameters.csv").write_bytes(content)
    with pytest.raises(ByommRejection) as caught:
        read_robyn(folder)
    assert caught.value.file == str(folder / "pareto_hyperparameters.csv")


def test_unknown_sol_id_is_rejected() -> None:
    with pytest.raises(ByommRejection) as caught:
        read_robyn(INIT, sol_id="9_999_9")
    assert caught.value.field == "solID" and "9_999_9" in caught.value.reason


def test_na_in_a_required_number_is_rejected(tmp_path: Path) -> None:
    folder = copy_folder(INIT, tmp_path / "run")
    path = folder / "pareto_hyperparameters.csv"
    hyper = pd.read_csv(path, index_col=0)
    hyper.loc[hyper["solID"] == INIT_SOL, "tv_S_inflexion"] = np.nan
    hyper.to_csv(path, na_rep="NA")
    with pytest.raises(ByommRejection) as caught:
        read_robyn(folder)
    assert caught.value.field == "tv_S_inflexion" and "5_277_2" in caught.value.reason
