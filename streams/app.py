"""The Faust app "feedsync": decode → project → deliver, plus dead-letter re-drive.

Nothing happens at import: ``create_app`` builds the app from the settings, and
``run_worker`` creates any missing topics and runs a worker until stopped.
"""

from __future__ import annotations

import faust

from feeds.registry import FEEDS
from feedsync.errors import ConfigError
from feedsync.logs import logging_config
from feedsync.settings import Settings
from streams.deliver.agent import register_delivery
from streams.project import register_projection
from streams.topology import Topology, ensure_topics

__all__ = ["create_app", "run_worker"]


def check_feed_settings(settings: Settings) -> None:
    """Refuse per-feed settings for a feed that does not exist (a typo would be ignored)."""
    known = {name.lower(): name for name in FEEDS}
    for name in settings.delivery.feeds:
        if name.lower() not in known:
            raise ConfigError(
                f"FEEDSYNC_DELIVERY__FEEDS__{name.upper()}__*: there is no feed {name!r}",
                hint=f"known feeds: {', '.join(sorted(FEEDS))}",
            )
        settings.delivery.for_feed(name)  # validates the values, naming the variable


MAX_RECORD_BYTES = 16 * 1024 * 1024


def create_app(settings: Settings) -> faust.App:
    check_feed_settings(settings)
    app = faust.App(
        settings.streams.app_id,
        broker=f"kafka://{settings.kafka.bootstrap_servers}",
        store="memory://",
        topic_partitions=settings.streams.partitions,
        topic_replication_factor=1,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # Large orders: item and state records beyond Kafka's 1 MiB default (the broker
        # allows 16 MiB: message.max.bytes in the local stack and deploy/).
        producer_max_request_size=MAX_RECORD_BYTES,
        web_enabled=False,
        autodiscover=False,
    )
    topology = Topology.build(app, settings)
    register_projection(app, topology, settings)
    register_delivery(app, topology, settings)
    return app


def run_worker(settings: Settings, *, loglevel: str = "info") -> None:
    ensure_topics(settings)
    app = create_app(settings)
    level = "warn" if loglevel.lower() == "warning" else loglevel
    worker = faust.Worker(app, loglevel=level, logging_config=logging_config(level))
    worker.execute_from_commandline()
