"""``feedsync status``: is it syncing? Per feed, from Kafka alone.

- the items' delivery states, from the status tables (streams/status.py): how many items
  the endpoint holds (delivered, unchanged), will retry, need attention, or wait on a
  paused feed, and when the last one was delivered;
- what the scheduled re-drive of each feed last did (streams/redrive_report.py);
- the backlog of each stage: messages the workers' consumer group (the app id) has not
  committed past, on the source topics (Debezium's), the entity topics, and each feed's
  items, resend and dead-letter topics; and how far behind each stage is in seconds: the
  age of the oldest of those messages (0 when there are none).

A feed is unhealthy when it is paused, holds items needing attention, or its backlog is
past ``max_lag`` (the replaced exporter's health page warns past 1,000).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from connectors.debezium import source_topic
from feeds.feed import Feed
from feeds.registry import CAPTURED_TABLES, select
from feedsync.brokers import admin_client
from feedsync.ops.dlq import read_redrive_reports
from feedsync.ops.statuses import read_all_statuses
from feedsync.ops.topics import consumer
from feedsync.settings import Settings
from streams.letters import dlq_topic
from streams.redrive_report import RedriveReport
from streams.resend import resend_topic
from streams.status import ItemState

__all__ = ["FeedHealth", "Health", "health"]

DEFAULT_MAX_LAG = 1000


@dataclass
class FeedHealth:
    feed: str
    states: dict[str, int] = field(default_factory=dict)
    last_delivered: float | None = None
    paused: str | None = None  # why, when the feed's latest statuses say paused
    backlog: dict[str, int] = field(default_factory=dict)  # items, resend, dlq
    behind_s: dict[str, float] = field(default_factory=dict)  # same stages, in seconds
    redrive: RedriveReport | None = None  # none before the feed's re-drive ran

    def problems(self, max_lag: int) -> list[str]:
        found = []
        if self.paused:
            found.append(f"paused: {self.paused}")
        attention = self.states.get(ItemState.NEEDS_ATTENTION.value, 0)
        if attention:
            found.append(f"{attention} items need attention")
        lag = self.backlog.get("items", 0)
        if lag > max_lag:
            found.append(f"{lag} items not delivered yet (over {max_lag})")
        return found


@dataclass
class Health:
    feeds: list[FeedHealth]
    backlog: dict[str, int]  # stage -> messages: source, entity
    max_lag: int
    behind_s: dict[str, float] = field(default_factory=dict)  # same stages, in seconds

    @property
    def healthy(self) -> bool:
        upstream = any(lag > self.max_lag for lag in self.backlog.values())
        return not upstream and not any(f.problems(self.max_lag) for f in self.feeds)

    def summary(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "max_lag": self.max_lag,
            "backlog": self.backlog,
            "behind_s": self.behind_s,
            "feeds": [{**asdict(f), "problems": f.problems(self.max_lag)} for f in self.feeds],
        }


def health(settings: Settings, feeds: list[Feed], *, max_lag: int = DEFAULT_MAX_LAG) -> Health:
    app_id, pipeline_id = settings.streams.app_id, settings.streams.pipeline_id
    selection = select([feed.name for feed in feeds])
    with consumer(settings.kafka) as reader:
        statuses = read_all_statuses(reader, settings, {feed.name for feed in feeds})
        redrives = read_redrive_reports(reader, settings)
        committed, existing = _committed_and_topics(settings, app_id)
        lag = _Lag(reader, committed, existing)
        # A destination's worker reads the items only: the stages before are the
        # pipeline's, measured by the pipeline's group.
        pipeline = (
            _Lag(reader, _committed_and_topics(settings, pipeline_id)[0], existing)
            if pipeline_id != app_id
            else lag
        )
        upstream = {
            "source": pipeline.of([source_topic(settings, t) for t in CAPTURED_TABLES]),
            "entity": pipeline.of(
                [f"{pipeline_id}.entity.{p.entity}" for p in selection.projectors]
                + [f"{pipeline_id}.entity.reference-rows"]
            ),
        }
        found = []
        for feed in feeds:
            of_feed = FeedHealth(feed.name, redrive=redrives.get(feed.name))
            for status in statuses.get(feed.name, {}).values():
                state = status.state.value
                of_feed.states[state] = of_feed.states.get(state, 0) + 1
                if status.state is ItemState.DELIVERED and (
                    of_feed.last_delivered is None or status.at > of_feed.last_delivered
                ):
                    of_feed.last_delivered = status.at
                if status.state is ItemState.PAUSED:
                    of_feed.paused = status.message or "credentials refused"
            stages = {
                "items": lag.of([feed.items_topic(pipeline_id)]),
                "resend": lag.of([resend_topic(feed.name, app_id)]),
                "dlq": lag.of([dlq_topic(feed.name, app_id)]),
            }
            of_feed.backlog = {stage: b.messages for stage, b in stages.items()}
            of_feed.behind_s = {stage: b.behind_s for stage, b in stages.items()}
            found.append(of_feed)
    return Health(
        found,
        {stage: b.messages for stage, b in upstream.items()},
        max_lag,
        {stage: b.behind_s for stage, b in upstream.items()},
    )


def _committed_and_topics(
    settings: Settings, group: str
) -> tuple[dict[TopicPartition, int], set[str]]:
    """The group's committed offsets, and the topics that exist (listed by the admin
    client: kafka-python's ``KafkaConsumer.topics()`` waits for metadata without a
    deadline, and was seen to hang)."""
    with admin_client(settings.kafka) as admin:
        offsets = admin.list_group_offsets(group).get(group, {})
        existing = set(admin.list_topics())
    return {tp: int(meta.offset) for tp, meta in offsets.items() if meta.offset >= 0}, existing


@dataclass(frozen=True)
class _Backlog:
    messages: int
    behind_s: float  # age of the oldest of those messages; 0 when there are none


@dataclass
class _Lag:
    reader: KafkaConsumer
    committed: dict[TopicPartition, int]
    existing: set[str]
    peek_timeout_s: float = 3.0

    def of(self, topics: list[str]) -> _Backlog:
        """Messages of ``topics`` the group has not committed past (a topic that does not
        exist yet has none), and the age of the oldest of them."""
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            if topic in self.existing
            for p in sorted(self.reader.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            return _Backlog(0, 0.0)
        ends = self.reader.end_offsets(partitions)
        starts = self.reader.beginning_offsets(partitions)
        next_offsets = {tp: max(self.committed.get(tp, 0), starts[tp]) for tp in partitions}
        waiting = {tp: next_offsets[tp] for tp, end in ends.items() if end > next_offsets[tp]}
        messages = sum(ends[tp] - offset for tp, offset in waiting.items())
        return _Backlog(messages, self._oldest_age(waiting))

    def _oldest_age(self, waiting: dict[TopicPartition, int]) -> float:
        """Seconds since the oldest of the next messages of ``waiting`` was written: one
        record read at each partition's next offset (a compacted-away offset reads the
        next record, a little younger)."""
        if not waiting:
            return 0.0
        self.reader.assign(list(waiting))
        for tp, offset in waiting.items():
            self.reader.seek(tp, offset)
        oldest_ms: int | None = None
        unread = set(waiting)
        deadline = time.monotonic() + self.peek_timeout_s
        while unread and time.monotonic() < deadline:
            for tp, records in self.reader.poll(timeout_ms=200, max_records=500).items():
                if tp in unread and records:
                    unread.discard(tp)
                    self.reader.pause(tp)
                    stamp = records[0].timestamp
                    oldest_ms = stamp if oldest_ms is None else min(oldest_ms, stamp)
        if oldest_ms is None:
            return 0.0
        return max(0.0, time.time() - oldest_ms / 1000)
