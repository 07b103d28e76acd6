"""The Debezium MariaDB source connector: its config, registration and signals.

The static part of the config lives in ``magento-mariadb.json`` beside this module;
what depends on the environment (database address and credentials, topic prefix,
Kafka address) comes from the settings. Registration is idempotent: ``PUT
/connectors/<name>/config`` creates or updates it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pymysql

from feeds.registry import CAPTURED_TABLES
from feedsync.errors import StackError, TransientError
from feedsync.settings import Settings

__all__ = [
    "SIGNAL_TABLE",
    "ConnectorState",
    "connector_config",
    "connector_state",
    "register_connector",
    "request_incremental_snapshot",
    "source_topic",
]

SIGNAL_TABLE = "debezium_signal"  # where incremental-snapshot signals are written

CONFIG_FILE = Path(__file__).with_name("magento-mariadb.json")

# Personal columns of captured tables that no feed reads: Debezium leaves them out of the
# change events, so they never reach Kafka (the orders feed needs only a customer's id).
UNREAD_PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "customer_entity": ("email", "firstname", "lastname"),
}


# The variable of the Connect worker's environment that holds the Debezium user's password.
PASSWORD_VARIABLE = "FEEDSYNC_DEBEZIUM_PASSWORD"  # noqa: S105 -- a variable name, not a secret
# ... and the one that holds the SASL password of the schema history's Kafka clients.
KAFKA_PASSWORD_VARIABLE = "FEEDSYNC_KAFKA_SASL_PASSWORD"  # noqa: S105 -- a variable name

_LOGIN_MODULES = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}


def source_topic(settings: Settings, table: str) -> str:
    """The Kafka topic Debezium writes a table's changes to."""
    return f"{settings.connect.topic_prefix}.{settings.database.name}.{table}"


def connector_config(settings: Settings, **overrides: str) -> dict[str, str]:
    """The full connector config: the static JSON plus what the settings decide."""
    db = settings.database
    config: dict[str, str] = json.loads(CONFIG_FILE.read_text())
    include = ",".join(f"{db.name}\\.{table}" for table in CAPTURED_TABLES)
    config.update(
        {
            "database.hostname": db.host,
            "database.port": str(db.port),
            "database.user": db.debezium_user,
            # Resolved by the Connect worker from its environment (``PASSWORD_VARIABLE``,
            # its EnvVarConfigProvider ``env``): the password is never in the config that
            # Connect's REST API and configs topic show.
            "database.password": f"${{env:{PASSWORD_VARIABLE}}}",
            "database.server.id": str(settings.connect.server_id),
            "database.include.list": db.name,
            "table.include.list": include,
            "column.exclude.list": ",".join(
                f"{db.name}\\.{table}\\.({'|'.join(columns)})"
                for table, columns in UNREAD_PERSONAL_COLUMNS.items()
                if table in CAPTURED_TABLES
            ),
            "topic.prefix": settings.connect.topic_prefix,
            "signal.data.collection": f"{db.name}.{SIGNAL_TABLE}",
            "schema.history.internal.kafka.bootstrap.servers": settings.kafka.bootstrap_servers,
            "schema.history.internal.kafka.topic": (
                f"feedsync.schemahistory.{settings.connect.topic_prefix}"
            ),
            # The source topics Debezium creates are replicated like feedsync's own: one
            # copy on the local single broker, 3 with 2 in sync on a 3-broker cluster.
            "topic.creation.default.replication.factor": str(settings.kafka.replication_factor),
            "topic.creation.default.min.insync.replicas": str(settings.kafka.min_insync_replicas),
        }
    )
    config.update(schema_history_security(settings))
    config.update(overrides)
    return config


def schema_history_security(settings: Settings) -> dict[str, str]:
    """The TLS and SASL configs of Debezium's schema-history producer and consumer, which
    reach the brokers at the settings' address on their own (not through the Connect
    worker's connection): without them a connector on a secured cluster fails at its first
    schema change. The password is a reference the Connect worker resolves from its
    environment (``KAFKA_PASSWORD_VARIABLE``); the CA file must be readable at the same path
    by the Connect worker."""
    kafka = settings.kafka
    if kafka.security_protocol == "PLAINTEXT":
        return {}
    client: dict[str, str] = {"security.protocol": kafka.security_protocol}
    if kafka.security_protocol in ("SSL", "SASL_SSL") and kafka.ssl_cafile is not None:
        client |= {"ssl.truststore.type": "PEM", "ssl.truststore.location": str(kafka.ssl_cafile)}
    if kafka.security_protocol.startswith("SASL"):
        # json.dumps quotes the user name as JAAS wants it (quotes and backslashes escaped).
        client |= {
            "sasl.mechanism": kafka.sasl_mechanism,
            "sasl.jaas.config": (
                f"{_LOGIN_MODULES[kafka.sasl_mechanism]} required "
                f"username={json.dumps(kafka.sasl_username)} "
                f'password="${{env:{KAFKA_PASSWORD_VARIABLE}}}";'
            ),
        }
    return {
        f"schema.history.internal.{side}.{key}": value
        for side in ("producer", "consumer")
        for key, value in client.items()
    }


@dataclass(frozen=True)
class ConnectorState:
    """What Connect says of the connector and its task."""

    connector: str
    tasks: tuple[str, ...]
    trace: str | None = None

    @property
    def running(self) -> bool:
        return (
            self.connector == "RUNNING"
            and bool(self.tasks)
            and all(task == "RUNNING" for task in self.tasks)
        )

    @property
    def failed(self) -> bool:
        return self.connector == "FAILED" or "FAILED" in self.tasks

    def describe(self) -> str:
        tasks = ", ".join(self.tasks) or "no task yet"
        return f"connector {self.connector}, task {tasks}"


def connector_state(settings: Settings) -> ConnectorState | None:
    """The connector's state, or None when it is not registered."""
    name = settings.connect.connector_name
    try:
        response = httpx.get(f"{settings.connect.url}/connectors/{name}/status", timeout=5)
    except httpx.HTTPError as exc:
        msg = f"Kafka Connect at {settings.connect.url} is unreachable: {exc}"
        raise TransientError(msg, hint="start it with `feedsync stack up`") from exc
    if response.status_code == 404:
        return None
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    tasks = body.get("tasks", [])
    traces = [t.get("trace") for t in [body["connector"], *tasks] if t.get("trace")]
    return ConnectorState(
        connector=body["connector"]["state"],
        tasks=tuple(task["state"] for task in tasks),
        trace=traces[0] if traces else None,
    )


def register_connector(
    settings: Settings, *, timeout_s: float, connect_log: str | None = None, **overrides: str
) -> ConnectorState:
    """Create or update the connector and wait until its task runs, or fail with the cause."""
    name = settings.connect.connector_name
    config = connector_config(settings, **overrides)
    response = httpx.put(
        f"{settings.connect.url}/connectors/{name}/config", json=config, timeout=30
    )
    if response.status_code >= 400:
        raise StackError(
            f"Kafka Connect rejected the {name} connector config "
            f"(HTTP {response.status_code}): {_rest_message(response)}",
            hint=f"fix {CONFIG_FILE.name} or the FEEDSYNC_DATABASE__* / FEEDSYNC_CONNECT__* "
            "settings",
            log=connect_log,
        )
    deadline = time.monotonic() + timeout_s
    state = connector_state(settings)
    while state is None or not state.running:
        if state is not None and state.failed:
            raise StackError(
                f"the {name} connector failed to start ({state.describe()}): "
                f"{_first_cause(state.trace)}",
                hint="fix the cause, then run `feedsync stack up` again (it re-registers)",
                log=connect_log,
            )
        if time.monotonic() >= deadline:
            shown = state.describe() if state else "not registered"
            raise StackError(
                f"the {name} connector was not running within {timeout_s:.0f}s ({shown})",
                log=connect_log,
            )
        time.sleep(0.5)
        state = connector_state(settings)
    return state


def delete_connector(settings: Settings) -> None:
    name = settings.connect.connector_name
    response = httpx.delete(f"{settings.connect.url}/connectors/{name}", timeout=30)
    if response.status_code not in (204, 404):
        response.raise_for_status()


def request_incremental_snapshot(
    connection: pymysql.connections.Connection[Any],
    settings: Settings,
    tables: list[str],
    *,
    condition: str | None = None,
    conditions: Mapping[str, str] | None = None,
) -> str:
    """Ask Debezium for an incremental snapshot of ``tables`` through the signal table:
    the rows ``condition`` selects, or per table the rows ``conditions[table]`` does.

    Returns the signal id. Snapshot rows arrive as ``op: "r"`` with
    ``source.snapshot: "incremental"`` while streaming goes on.
    """
    unknown = sorted(set(tables) - set(CAPTURED_TABLES))
    if unknown:
        raise StackError(
            f"cannot snapshot {', '.join(unknown)}: not captured by the connector",
            hint="captured tables: " + ", ".join(CAPTURED_TABLES),
        )
    db = settings.database.name
    data: dict[str, Any] = {
        "data-collections": [f"{db}.{table}" for table in tables],
        "type": "incremental",
    }
    filters = dict(conditions or {}) if conditions else dict.fromkeys(tables, condition)
    chosen = [
        {"data-collection": f"{db}.{table}", "filter": filters[table]}
        for table in tables
        if filters.get(table)
    ]
    if chosen:
        data["additional-conditions"] = chosen
    signal_id = f"feedsync-{uuid.uuid4().hex}"  # 41 characters: the id column holds 42
    text = json.dumps(data)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO `{SIGNAL_TABLE}` (id, type, data) VALUES (%s, %s, %s)",
                (signal_id, "execute-snapshot", text),
            )
    except pymysql.err.DataError as exc:
        raise StackError(
            f"the snapshot request ({len(text)} characters) does not fit the signal table's "
            f"data column: {exc.args[-1]}",
            hint=f"widen it: ALTER TABLE {db}.{SIGNAL_TABLE} MODIFY data MEDIUMTEXT "
            "(connectors/magento/schema.sql does), or name fewer ids",
        ) from exc
    connection.commit()
    return signal_id


def _rest_message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message", response.text))[:500]
    except ValueError:
        return response.text[:500]


def _first_cause(trace: str | None) -> str:
    """The most specific line of a Java stack trace: the last 'Caused by', else the first."""
    if not trace:
        return "no trace given"
    lines = [line.strip() for line in trace.splitlines() if line.strip()]
    causes = [line for line in lines if line.startswith("Caused by:")]
    return (causes[-1] if causes else lines[0])[:400]
