"""The per-item delivery status the workers keep (streams/status.py), read from the
changelog topics of their two status tables."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
from kafka import KafkaConsumer, TopicPartition

from feeds.item import ItemVersion
from feedsync.ops.topics import Offsets, end_offsets, existing_topics, read
from feedsync.settings import Settings
from streams.status import ItemStatus

__all__ = [
    "StatusWatch",
    "decode_status",
    "newer",
    "read_all_statuses",
    "read_statuses",
    "status_topics",
]


def status_topics(settings: Settings) -> tuple[str, str]:
    """The changelogs of ``feedsync-delivered`` (live) and ``feedsync-redelivered``."""
    app_id = settings.streams.app_id
    return (
        f"{app_id}-feedsync-delivered-changelog",
        f"{app_id}-feedsync-redelivered-changelog",
    )


def newer(a: ItemStatus | None, b: ItemStatus) -> ItemStatus:
    """The status that says more recent things of an item: the later answered version,
    then the later time."""
    if a is None:
        return b

    def rank(status: ItemStatus) -> tuple[ItemVersion, float]:
        version = status.version or status.pending_version
        return (ItemVersion.parse(version) if version else ItemVersion(0), status.at)

    return b if rank(b) >= rank(a) else a


def _decode(record: object, prefix: str) -> tuple[str, ItemStatus] | None:
    key = orjson.loads(record.key) if record.key else None  # type: ignore[attr-defined]
    if not isinstance(key, str) or not key.startswith(prefix):
        return None
    value = orjson.loads(record.value) if record.value else None  # type: ignore[attr-defined]
    status = ItemStatus.from_json(value)
    return (key[len(prefix) :], status) if status else None


def decode_status(record: object) -> tuple[str, ItemStatus] | None:
    """A status changelog record as ``("<feed>:<item id>", status)``; None if it is none."""
    return _decode(record, "")


def read_statuses(reader: KafkaConsumer, settings: Settings, feed: str) -> dict[str, ItemStatus]:
    """Every item's latest status of one feed: item id -> status."""
    return read_all_statuses(reader, settings, {feed}).get(feed, {})


def read_all_statuses(
    reader: KafkaConsumer, settings: Settings, feeds: set[str]
) -> dict[str, dict[str, ItemStatus]]:
    """The latest status of every item of ``feeds``: feed -> item id -> status. One read
    of the status topics, whatever the number of feeds (they hold every feed's)."""
    statuses: dict[str, dict[str, ItemStatus]] = {feed: {} for feed in feeds}
    existing = existing_topics(reader)
    for topic in status_topics(settings):
        if topic not in existing:
            continue  # no worker wrote a status there yet
        for record in read(reader, topic):
            decoded = _decode(record, "")
            if decoded is None:
                continue
            key, status = decoded
            feed, _, item_id = key.partition(":")
            of_feed = statuses.get(feed)
            if of_feed is not None:
                of_feed[item_id] = newer(of_feed.get(item_id), status)
    return statuses


class StatusWatch:
    """New status records, from the moment the watch was made: ``"<feed>:<item id>"``
    and the status."""

    def __init__(self, reader: KafkaConsumer, settings: Settings) -> None:
        self.reader = reader
        self.topics = status_topics(settings)
        self.existing = existing_topics(reader)
        self.offsets: dict[str, Offsets] = {
            t: end_offsets(reader, t) if t in self.existing else {} for t in self.topics
        }

    def poll(self) -> Iterator[tuple[str, ItemStatus]]:
        """The status records written since the last poll."""
        if not self.existing.issuperset(self.topics):  # listed again only until all exist
            self.existing = existing_topics(self.reader)
        for topic in self.topics:
            if topic not in self.existing:
                continue
            start = self.offsets[topic]
            for record in read(self.reader, topic, start=start):
                start[TopicPartition(record.topic, record.partition)] = record.offset + 1
                decoded = _decode(record, "")
                if decoded:
                    yield decoded
