from __future__ import annotations

import json
import re
from pathlib import Path

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


def test_a_customers_personal_columns_never_reach_kafka() -> None:
    """The orders feed reads only a customer's id: Debezium drops the rest."""
    patterns = connector_config(load_settings())["column.exclude.list"].split(",")

    def excluded(column: str) -> bool:
        return any(re.fullmatch(p, column) for p in patterns)

    for column in ("email", "firstname", "lastname"):
        assert excluded(f"magento.customer_entity.{column}")
    for kept in ("customer_entity.entity_id", "sales_order.customer_email", "store.name"):
        assert not excluded(f"magento.{kept}")


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


def test_the_schema_history_clients_take_the_settings_tls_and_sasl(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert not any(".security." in key for key in connector_config(load_settings()))
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    for name, value in {
        "SECURITY_PROTOCOL": "SASL_SSL",
        "SASL_USERNAME": 'shop"1',
        "SASL_PASSWORD": "planted-71c2",
        "SSL_CAFILE": str(ca),
    }.items():
        monkeypatch.setenv(f"FEEDSYNC_KAFKA__{name}", value)
    config = connector_config(load_settings())
    for side in ("producer", "consumer"):
        prefix = f"schema.history.internal.{side}."
        assert config[prefix + "security.protocol"] == "SASL_SSL"
        assert config[prefix + "sasl.mechanism"] == "SCRAM-SHA-512"
        assert config[prefix + "ssl.truststore.type"] == "PEM"
        assert config[prefix + "ssl.truststore.location"] == str(ca)
        assert config[prefix + "sasl.jaas.config"] == (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            'username="shop\\"1" password="${env:FEEDSYNC_KAFKA_SASL_PASSWORD}";'
        )
    assert "planted-71c2" not in json.dumps(config)


def test_a_tls_only_cluster_gets_no_sasl_configs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("FEEDSYNC_KAFKA__SECURITY_PROTOCOL", "SSL")
    monkeypatch.setenv("FEEDSYNC_KAFKA__SSL_CAFILE", str(ca))
    config = connector_config(load_settings())
    assert config["schema.history.internal.producer.security.protocol"] == "SSL"
    assert not any("sasl" in key for key in config)
