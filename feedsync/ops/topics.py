"""Reading feedsync's topics from the command line (kafka-python, no consumer group).

A read takes every partition from the beginning (or from given offsets) up to the end
offsets it found when it started, so it ends even while the workers keep writing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from feedsync.brokers import connected
from feedsync.errors import ConfigError, TransientError
from feedsync.settings import KafkaSettings

__all__ = [
    "Offsets",
    "consumer",
    "end_offsets",
    "existing_topics",
    "producer",
    "read",
]

Offsets = dict[TopicPartition, int]
POLL_MS = 500


def consumer(kafka: KafkaSettings) -> AbstractContextManager[KafkaConsumer]:
    return connected(
        kafka, KafkaConsumer, enable_auto_commit=False, group_id=None, consumer_timeout_ms=POLL_MS
    )


@contextmanager
def producer(kafka: KafkaSettings) -> Iterator[KafkaProducer]:
    with connected(kafka, KafkaProducer, acks="all", linger_ms=20) as writer:
        yield writer
        writer.flush()


def existing_topics(reader: KafkaConsumer) -> set[str]:
    """The topics that exist, listed by an admin client that connects as ``reader`` does:
    ``KafkaConsumer.topics()`` waits for metadata without a deadline (kafka-python 3.0),
    and was seen to hang."""
    connection = {key: reader.config[key] for key in _CONNECTION_KEYS}
    try:
        admin = KafkaAdminClient(**connection)
    except KafkaError as exc:
        raise TransientError(
            f"cannot reach Kafka at {connection['bootstrap_servers']}: {exc}"
        ) from exc
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


# What client_options sets: how a client connects, which an admin client can copy.
_CONNECTION_KEYS = (
    "bootstrap_servers",
    "security_protocol",
    "ssl_context",
    "sasl_mechanism",
    "sasl_plain_username",
    "sasl_plain_password",
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
