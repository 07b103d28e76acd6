"""A single-node Apache Kafka 4 broker in KRaft mode (combined broker and controller)."""

from __future__ import annotations

import base64
import subprocess
import uuid
from pathlib import Path

from kafka import KafkaAdminClient

from feedsync.errors import StackError
from feedsync.settings import Settings
from feedsync.stack.jars import Jars
from feedsync.stack.layout import DEPLOY_LOCAL, Layout
from feedsync.stack.processes import Daemon, ensure_port_free

LOG4J_CONFIG = DEPLOY_LOCAL / "log4j2.yaml"


def host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "127.0.0.1", int(port)


class Kafka:
    """The broker: its config, its formatted log directory and its process."""

    def __init__(self, settings: Settings, layout: Layout, jars: Jars) -> None:
        self.settings = settings
        self.jars = jars
        self.home = layout.component("kafka")
        self.daemon = Daemon("kafka", layout.run, layout.log("kafka"))
        self.format_log = layout.log("kafka-format")

    @property
    def config_file(self) -> Path:
        return self.home / "server.properties"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    def write_config(self) -> None:
        host, port = host_port(self.settings.kafka.bootstrap_servers.split(",")[0])
        controller = self.settings.kafka.controller_port
        self.config_file.write_text(
            f"""# Written by feedsync (deploy/local); edits are overwritten on the next start.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers={host}:{controller}
listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller}
advertised.listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={self.data_dir}
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# One node: no point waiting for more group members to join.
group.initial.rebalance.delay.ms=0
log.cleaner.enable=true
# A 500-line order's item and state records run to megabytes; 1 MiB (the default) is too small.
message.max.bytes=16777216
"""
        )

    def java_argv(self, main_class: str, *args: str, heap: str | None = None) -> list[str]:
        argv = [self.settings.stack.java]
        if heap:
            argv += [f"-Xms{heap}", f"-Xmx{heap}"]
        return [
            *argv,
            "-XX:+UseG1GC",
            f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
            "-cp",
            self.jars.classpath,
            main_class,
            *args,
        ]

    def format_storage(self) -> None:
        """Format the KRaft log directory once (``kafka-storage.sh format --standalone``)."""
        if (self.data_dir / "meta.properties").is_file():
            return
        cluster_id = _kafka_uuid()
        argv = self.java_argv(
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "--ignore-formatted",
            "-t",
            cluster_id,
            "-c",
            str(self.config_file),
        )
        with self.format_log.open("ab") as log:
            result = subprocess.run(
                argv, stdout=log, stderr=subprocess.STDOUT, timeout=120, check=False
            )
        if result.returncode != 0:
            raise StackError("formatting Kafka's KRaft storage failed", log=str(self.format_log))

    def start(self, timeout_s: float) -> bool:
        if self.daemon.pid() is not None:
            return False
        host, port = host_port(self.settings.kafka.bootstrap_servers.split(",")[0])
        ensure_port_free(host, port, component="Kafka", setting="FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS")
        ensure_port_free(
            host,
            self.settings.kafka.controller_port,
            component="Kafka's controller",
            setting="FEEDSYNC_KAFKA__CONTROLLER_PORT",
        )
        self.write_config()
        self.format_storage()
        self.daemon.start(
            self.java_argv(
                "kafka.Kafka", str(self.config_file), heap=self.settings.stack.kafka_heap
            )
        )
        self.daemon.wait_until(self.ready, what="serving metadata", timeout_s=timeout_s)
        return True

    def ready(self) -> bool:
        admin = KafkaAdminClient(
            bootstrap_servers=self.settings.kafka.bootstrap_servers,
            request_timeout_ms=3000,
            client_id="feedsync-stack",
        )
        try:
            admin.list_topics()
            return True
        finally:
            admin.close()

    def stop(self) -> bool:
        return self.daemon.stop(timeout_s=60)


def _kafka_uuid() -> str:
    """A cluster id in Kafka's own form: 22 characters of URL-safe base64."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
