"""Raw input rules for organic channels, non-media treatments, exposure-driven media and prior kinds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from curvehouse.inputs.drivers import registry_kinds
from curvehouse.inputs.validate import InputError, check_raw_folder, read_raw_folder, validate_raw
from curvehouse.model.registry import channel_kind, is_exposure_driven, registry_value
from tests.unit.test_input_validation import CLEAN

HEADER = (
    "channel,display_name,channel_group,live_since,is_primary,roi_prior_mean,roi_prior_sd,adstock_max_lag,"
    "channel_kind,unit,exposure_driven,mroi_prior_mean,mroi_prior_sd,"
    "contribution_share_prior_mean,contribution_share_prior_sd\n"
)
SEARCH = "search,Paid Search,performance,2023-01-02,true,2.0,0.5,4,paid,,true,,,,\n"
TV = "tv,Television,brand,2023-01-02,no,,,,,,,1.5,0.5,,\n"
EMAIL = "email,Email,performance,2023-01-02,no,,,,organic,sends,,,,0.05,0.02\n"
PRICE = "price,Price index,brand,2023-01-02,no,,,,non_media,index,,,,,\n"
REGISTRY = HEADER + SEARCH + TV + EMAIL + PRICE
ACTIVITY = """date,segment_id,channel,value
2024-01-01,us,email,12000
2024-01-08,us,email,9000
2024-01-01,us,price,1.02
2024-01-08,us,price,0.97
"""


@pytest.fixture
def raw_folder(tmp_path: Path) -> Callable[..., Path]:
    """The clean folder plus the driver registry and activity, with tables replaced by keyword."""

    def write(**tables: str | None) -> Path:
        for name, text in {**CLEAN, "channel_registry": REGISTRY, "channel_activity": ACTIVITY, **tables}.items():
            if text is not None:
                (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        return tmp_path

    return write


def rules(folder: Path) -> list[tuple[str, int | None, str | None, str]]:
    """(file, row, column, rule) of every violation the folder check raises."""
    with pytest.raises(InputError) as info:
        check_raw_folder(folder)
    return [(v.file, v.row, v.column, v.rule) for v in info.value.violations]


def test_clean_driver_folder_passes_typed(raw_folder):
    typed = validate_raw(read_raw_folder(raw_folder()))
    assert list(registry_kinds(typed["channel_registry"])) == ["paid", "paid", "organic", "non_media"]
    assert typed["channel_activity"]["value"].tolist() == [12000.0, 9000.0, 1.02, 0.97]


def test_registry_without_driver_columns_still_passes(raw_folder):
    """Files written before the driver columns existed stay valid (they read as defaults)."""
    assert len(check_raw_folder(raw_folder(channel_registry=CLEAN["channel_registry"], channel_activity=None))) == 5


def test_unknown_channel_kind_is_named(raw_folder):
    bad = REGISTRY.replace(
        "email,Email,performance,2023-01-02,no,,,,organic", "email,Email,performance,2023-01-02,no,,,,influencer"
    )
    found = rules(raw_folder(channel_registry=bad))
    assert ("channel_registry.csv", 4, "channel_kind", "channel_kind") in found


def test_spend_rows_for_an_organic_channel_are_rejected(raw_folder):
    spend = CLEAN["channel_spend"] + "2024-01-01,us,email,10,\n"
    found = rules(raw_folder(channel_spend=spend))
    assert ("channel_spend.csv", 6, "channel", "spend_for_unpaid_channel") in found


def test_a_treatment_without_values_is_rejected(raw_folder):
    activity = "".join(line + "\n" for line in ACTIVITY.splitlines() if ",price," not in line)
    found = rules(raw_folder(channel_activity=activity))
    assert found == [("channel_registry.csv", 5, "channel", "activity_values")]


def test_unpaid_channels_without_the_activity_table_are_rejected(raw_folder, tmp_path):
    found = rules(raw_folder(channel_activity=None))
    assert {(row, rule) for _, row, _, rule in found} == {(4, "activity_values"), (5, "activity_values")}


def test_activity_rows_for_a_paid_or_unregistered_channel(raw_folder):
    activity = ACTIVITY + "2024-01-01,us,search,5\n2024-01-01,us,radio,5\n"
    found = rules(raw_folder(channel_activity=activity))
    assert ("channel_activity.csv", 6, "channel", "activity_for_paid_channel") in found
    assert ("channel_activity.csv", 7, "channel", "registered_channel") in found


def test_activity_for_a_segment_without_outcomes_is_named(raw_folder):
    found = rules(raw_folder(channel_activity=ACTIVITY + "2024-01-01,uk,email,5\n"))
    assert found == [("outcomes.csv", None, "segment_id", "segment_coverage")]


def test_a_parquet_registry_without_driver_columns_passes(raw_folder, tmp_path):
    folder = raw_folder(channel_registry=CLEAN["channel_registry"], channel_activity=None)
    pd.read_csv(folder / "channel_registry.csv").to_parquet(folder / "channel_registry.parquet")
    (folder / "channel_registry.csv").unlink()
    typed = validate_raw(read_raw_folder(folder))
    assert "channel_kind" not in typed["channel_registry"]
    assert list(registry_kinds(typed["channel_registry"])) == ["paid", "paid"]


def test_negative_organic_volume_but_signed_treatment(raw_folder):
    activity = ACTIVITY.replace("us,email,9000", "us,email,-3").replace("us,price,0.97", "us,price,-0.2")
    found = rules(raw_folder(channel_activity=activity))
    assert found == [("channel_activity.csv", 3, "value", "non_negative")]


def test_exposure_driven_needs_a_paid_channel_with_impressions(raw_folder):
    registry = REGISTRY.replace(",index,,", ",index,true,").replace(
        "Television,brand,2023-01-02,no,,,,,,", "Television,brand,2023-01-02,no,,,,,,true"
    )
    found = rules(raw_folder(channel_registry=registry))
    assert ("channel_registry.csv", 5, "exposure_driven", "exposure_impressions") in found  # non_media
    assert ("channel_registry.csv", 3, "exposure_driven", "exposure_impressions") in found  # tv: no impressions
    assert not any(row == 2 for _, row, _, rule in found if rule == "exposure_impressions")  # search has them


def test_one_prior_kind_per_channel(raw_folder):
    registry = REGISTRY.replace(
        SEARCH, "search,Paid Search,performance,2023-01-02,true,2.0,0.5,4,paid,,true,1.0,0.3,,\n"
    )
    found = rules(raw_folder(channel_registry=registry))
    assert found == [("channel_registry.csv", 2, "mroi_prior_mean", "one_prior_kind")]


def test_priors_must_suit_the_channel_kind(raw_folder):
    registry = REGISTRY.replace(EMAIL, "email,Email,performance,2023-01-02,no,3.0,1.0,,organic,sends,,,,,\n").replace(
        PRICE, "price,Price index,brand,2023-01-02,no,,,,non_media,index,,,,0.1,0.05\n"
    )
    found = rules(raw_folder(channel_registry=registry))
    assert sorted(found) == [
        ("channel_registry.csv", 4, "roi_prior_mean", "prior_for_kind"),
        ("channel_registry.csv", 5, "contribution_share_prior_mean", "prior_for_kind"),
    ]


@pytest.mark.parametrize(
    ("cells", "column", "rule"),
    [
        ("0.05,", "contribution_share_prior_sd", "registry_prior"),
        ("1.2,0.1", "contribution_share_prior_mean", "contribution_share_range"),
        ("0.05,0", "contribution_share_prior_sd", "prior_positive"),
        ("0,0.1", "contribution_share_prior_mean", "prior_positive"),
    ],
)
def test_contribution_share_prior_values(raw_folder, cells, column, rule):
    registry = REGISTRY.replace(EMAIL, f"email,Email,performance,2023-01-02,no,,,,organic,sends,,,,{cells}\n")
    assert rules(raw_folder(channel_registry=registry)) == [("channel_registry.csv", 4, column, rule)]


def test_mroi_prior_needs_a_positive_spread(raw_folder):
    registry = REGISTRY.replace(TV, "tv,Television,brand,2023-01-02,no,,,,,,,1.5,0,,\n")
    assert rules(raw_folder(channel_registry=registry)) == [
        ("channel_registry.csv", 3, "mroi_prior_sd", "prior_positive")
    ]


def test_registry_accessors_read_defaults_on_frames_without_driver_columns():
    bare = pd.DataFrame({"channel": ["search"], "roi_prior_mean": [2.0]})
    assert channel_kind(bare, "search") == "paid"
    assert not is_exposure_driven(bare, "search")
    assert registry_value(bare, "search", "unit", "spend") == "spend"
    assert registry_value(bare, "search", "roi_prior_mean") == 2.0
    assert registry_value(bare, "nope", "roi_prior_mean", -1) == -1
    full = pd.DataFrame(
        {"channel": ["email", "search"], "channel_kind": [" Organic ", ""], "exposure_driven": [None, "true"]}
    )
    assert channel_kind(full, "email") == "organic"
    assert channel_kind(full, "search") == "paid"
    assert is_exposure_driven(full, "search")
    assert not is_exposure_driven(full, "email")


def test_driver_fixture_passes_the_raw_checks_and_its_truth_adds_up(tmp_path):
    from curvehouse.demo.drivers import generate_driver_fixture, write_driver_fixture

    truth = write_driver_fixture(tmp_path, weeks=30)
    summary = check_raw_folder(tmp_path, as_of="2026-11-22")
    assert set(summary["table_name"]) == {
        "channel_registry",
        "channel_spend",
        "platform_spend",
        "outcomes",
        "channel_activity",
    }
    fixture = generate_driver_fixture(weeks=30)
    assert fixture.truth == truth
    spend = fixture.tables["channel_spend"]
    social = spend[spend["channel"] == "social"]
    assert social["impressions"].notna().all() and spend.loc[spend["channel"] != "social", "impressions"].isna().all()
    for segment, seg_truth in truth["segments"].items():
        rows = social[social["segment_id"] == segment]
        cost = rows["spend"].sum() / rows["impressions"].sum()
        assert cost == pytest.approx(seg_truth["social_cost_per_impression"])
        assert set(seg_truth["channels"]) == {"search", "tv", "social", "email"}
        assert "roi" not in seg_truth["channels"]["email"]
        assert seg_truth["treatments"]["price"]["effect_per_unit"] < 0
    activity = fixture.tables["channel_activity"]
    assert set(activity["channel"]) == {"email", "price"}
    assert pd.to_datetime(activity["date"]).dt.weekday.nunique() > 1  # daily rows, summed or averaged to weeks
