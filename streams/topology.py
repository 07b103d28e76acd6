"""The topics and tables of the Faust app, created in one place."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import faust
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from mode.utils.times import want_seconds

from connectors.debezium import source_topic
from feeds.projector import EntityProjector
from feeds.registry import CAPTURED_TABLES, Selection, select
from feedsync.brokers import admin_client
from feedsync.errors import ConfigError
from feedsync.settings import Settings
from streams.letters import SOURCE_DLQ, dlq_topic
from streams.redrive_report import redrive_report_topic
from streams.resend import resend_topic
from streams.sequenced import SequencedView
from streams.store import STORE_URL

__all__ = [
    "DRAIN_LINGER_S",
    "STAGE_LINGER_S",
    "Topology",
    "changelog_topics",
    "ensure_topics",
    "kafka_cluster_id",
]

# Internal topics are named <app id>.<kind>.<name>, so apps with other ids (tests, a
# second environment on one cluster) never share them. The default app id, "feedsync",
# gives the names of DESIGN.md's contract: feedsync.items.<feed>, feedsync.dlq.<feed>.


REFERENCE_CONTROL = "reference"
REFERENCE_ROWS = "reference-rows"


# How long a stage's ``noack_take`` waits to fill a batch. Faust yields on a fixed tick
# (not a wait after the first event), so an idle pipeline holds each change half a tick on
# average at every stage; under load the buffer fills a batch before the tick anyway.
STAGE_LINGER_S = 0.05

# How long ``streams.batches.drain`` waits after a batch's first event for more while fewer
# than a batch are queued: half the stage linger, the average wait of faust's tick above.
# Under load the queue holds a batch already and nothing waits.
DRAIN_LINGER_S = STAGE_LINGER_S / 2


def entity_topic(settings: Settings, entity: str) -> str:
    """Row changes re-keyed by entity (``products``), or control records (``reference``)."""
    return f"{settings.streams.app_id}.entity.{entity}"


@dataclass(frozen=True)
class Topology:
    """Every topic and table the agents use."""

    selection: Selection  # the feeds this worker runs and the projectors they need
    source: faust.TopicT
    entities: dict[str, faust.TopicT]  # projector entity -> its re-keyed changes
    reference_control: faust.TopicT  # rebuild requests for the reference feeds
    # Reference rows, routed to one partition so that one worker writes the reference table.
    reference_rows: faust.TopicT
    items: dict[str, faust.TopicT]
    resend: dict[str, faust.TopicT]  # feed -> items an operator asked to send again
    dlq: dict[str, faust.TopicT]
    redrive_report: faust.TopicT  # feed -> what its re-drive last did (streams/redrive_report.py)
    reference: Any  # faust GlobalTable
    state: dict[str, Any]  # projector entity -> faust Table: entity key -> state
    reference_emitted: Any  # faust Table: feed -> {item id: identity}
    delivered: Any  # faust Table: "<feed>:<item id>" -> [hash, version], live deliveries
    # The same for re-driven dead letters: written from the one-partition DLQ topics, so
    # it must be a table of its own (faust keeps a key in its event's partition).
    redelivered: Any
    installation: str = ""  # settings.streams.installation_id: names it in order UUIDs

    @property
    def reference_data(self) -> SequencedView:
        """The reference table's values as projectors read them."""
        return SequencedView(self.reference)

    @classmethod
    def build(cls, app: faust.App, settings: Settings) -> Topology:
        selection = selected(settings)
        feeds = list(selection.feeds)
        partitions = settings.streams.partitions
        ns = settings.streams.app_id
        # A destination's worker reads the pipeline's items and keeps nothing else of it.
        delivers_only = settings.streams.delivers_only
        projectors = () if delivers_only else selection.projectors
        # The large tables: entity state and delivery status (the others are small and
        # read back from Kafka in a moment at each start).
        store = STORE_URL if settings.streams.state_store == "rocksdb" else "memory://"
        return cls(
            installation=settings.streams.installation_id,
            selection=selection,
            source=_raw_topic(app, *[source_topic(settings, t) for t in CAPTURED_TABLES]),
            entities={
                entity: _raw_topic(app, entity_topic(settings, entity), partitions=partitions)
                for entity in _entities(projectors)
            },
            reference_control=_raw_topic(
                app, entity_topic(settings, REFERENCE_CONTROL), partitions=1
            ),
            reference_rows=_raw_topic(app, entity_topic(settings, REFERENCE_ROWS), partitions=1),
            items={
                name: _raw_topic(
                    app, feed.items_topic(settings.streams.pipeline_id), partitions=partitions
                )
                for name, feed in selection.feeds.items()
            },
            resend={
                name: _raw_topic(app, resend_topic(name, ns), partitions=partitions)
                for name in feeds
            },
            dlq={f: _raw_topic(app, dlq_topic(f, ns), partitions=1) for f in [*feeds, SOURCE_DLQ]},
            redrive_report=_raw_topic(app, redrive_report_topic(ns), partitions=1),
            reference=None
            if delivers_only
            else app.GlobalTable(
                "feedsync-reference",
                default=None,
                partitions=1,
                # faust applies a global table's changelog in batches of this size on every
                # worker, even after recovery: with the default 1,000, a worker that did not
                # write a reference change did not see it for minutes. One record at a time.
                recovery_buffer_size=1,
            ),
            state={
                p.entity: app.Table(
                    f"feedsync-state-{p.entity}",
                    default=None,
                    partitions=partitions,
                    store=store,
                    # JSON the project agent encodes once (streams/project.py): faust's own
                    # serializer encoded a record three times per write (store, hold,
                    # changelog). The bytes are what faust's JSON codec wrote before.
                    value_type=bytes,  # faust's "raw" serializer
                )
                for p in projectors
            },
            reference_emitted=None
            if delivers_only
            else app.Table("feedsync-reference-emitted", default=None, partitions=1),
            delivered=app.Table(
                "feedsync-delivered", default=None, partitions=partitions, store=store
            ),
            redelivered=app.Table("feedsync-redelivered", default=None, partitions=1),
        )


def _entities(projectors: Sequence[EntityProjector]) -> list[str]:
    """The entities the projectors keep, and those they forward to: a worker that does not
    run a forward's target (its feeds are not this worker's) still writes the forward to the
    target's topic, for the worker that runs it."""
    kept = [p.entity for p in projectors]
    targets = [t for p in projectors for t in p.forwards_to if t not in kept]
    return [*kept, *dict.fromkeys(targets)]


def selected(settings: Settings) -> Selection:
    """The feeds ``FEEDSYNC_STREAMS__FEEDS`` names (all by default), or a ``ConfigError``."""
    try:
        return select(settings.streams.feeds)
    except KeyError as exc:
        known = ", ".join(sorted(select().feeds))
        setting = (
            "a destination's include (FEEDSYNC_DELIVERY__DESTINATIONS__<NAME>__INCLUDE)"
            if settings.streams.delivers_only
            else "FEEDSYNC_STREAMS__FEEDS"
        )
        raise ConfigError(
            f"{setting} names {exc.args[0]!r}, which is not a feed",
            hint=f"use a comma-separated list of: {known}",
        ) from None


def _raw_topic(app: faust.App, *names: str, partitions: int | None = None) -> faust.TopicT:
    """A topic of bytes: we encode and decode values ourselves (orjson)."""
    return app.topic(
        *names,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=partitions,
    )


TopicSpec = tuple[str, int, dict[str, str]]  # name, partitions, topic configs


def changelog_topics(app: faust.App) -> list[TopicSpec]:
    """The changelog topics of the app's tables, as faust would create them."""
    found: list[TopicSpec] = []
    for table in app.tables.values():
        topic = table.changelog_topic
        policy = ",".join(
            p for p, on in (("compact", topic.compacting), ("delete", topic.deleting)) if on
        )
        configs = {"cleanup.policy": policy} if policy else {}
        if topic.retention:
            configs["retention.ms"] = str(int(want_seconds(topic.retention) * 1000))
        partitions = topic.partitions or app.conf.topic_partitions
        found.extend((name, partitions, configs) for name in topic.topics)
    return found


def ensure_topics(settings: Settings, changelogs: Sequence[TopicSpec] = ()) -> None:
    """Create the topics the app reads and writes, so a fresh cluster needs no manual step.

    Items topics are compacted (the current state of every item); dead-letter topics
    keep everything until purged (``feedsync dlq purge``); resend topics a week. Every
    topic gets ``kafka.replication_factor`` replicas and ``kafka.min_insync_replicas``.

    ``changelogs`` (``changelog_topics`` of the app) are created here too, before faust
    starts: faust creates them itself a moment before its consumer joins the group, and
    when the broker's metadata does not show a new one yet, the consumer takes it for a
    topic of 0 partitions until its next metadata refresh (minutes): every write to that
    table then fails (faust's PartitionsMismatch).
    """
    partitions, ns = settings.streams.partitions, settings.streams.app_id
    selection = selected(settings)
    forever, week, compact = "-1", str(7 * 86400_000), {"cleanup.policy": "compact"}
    pipeline: list[TopicSpec] = [
        *((entity_topic(settings, e), partitions, {}) for e in _entities(selection.projectors)),
        (entity_topic(settings, REFERENCE_CONTROL), 1, {}),
        (entity_topic(settings, REFERENCE_ROWS), 1, {}),
        *((source_topic(settings, t), 1, {}) for t in CAPTURED_TABLES),
    ]
    wanted = [
        *([] if settings.streams.delivers_only else pipeline),
        *(
            (feed.items_topic(settings.streams.pipeline_id), partitions, compact)
            for feed in selection.feeds.values()
        ),
        *((resend_topic(name, ns), partitions, {"retention.ms": week}) for name in selection.feeds),
        *((dlq_topic(n, ns), 1, {"retention.ms": forever}) for n in [*selection.feeds, SOURCE_DLQ]),
        (redrive_report_topic(ns), 1, {"cleanup.policy": "compact"}),
        *changelogs,
    ]
    kafka = settings.kafka
    isr = {"min.insync.replicas": str(kafka.min_insync_replicas)}
    with admin_client(kafka) as admin:
        existing = set(admin.list_topics())
        _check_partitions(admin, {n: c for n, c, _ in wanted if n in existing and c > 1})
        missing = [
            NewTopic(name, count, kafka.replication_factor, topic_configs={**isr, **configs})
            for name, count, configs in wanted
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another worker was first
                admin.create_topics(missing)


def kafka_cluster_id(settings: Settings) -> str:
    """The id of the Kafka cluster the settings name (new whenever the cluster is made)."""
    with admin_client(settings.kafka) as admin:
        return str(admin.describe_cluster()["cluster_id"])


def _check_partitions(admin: KafkaAdminClient, expected: dict[str, int]) -> None:
    """Refuse to start on a partitioned topic that exists with another partition count
    (made by hand, or auto-created by a producer before any worker ran): faust keeps each
    table in its source record's partition, and every write of a mismatched one would fail.
    """
    if not expected:
        return
    wrong = {
        str(topic["name"]): len(topic["partitions"])
        for topic in admin.describe_topics(sorted(expected))
        if len(topic["partitions"]) != expected[str(topic["name"])]
    }
    if wrong:
        found = ", ".join(f"{name} has {count}" for name, count in sorted(wrong.items()))
        want = next(iter(expected.values()))
        raise ConfigError(
            f"topics with the wrong number of partitions ({found}; "
            f"FEEDSYNC_STREAMS__PARTITIONS is {want})",
            hint="delete those topics before the first worker starts (they are rebuilt from "
            "the source), or give them that many partitions (kafka-topics.sh --alter "
            "--partitions); never let producers auto-create them",
        )
