from __future__ import annotations

import json
import re

import pytest

from connectors.debezium import ConnectorState, connector_config, source_topic
from connectors.debezium import _first_cause as first_cause
from feeds.registry import CAPTURED_TABLES
from feedsync.settings import load_settings


def test_config_carries_what_the_issue_requires() -> None:
    config = connector_config(load_settings())
    assert config["connector.class"] == "io.debezium.connector.mariadb.MariaDbConnector"
    assert config["value.converter.schemas.enable"] == "false"
    assert config["decimal.handling.mode"] == "string"
    assert config["signal.data.collection"] == "magento.debezium_signal"
    assert config["topic.prefix"] == "magento"


def test_the_password_is_a_reference_connect_resolves_never_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEEDSYNC_DATABASE__DEBEZIUM_PASSWORD", "planted-3f9a")
    config = connector_config(load_settings())
    assert config["database.password"] == "${env:FEEDSYNC_DEBEZIUM_PASSWORD}"
    assert "planted-3f9a" not in json.dumps(config)


def test_include_list_matches_exactly_the_captured_tables() -> None:
    patterns = connector_config(load_settings())["table.include.list"].split(",")

    def captured(table: str) -> bool:
        return any(re.fullmatch(p, table) for p in patterns)

    assert all(captured(f"magento.{t}") for t in CAPTURED_TABLES)
    for derived in (
        "catalog_product_index_price",
        "catalog_product_entity_cl",
        "debezium_signal",
        "magento.catalog_product_entityXvarchar",
    ):
        assert not captured(f"magento.{derived}")


def test_topic_prefix_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDSYNC_CONNECT__TOPIC_PREFIX", "shop2")
    settings = load_settings()
    assert connector_config(settings)["topic.prefix"] == "shop2"
    assert source_topic(settings, "store") == "shop2.magento.store"


def test_source_topics_are_replicated_like_the_internal_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    local = connector_config(load_settings())
    assert local["topic.creation.default.replication.factor"] == "1"
    monkeypatch.setenv("FEEDSYNC_KAFKA__REPLICATION_FACTOR", "3")
    monkeypatch.setenv("FEEDSYNC_KAFKA__MIN_INSYNC_REPLICAS", "2")
    cluster = connector_config(load_settings())
    assert cluster["topic.creation.default.replication.factor"] == "3"
    assert cluster["topic.creation.default.min.insync.replicas"] == "2"


def test_state_is_running_only_when_connector_and_every_task_run() -> None:
    assert ConnectorState("RUNNING", ("RUNNING",)).running
    assert not ConnectorState("RUNNING", ()).running
    assert not ConnectorState("RUNNING", ("FAILED",)).running
    assert ConnectorState("RUNNING", ("FAILED",)).failed


def test_first_cause_picks_the_deepest_caused_by() -> None:
    trace = (
        "org.apache.kafka.connect.errors.ConnectException: boom\n\tat x.y\n"
        "Caused by: java.sql.SQLException: middle\n"
        "Caused by: java.sql.SQLInvalidAuthorizationSpecException: Access denied for user\n"
    )
    assert "Access denied" in first_cause(trace)
    assert first_cause(None) == "no trace given"
