"""Reading Debezium topics in tests: from a known offset, until a condition, with a deadline."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from feedsync.brokers import client_options
from feedsync.settings import Settings


@dataclass(frozen=True)
class Record:
    offset: int
    raw_key: bytes | None
    raw: bytes | None  # None for a tombstone

    @cached_property
    def key(self) -> dict[str, Any] | None:
        return orjson.loads(self.raw_key) if self.raw_key else None

    @cached_property
    def value(self) -> dict[str, Any] | None:
        """The decoded value; None for a tombstone or for bytes that are not JSON (the
        pipeline tests produce such a record to a source topic on purpose)."""
        if not self.raw:
            return None
        try:
            decoded: dict[str, Any] = orjson.loads(self.raw)
        except orjson.JSONDecodeError:
            return None
        return decoded

    @property
    def op(self) -> str | None:
        """The envelope's op; None for a tombstone, "?" for a record that is not JSON."""
        if self.value is None:
            return "?" if self.raw else None
        return str(self.value.get("op"))


def end_offset(settings: Settings, topic: str) -> int:
    """The offset the next record of a single-partition topic will get (0 if none yet)."""
    consumer = KafkaConsumer(**client_options(settings.kafka))
    try:
        partition = TopicPartition(topic, 0)
        if topic not in consumer.topics():
            return 0
        return int(consumer.end_offsets([partition])[partition])
    finally:
        consumer.close()


def read_until(
    settings: Settings,
    topic: str,
    done: Callable[[list[Record]], bool],
    *,
    start: int = 0,
    timeout_s: float = 60.0,
) -> list[Record]:
    """Records of ``topic`` from ``start`` on, read until ``done(records)`` holds.

    Fails the test with what was seen when the deadline passes first.
    """
    consumer = KafkaConsumer(
        **client_options(settings.kafka),
        enable_auto_commit=False,
        consumer_timeout_ms=500,
    )
    partition = TopicPartition(topic, 0)
    records: list[Record] = []
    deadline = time.monotonic() + timeout_s
    try:
        assigned = False
        while True:
            if not assigned and topic in consumer.topics():
                consumer.assign([partition])
                consumer.seek(partition, start)
                assigned = True
            if assigned:
                for message in consumer.poll(timeout_ms=500, max_records=5000).get(partition, []):
                    records.append(
                        Record(offset=message.offset, raw_key=message.key, raw=message.value)
                    )
            if done(records):
                return records
            if time.monotonic() > deadline:
                shown = [(r.offset, r.op, r.key) for r in records[-10:]]
                raise AssertionError(
                    f"{topic}: condition not met within {timeout_s}s; "
                    f"{len(records)} records read from offset {start}, last: {shown}"
                )
            if not assigned:
                time.sleep(0.2)  # the topic does not exist yet: poll for its creation
    finally:
        consumer.close()


# A test app's id is "t" and ten hex digits (tests/integration/pipeline.py); its topics are
# "<id>-..." (faust's) and "<id>.<kind>..." (feedsync's), its consumer groups "<id>...".
TEST_APP = re.compile(r"^(t[0-9a-f]{10})(?:[-.]|$)")
IDLE = ("Empty", "Dead")


def drop_apps(settings: Settings, app_ids: Iterable[str] | None = None) -> int:
    """Delete the topics and consumer groups of finished test apps (``app_ids``; when None,
    every test app's whose consumer group has no live member) and return how many topics
    went; none with FEEDSYNC_TEST_KEEP_TOPICS set, to read them after the tests. A broker
    that keeps every test app's ~50 partitions for days restarts slowly (the R3 Kafka row
    outlasted its start timeout on 7,000 partitions)."""
    if os.environ.get("FEEDSYNC_TEST_KEEP_TOPICS"):
        return 0

    def app_of(name: str) -> str | None:
        match = TEST_APP.match(name)
        return match.group(1) if match else None

    admin = KafkaAdminClient(**client_options(settings.kafka))
    try:
        topics = {name: app_of(name) for name in admin.list_topics()}
        groups = {g["group_id"]: g for g in admin.list_groups()}
        if app_ids is None:
            live = {app_of(name) for name, g in groups.items() if g["group_state"] not in IDLE}
            wanted = {app for app in [*topics.values(), *map(app_of, groups)] if app} - live
        else:
            wanted = set(app_ids)
        doomed = [name for name, app in topics.items() if app in wanted]
        if doomed:
            admin.delete_topics(doomed, timeout_ms=60_000)
        doomed_groups = [name for name in groups if app_of(name) in wanted]
        if doomed_groups:
            admin.delete_groups(doomed_groups)  # errors (a group still with members) are returned
        for app in wanted:  # their workers' local state (streams/store.py)
            shutil.rmtree(settings.streams.data_dir / app, ignore_errors=True)
        return len(doomed)
    finally:
        admin.close()
