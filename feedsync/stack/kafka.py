"""A single-node Apache Kafka 4 broker in KRaft mode (combined broker and controller)."""

from __future__ import annotations

import base64
import os
import subprocess
import uuid
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.admin import ScramMechanism, UserScramCredentialUpsertion

from feedsync.brokers import client_options
from feedsync.errors import StackError
from feedsync.settings import Settings
from feedsync.stack.jars import Jars
from feedsync.stack.layout import DEPLOY_LOCAL, Layout
from feedsync.stack.processes import Daemon, ensure_port_free
from feedsync.stack.tls import broker_tls

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

    @property
    def tls_dir(self) -> Path:
        return self.home / "tls"

    def write_config(self) -> None:
        kafka = self.settings.kafka
        host, port = host_port(kafka.bootstrap_servers.split(",")[0])
        controller, secure = kafka.controller_port, kafka.secure_port
        tls = broker_tls(self.tls_dir, tuple(dict.fromkeys((host, "127.0.0.1", "localhost"))))
        listeners = (
            f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{controller},SASL_SSL://{host}:{secure}"
        )
        # SCRAM needs no server-side secret of its own: the login module only names it.
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        text = f"""# Written by feedsync (deploy/local); edits are overwritten on the next start.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers={host}:{controller}
listeners={listeners}
advertised.listeners={listeners}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
# SASL_SSL for clients configured as production ones are (FEEDSYNC_KAFKA__SECURITY_PROTOCOL):
# TLS with the stack's own CA ({tls.ca}), SCRAM users made by `add_scram_user`.
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config={scram}
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config={scram}
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.certificate.chain={_property(tls.chain.read_text())}
listener.name.sasl_ssl.ssl.keystore.key={_property(tls.key.read_text())}
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
        # The broker's private key is inline: the file is for this user's eyes only.
        fd = os.open(self.config_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(text)
        self.config_file.chmod(0o600)

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
        ensure_port_free(
            host,
            self.settings.kafka.secure_port,
            component="Kafka's SASL_SSL listener",
            setting="FEEDSYNC_KAFKA__SECURE_PORT",
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
            **client_options(self.settings.kafka),
            request_timeout_ms=3000,
            client_id="feedsync-stack",
        )
        try:
            admin.list_topics()
            return True
        finally:
            admin.close()

    def add_scram_user(self, user: str, password: str) -> None:
        """Create or update a SCRAM user (both mechanisms) for the SASL_SSL listener.

        Asked over the PLAINTEXT listener, which only the stack's own host reaches; the
        broker gets the salted password, never the password itself."""
        admin = KafkaAdminClient(
            bootstrap_servers=self.settings.kafka.bootstrap_servers, client_id="feedsync-stack"
        )
        try:
            # One request per mechanism: the broker refuses a user altered twice in one.
            for mechanism in (ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256):
                failed = admin.alter_user_scram_credentials(
                    [UserScramCredentialUpsertion(user, mechanism, password)]
                )
                if failed.get(user):
                    msg = f"Kafka refused the SCRAM user {user!r} ({mechanism.name}): "
                    raise StackError(msg + str(failed[user]))
        finally:
            admin.close()

    def stop(self) -> bool:
        return self.daemon.stop(timeout_s=60)


def _property(value: str) -> str:
    """A multi-line value written as one line of a Java properties file."""
    return value.strip().replace("\n", "\\n")


def _kafka_uuid() -> str:
    """A cluster id in Kafka's own form: 22 characters of URL-safe base64, never starting
    with "-" (as Kafka's own ``Uuid.randomUuid``): the storage tool would read such an id,
    given after ``-t``, as an option and fail, one format in 64."""
    while True:
        found = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not found.startswith("-"):
            return found
