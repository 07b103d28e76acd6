"""The Faust app "feedsync": decode → project → deliver, plus dead-letter re-drive.

Nothing happens at import: ``create_app`` builds the app from the settings, and
``run_worker`` creates any missing topics and runs a worker until stopped.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from functools import partial
from pathlib import Path

import faust
import mode.loop

from feeds import clock
from feeds.registry import FEEDS
from feedsync.brokers import ssl_context, uses_sasl, uses_tls
from feedsync.errors import ConfigError
from feedsync.logs import logging_config
from feedsync.settings import KafkaSettings, Settings
from streams import crash
from streams.deliver.agent import register_delivery
from streams.deliver.sender import delivery_configs
from streams.metrics import answered, disable, serve, set_lag
from streams.offsets import SafeOffsetConsumer, broker_url
from streams.progress import SyncProgress
from streams.project import register_projectors
from streams.rebuild import Dirty, register_rebuilds
from streams.reference import register_reference
from streams.route import register_route
from streams.sequenced import ReferenceTable
from streams.store import StateTable, configure_memory
from streams.topology import Topology, changelog_topics, ensure_topics, kafka_cluster_id

__all__ = ["create_app", "run_worker"]

log = logging.getLogger("feedsync.app")


MAX_RECORD_BYTES = 16 * 1024 * 1024
LAG_SAMPLE_S = 5.0


def broker_credentials(kafka: KafkaSettings) -> faust.types.auth.CredentialsT | None:
    """TLS and SASL for faust's clients (aiokafka), from the settings kafka-python's use."""
    if uses_sasl(kafka):
        assert kafka.sasl_password is not None  # the settings refuse SASL without one
        return faust.SASLCredentials(
            username=kafka.sasl_username,
            password=kafka.sasl_password.get_secret_value(),
            mechanism=kafka.sasl_mechanism,
            ssl_context=ssl_context(kafka) if uses_tls(kafka) else None,
        )
    if uses_tls(kafka):
        return faust.SSLCredentials(ssl_context(kafka))
    return None


def create_app(settings: Settings, *, data_dir: Path | None = None) -> faust.App:
    """The app; ``data_dir`` is where its worker keeps local state (``claim_data_dir``)."""
    delivery_configs(settings, FEEDS)  # every per-feed setting valid, for a known feed
    crash.arm(settings.streams.crash_at)
    configure_memory(settings.streams.state_memory_mib)
    app = faust.App(
        settings.streams.app_id,
        broker=broker_url(settings.kafka.bootstrap_servers),  # commits never pass a record
        broker_credentials=broker_credentials(settings.kafka),
        store="memory://",  # small tables; the large ones choose theirs (streams/topology.py)
        Table=StateTable,  # tells a RocksDB table's store when a write is durable
        GlobalTable=ReferenceTable,  # the reference table: the newest write of a key wins
        datadir=str(data_dir or settings.streams.data_dir / settings.streams.app_id),
        topic_partitions=settings.streams.partitions,
        topic_replication_factor=settings.kafka.replication_factor,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.streams.session_timeout_s,
        # Kafka wants heartbeats at most a third of the session apart; faust's default 3 s
        broker_heartbeat_interval=min(3.0, settings.streams.session_timeout_s / 3),
        consumer_group_instance_id=settings.streams.instance_id or None,
        producer_acks=-1,
        # Large orders: item and state records beyond Kafka's 1 MiB default (the broker
        # allows 16 MiB: message.max.bytes in the local stack and deploy/).
        producer_max_request_size=MAX_RECORD_BYTES,
        producer_linger=settings.streams.producer_linger_s,
        producer_max_batch_size=settings.streams.producer_batch_bytes,
        stream_buffer_maxsize=settings.streams.stream_buffer_maxsize,
        broker_max_poll_records=settings.streams.max_poll_records,
        web_enabled=False,
        autodiscover=False,
    )
    # read by the consumer (streams/offsets.py), which faust builds from the broker URL
    setattr(app, "stall_reseek_s", settings.streams.stall_reseek_s)  # noqa: B010
    topology = Topology.build(app, settings)
    dirty = Dirty(
        built=[p.entity for p in topology.selection.projectors if p.feeds],
        reference_rows=topology.reference_rows.get_topic_name(),
    )
    if not settings.streams.delivers_only:
        register_route(app, topology, dirty)
        register_reference(app, topology, dirty)
        register_projectors(app, topology, dirty)
        register_rebuilds(app, topology, settings, dirty)
    register_delivery(app, topology, settings, delivery_configs(settings, topology.selection.feeds))

    app_id = settings.streams.app_id
    items_topics = {
        name: f.items_topic(settings.streams.pipeline_id)
        for name, f in topology.selection.feeds.items()
    }
    progress = SyncProgress(items_topics, answered=answered)

    async def sample_lag() -> None:
        consumer = app.consumer
        if not isinstance(consumer, SafeOffsetConsumer):
            return
        try:  # metrics and progress lines only: a failed sample must not touch the stream
            lag = consumer.lag()
            set_lag(app_id, lag, settings.streams.pipeline_id)
            progress.sample(lag)
        except Exception:
            log.warning("sampling the consumer's lag failed", exc_info=True)

    app.timer(interval=LAG_SAMPLE_S)(sample_lag)
    return app


def run_worker(settings: Settings, *, loglevel: str = "info") -> None:
    if settings.streams.event_loop == "uvloop":
        # Before anything asks for a loop: faust's worker creates it from the policy.
        mode.loop.use("uvloop")
    clock.set_offset(settings.streams.clock_offset_s)
    app = create_app(settings, data_dir=claim_data_dir(settings, kafka_cluster_id(settings)))
    ensure_topics(settings, changelog_topics(app))
    if not settings.metrics.enabled:
        disable()

    async def serve_metrics() -> None:  # once the worker runs, so that its logging is set up
        serve(settings.metrics)

    app.task(serve_metrics)
    level = "warn" if loglevel.lower() == "warning" else loglevel
    logging = logging_config(level, settings.log_errors_file)
    worker = faust.Worker(app, loglevel=level, logging_config=logging)
    app.task(partial(_report_loop, settings.streams.event_loop))
    worker.execute_from_commandline()


async def _report_loop(chosen: str) -> None:
    loop = asyncio.get_running_loop()
    log.info("event loop: %s (%s)", type(loop).__module__, chosen)


# Held open (and locked) for the worker's lifetime.
_claimed: list[int] = []


def claim_data_dir(settings: Settings, cluster: str) -> Path:
    """The local state directory of this worker process, locked while it runs.

    Two workers must not share RocksDB files, and a restarted worker should find its own
    again: a worker with an instance id takes ``<data_dir>/<app id>/<cluster>/<instance
    id>``; one without takes the first free ``slot-<n>``, the one it held before it stopped
    unless another worker took it meanwhile (any slot is correct: state a worker does
    not find is read from Kafka). ``cluster`` is the Kafka cluster's id: state kept for
    another cluster's changelogs (a cluster rebuilt, a stack cleaned, a bench's own) is
    never read as this one's (faust would refuse to start on it, or worse, take it for
    current when the new changelog has grown past the offset it holds)."""
    root = settings.streams.data_dir / settings.streams.app_id / f"cluster-{cluster}"
    instance = settings.streams.instance_id
    names = [instance] if instance else (f"slot-{n}" for n in range(1024))
    for name in names:
        path = root / name
        path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path / "worker.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        _claimed.append(fd)
        return path
    raise ConfigError(
        f"another worker of app {settings.streams.app_id!r} holds {root / instance}",
        hint="give each running worker its own FEEDSYNC_STREAMS__INSTANCE_ID",
    )
