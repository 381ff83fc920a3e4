"""A data test that fails in the emulator: a bad raw row makes the Snowflake build's test fail."""

from __future__ import annotations


def test_a_planted_bad_registry_row_fails_its_accepted_values_test(emulator):
    emulator.sql(
        "insert into ANALYTICS.RAW.CHANNEL_REGISTRY (CHANNEL, DISPLAY_NAME, CHANNEL_GROUP) "
        "values ('planted', 'Planted', 'upper_funnel')"
    )
    try:
        result = emulator.dbt("test", "--select", "stg_raw__channel_registry", "--exclude-resource-type", "unit_test")
    finally:
        emulator.sql("delete from ANALYTICS.RAW.CHANNEL_REGISTRY where CHANNEL = 'planted'")
    statuses = {r.node.name: r.status for r in result.result}
    failed = [name for name, status in statuses.items() if status == "fail"]
    assert failed == ["accepted_values_stg_raw__channel_registry_channel_group__brand__performance"]
    assert len(statuses) > 3 and not result.success
