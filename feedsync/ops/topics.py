"""Reading feedsync's topics from the command line (kafka-python, no consumer group).

A read takes every partition from the beginning (or from given offsets) up to the end
offsets it found when it started, so it ends even while the workers keep writing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from feedsync.errors import ConfigError, TransientError

__all__ = ["Offsets", "consumer", "end_offsets", "existing_topics", "producer", "read"]

Offsets = dict[TopicPartition, int]
POLL_MS = 500


@contextmanager
def consumer(bootstrap: str) -> Iterator[KafkaConsumer]:
    try:
        reader = KafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            group_id=None,
            consumer_timeout_ms=POLL_MS,
        )
    except KafkaError as exc:
        raise _unreachable(bootstrap, exc) from exc
    try:
        yield reader
    finally:
        reader.close()


@contextmanager
def producer(bootstrap: str) -> Iterator[KafkaProducer]:
    writer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    try:
        yield writer
        writer.flush()
    finally:
        writer.close()


def existing_topics(reader: KafkaConsumer) -> set[str]:
    """The topics that exist, listed by an admin client: ``KafkaConsumer.topics()`` waits
    for metadata without a deadline (kafka-python 3.0), and was seen to hang."""
    bootstrap = reader.config["bootstrap_servers"]
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    except KafkaError as exc:
        raise _unreachable(bootstrap, exc) from exc
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


def _unreachable(bootstrap: str, error: KafkaError) -> TransientError:
    return TransientError(
        f"cannot reach Kafka at {bootstrap}: {error}",
        hint="start the stack (feedsync stack up) or set FEEDSYNC_KAFKA__BOOTSTRAP_SERVERS",
    )


def partitions_of(reader: KafkaConsumer, topic: str) -> list[TopicPartition]:
    found = reader.partitions_for_topic(topic)
    if not found:
        raise ConfigError(
            f"topic {topic} does not exist",
            hint="check FEEDSYNC_STREAMS__APP_ID and the feed's name; a worker creates its "
            "topics when it starts",
        )
    return [TopicPartition(topic, p) for p in sorted(found)]


def end_offsets(reader: KafkaConsumer, topic: str) -> Offsets:
    return dict(reader.end_offsets(partitions_of(reader, topic)))


def read(
    reader: KafkaConsumer,
    topic: str,
    *,
    start: Mapping[TopicPartition, int] | None = None,
    timeout_s: float = 300,
) -> Iterator[Any]:
    """Every record of ``topic`` from ``start`` (the beginning) to the end offsets as they
    were when the read began."""
    ends = end_offsets(reader, topic)
    pending = {tp: end for tp, end in ends.items() if end > (start or {}).get(tp, 0)}
    if not pending:
        return
    reader.assign(list(pending))
    for tp in pending:
        if start and tp in start:
            reader.seek(tp, start[tp])
        else:  # the log may start past 0 (compaction, deleted records)
            reader.seek_to_beginning(tp)
    deadline = time.monotonic() + timeout_s
    while pending:
        if time.monotonic() > deadline:
            raise TransientError(f"reading {topic} did not reach its end in {timeout_s:.0f}s")
        for tp, records in reader.poll(timeout_ms=POLL_MS).items():
            for record in records:
                if record.offset < pending.get(tp, 0):
                    yield record
        for tp in list(pending):  # done ones too that returned nothing (an emptied log)
            if reader.position(tp) >= ends[tp]:
                pending.pop(tp)
