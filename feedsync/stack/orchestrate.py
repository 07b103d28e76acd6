"""Bring the whole local stack up, report on it, and take it down again.

Order matters: MariaDB first, then the schema and sample data (loaded in bulk before
the connector exists, so Debezium's initial snapshot reads them instead of streaming
a million binlog rows), then Kafka, then Connect, then the connector.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from connectors.database import connect
from connectors.debezium import (
    SIGNAL_TABLE,
    ConnectorState,
    connector_state,
    register_connector,
)
from connectors.magento import sample as sample_data
from feeds.registry import CAPTURED_TABLES
from feedsync.errors import FeedsyncError, StackError
from feedsync.settings import Settings
from feedsync.stack.connect import Connect
from feedsync.stack.jars import Jars, check_java
from feedsync.stack.kafka import Kafka, host_port
from feedsync.stack.layout import Layout
from feedsync.stack.mariadb import MariaDb
from feedsync.stack.pipeline import DashboardProcess, ReceiverProcess, WorkerProcess
from feedsync.stack.processes import ensure_port_free

Say = Callable[[str], None]


@dataclass(frozen=True)
class Stack:
    """The components of one local stack, built from the settings."""

    settings: Settings
    layout: Layout
    mariadb: MariaDb
    jars: Jars
    kafka: Kafka
    connect: Connect
    receiver: ReceiverProcess
    worker: WorkerProcess
    dashboard: DashboardProcess
    # One worker per destination of FEEDSYNC_DELIVERY__DESTINATIONS (each delivers there).
    destinations: tuple[WorkerProcess, ...] = ()

    @classmethod
    def of(cls, settings: Settings) -> Stack:
        layout = Layout.of(settings)
        jars = Jars(settings, layout)
        kafka = Kafka(settings, layout, jars)
        return cls(
            settings=settings,
            layout=layout,
            mariadb=MariaDb(settings, layout),
            jars=jars,
            kafka=kafka,
            connect=Connect(settings, layout, jars, kafka),
            receiver=ReceiverProcess(settings, layout),
            worker=WorkerProcess(settings, layout),
            dashboard=DashboardProcess(settings, layout),
            destinations=tuple(
                WorkerProcess(settings, layout, name)
                for name in sorted(settings.delivery.destinations)
            ),
        )


def up(
    settings: Settings,
    *,
    profile: str = "small",
    seed: int = 42,
    say: Say = print,
    register: bool = True,
    pipeline: bool = True,
) -> Stack:
    """Install what is missing and start every component, each waiting until ready.

    ``register=False`` leaves the connector out (a benchmark times the snapshot alone);
    ``pipeline=False`` leaves out the receiver, the worker and the dashboard (tests start
    their own).
    """
    stack = Stack.of(settings)
    timeout = settings.stack.start_timeout_s
    began = time.monotonic()

    if settings.kafka.security_protocol != "PLAINTEXT":
        raise StackError(
            "the local stack starts from PLAINTEXT client settings (its broker listens "
            "in PLAINTEXT on FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS and in SASL_SSL on "
            f"FEEDSYNC_KAFKA__SECURE_PORT, {settings.kafka.secure_port})",
            hint="run `feedsync stack up` without FEEDSYNC_KAFKA__SECURITY_PROTOCOL; set it, "
            "with the SASL_SSL address, for the workers and commands that should use it",
        )
    check_java(settings.stack.java)
    _preflight_ports(stack, pipeline=pipeline)
    if stack.mariadb.install():
        say("installed MariaDB from Debian's packages")
    if stack.jars.resolve():
        say(f"resolved the Kafka/Connect/Debezium jars into {stack.layout.jars}")

    _step(say, "MariaDB", stack.mariadb.start(timeout), stack.mariadb.daemon.log_file)
    stack.mariadb.provision()
    _load_magento(stack, profile, seed, say)

    _step(say, "Kafka", stack.kafka.start(timeout), stack.kafka.daemon.log_file)
    _step(say, "Kafka Connect", stack.connect.start(timeout), stack.connect.daemon.log_file)
    if register:
        state = register_connector(
            settings, timeout_s=timeout, connect_log=str(stack.connect.daemon.log_file)
        )
        say(f"Debezium connector {settings.connect.connector_name}: {state.describe()}")
    if pipeline:
        _step(say, "receiver", stack.receiver.start(timeout), stack.receiver.daemon.log_file)
        _step(say, "worker", stack.worker.start(timeout), stack.worker.daemon.log_file)
        for worker in stack.destinations:
            _step(say, worker.daemon.name, worker.start(timeout), worker.daemon.log_file)
        dashboard = stack.dashboard
        _step(say, "dashboard", dashboard.start(timeout), dashboard.daemon.log_file)
    say(f"stack ready in {time.monotonic() - began:.1f}s; state and logs in {stack.layout.state}")
    return stack


def _preflight_ports(stack: Stack, *, pipeline: bool) -> None:
    """Check every port before starting anything, so a clash never leaves half a stack."""
    settings = stack.settings
    kafka_host, kafka_port = host_port(settings.kafka.bootstrap_servers.split(",")[0])
    connect_url = urlsplit(settings.connect.url)
    checks = [
        (
            stack.mariadb.daemon,
            settings.database.host,
            settings.database.port,
            "MariaDB",
            "FEEDSYNC_DATABASE__PORT",
        ),
        (stack.kafka.daemon, kafka_host, kafka_port, "Kafka", "FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS"),
        (
            stack.kafka.daemon,
            kafka_host,
            settings.kafka.controller_port,
            "Kafka's controller",
            "FEEDSYNC_KAFKA__CONTROLLER_PORT",
        ),
        (
            stack.kafka.daemon,
            kafka_host,
            settings.kafka.secure_port,
            "Kafka's SASL_SSL listener",
            "FEEDSYNC_KAFKA__SECURE_PORT",
        ),
        (
            stack.connect.daemon,
            connect_url.hostname or "127.0.0.1",
            connect_url.port or 8083,
            "Kafka Connect",
            "FEEDSYNC_CONNECT__URL",
        ),
    ]
    if pipeline:
        receiver = settings.receiver
        checks.append(
            (
                stack.receiver.daemon,
                receiver.host,
                receiver.port,
                "the receiver",
                "FEEDSYNC_RECEIVER__PORT",
            )
        )
        dashboard = settings.dashboard
        checks.append(
            (
                stack.dashboard.daemon,
                dashboard.host,
                dashboard.port,
                "the dashboard",
                "FEEDSYNC_DASHBOARD__PORT",
            )
        )
    for daemon, host, port, component, setting in checks:
        if daemon.pid() is None:
            ensure_port_free(host, port, component=component, setting=setting)


def _load_magento(stack: Stack, profile: str, seed: int, say: Say) -> None:
    with connect(stack.settings, local_infile=True) as connection:
        sample_data.apply_schema(connection)
        stack.mariadb.grant_debezium(CAPTURED_TABLES, SIGNAL_TABLE)
        loaded = sample_data.loaded_profile(connection)
        if loaded is None:
            began = time.monotonic()
            with stack.mariadb.allow_local_infile():
                counts = sample_data.load_sample(connection, profile, seed)
            took = time.monotonic() - began
            say(
                f"loaded sample data '{profile}' (seed {seed}): {sum(counts.values()):,} rows "
                f"in {len(counts)} tables in {took:.1f}s"
            )
        elif loaded != (profile, seed):
            raise StackError(
                f"the database already holds sample data '{loaded[0]}' (seed {loaded[1]}), "
                f"not '{profile}' (seed {seed})",
                hint="run `feedsync stack clean` first to start afresh with another profile",
            )
        else:
            say(f"sample data '{profile}' (seed {seed}) already loaded")


def _step(say: Say, name: str, started: bool, log: object) -> None:
    say(f"{name}: {'started' if started else 'already running'} (log: {log})")


@dataclass(frozen=True)
class StackStatus:
    """One line per component: running or not, and the details that matter."""

    mariadb: str
    kafka: str
    connect: str
    connector: str
    receiver: str
    worker: str
    dashboard: str
    destinations: tuple[tuple[str, str], ...] = ()  # (worker-to-<name>, its line)

    @property
    def healthy(self) -> bool:
        """The source and transport run (the pipeline's own processes are optional)."""
        return all(
            line.startswith("running")
            for line in (self.mariadb, self.kafka, self.connect, self.connector)
        )

    def lines(self) -> list[tuple[str, str]]:
        return [
            ("mariadb", self.mariadb),
            ("kafka", self.kafka),
            ("connect", self.connect),
            ("connector", self.connector),
            ("receiver", self.receiver),
            ("worker", self.worker),
            *self.destinations,
            ("dashboard", self.dashboard),
        ]


def status(settings: Settings) -> StackStatus:
    """What runs now, probed live rather than read from pid files alone."""
    stack = Stack.of(settings)

    def probe(pid: int | None, ready: Callable[[], bool], where: str) -> str:
        if pid is None:
            return "stopped"
        try:
            return f"running (pid {pid}, {where})" if ready() else f"starting (pid {pid})"
        except Exception as exc:  # noqa: BLE001 - a status line reports any failure
            return f"not answering (pid {pid}): {exc}"

    db = settings.database
    connector = "stopped"
    if stack.connect.daemon.pid() is not None:
        try:
            state: ConnectorState | None = connector_state(settings)
        except FeedsyncError as exc:
            connector = f"unknown: {exc.message}"
        else:
            if state is None:
                connector = "not registered"
            elif state.running:
                connector = f"running ({state.describe()})"
            else:
                trace = f": {state.trace[:200]}" if state.trace else ""
                connector = state.describe() + trace
    return StackStatus(
        mariadb=probe(stack.mariadb.daemon.pid(), stack.mariadb.ping, f"{db.host}:{db.port}"),
        kafka=probe(stack.kafka.daemon.pid(), stack.kafka.ready, settings.kafka.bootstrap_servers),
        connect=probe(stack.connect.daemon.pid(), stack.connect.ready, settings.connect.url),
        connector=connector,
        receiver=probe(stack.receiver.daemon.pid(), stack.receiver.ready, stack.receiver.url),
        worker=probe(stack.worker.daemon.pid(), lambda: True, f"app {settings.streams.app_id}"),
        dashboard=probe(stack.dashboard.daemon.pid(), stack.dashboard.ready, stack.dashboard.url),
        destinations=tuple(
            (
                worker.daemon.name,
                probe(worker.daemon.pid(), lambda: True, f"destination {worker.destination}"),
            )
            for worker in stack.destinations
        ),
    )


def down(settings: Settings, *, say: Say = print) -> None:
    """Stop every component, the last started first."""
    stack = Stack.of(settings)
    for name, stop in (
        ("dashboard", stack.dashboard.stop),
        *((worker.daemon.name, worker.stop) for worker in stack.destinations),
        ("worker", stack.worker.stop),
        ("receiver", stack.receiver.stop),
        ("Kafka Connect", stack.connect.stop),
        ("Kafka", stack.kafka.stop),
        ("MariaDB", stack.mariadb.stop),
    ):
        say(f"{name}: {'stopped' if stop() else 'was not running'}")


def clean(settings: Settings, *, say: Say = print, cache: bool = False) -> None:
    """Stop everything and delete all state (and, with ``cache``, the downloaded jars)."""
    down(settings, say=say)
    layout = Layout.of(settings)
    if layout.state.exists():
        shutil.rmtree(layout.state)
        say(f"removed {layout.state}")
    if cache and layout.cache.exists():
        shutil.rmtree(layout.cache)
        say(f"removed {layout.cache}")
