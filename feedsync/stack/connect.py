"""A Kafka Connect worker in distributed mode, hosting the Debezium connector plugin.

Distributed mode keeps connector configs, offsets and status in Kafka topics, so a
restarted worker resumes from its committed binlog position, and connectors are
managed through the REST API exactly as in production.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx

from connectors.debezium import PASSWORD_VARIABLE
from feedsync.settings import Settings
from feedsync.stack.jars import Jars
from feedsync.stack.kafka import Kafka
from feedsync.stack.layout import Layout
from feedsync.stack.processes import Daemon, ensure_port_free

MARIADB_CONNECTOR_CLASS = "io.debezium.connector.mariadb.MariaDbConnector"


class Connect:
    """The Connect worker: its properties file and its process."""

    def __init__(self, settings: Settings, layout: Layout, jars: Jars, kafka: Kafka) -> None:
        self.settings = settings
        self.jars = jars
        self.kafka = kafka
        self.home = layout.component("connect")
        self.daemon = Daemon("connect", layout.run, layout.log("connect"))

    @property
    def config_file(self) -> Path:
        return self.home / "worker.properties"

    def write_config(self) -> None:
        url = urlsplit(self.settings.connect.url)
        self.config_file.write_text(
            f"""# Written by feedsync (deploy/local); edits are overwritten on the next start.
bootstrap.servers={self.settings.kafka.bootstrap_servers}
group.id=feedsync-connect
config.storage.topic=feedsync-connect-configs
offset.storage.topic=feedsync-connect-offsets
status.storage.topic=feedsync-connect-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
listeners=http://{url.hostname}:{url.port}
rest.advertised.host.name={url.hostname}
rest.advertised.port={url.port}
plugin.path={self.jars.plugins}
plugin.discovery=hybrid_warn
# Commit source offsets every second: a restart replays at most a second of changes.
offset.flush.interval.ms=1000
# Secrets in connector configs are references, resolved from this worker's environment
# (the Debezium password: connectors/debezium.py).
config.providers=env
config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider
config.providers.env.param.allowlist.pattern={PASSWORD_VARIABLE}
"""
        )

    def start(self, timeout_s: float) -> bool:
        if self.daemon.pid() is not None:
            return False
        url = urlsplit(self.settings.connect.url)
        ensure_port_free(
            url.hostname or "127.0.0.1",
            url.port or 8083,
            component="Kafka Connect",
            setting="FEEDSYNC_CONNECT__URL",
        )
        self.write_config()
        self.daemon.start(
            self.kafka.java_argv(
                "org.apache.kafka.connect.cli.ConnectDistributed",
                str(self.config_file),
                heap=self.settings.stack.connect_heap,
            ),
            env={PASSWORD_VARIABLE: self.settings.database.debezium_password.get_secret_value()},
        )
        self.daemon.wait_until(
            self.ready, what="serving the Debezium MariaDB plugin", timeout_s=timeout_s
        )
        return True

    def ready(self) -> bool:
        response = httpx.get(f"{self.settings.connect.url}/connector-plugins", timeout=3)
        return response.status_code == 200 and MARIADB_CONNECTOR_CLASS in response.text

    def stop(self) -> bool:
        return self.daemon.stop(timeout_s=60)
