"""Find items by id or SKU across feeds: the newest item built, its delivery status and the
status history the status changelogs still hold.

Reads Kafka only: each feed's compacted items topic (the newest record of an id wins) and
the two status changelogs. The history is what compaction has not removed yet: the
newest status of an item always, older ones until the log cleaner passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaConsumer

from feeds.feed import Feed
from feeds.item import FeedItem
from feeds.wire import to_wire
from feedsync.logs import redact
from feedsync.ops.statuses import decode_status, newer, status_topics
from feedsync.ops.topics import existing_topics, read
from feedsync.settings import Settings
from streams.status import ItemStatus

__all__ = ["FoundItem", "search_items"]

ID_FIELDS = ("sku", "productId", "categoryId", "orderId", "incrementId", "code")


@dataclass
class FoundItem:
    feed: str
    item: FeedItem
    status: ItemStatus | None = None
    history: list[ItemStatus] = field(default_factory=list)  # oldest first

    @property
    def delivered_as_built(self) -> bool:
        """Whether the endpoint answered for this very content (hash) at this version or later."""
        answered = self.status.last_answered() if self.status else None
        return answered is not None and answered[0] == self.item.hash

    def summary(self, *, unredacted: bool = False) -> dict[str, Any]:
        """The item as the endpoint receives it (cast to the exporter's types, feeds/wire.py),
        with its version, hash and statuses."""
        item = self.item
        payload = to_wire(self.feed, item.payload)
        return {
            "feed": self.feed,
            "id": item.id,
            "version": item.version.text,
            "hash": item.hash,
            "deleted": item.deleted,
            "payload": payload if unredacted else redact(payload),
            "delivered_as_built": self.delivered_as_built,
            "status": self.status.to_json() if self.status else None,
            "history": [status.to_json() for status in self.history],
        }


def search_items(
    reader: KafkaConsumer, settings: Settings, feeds: list[Feed], query: str
) -> list[FoundItem]:
    """Items of ``feeds`` whose id, or one of the usual id fields (SKU, product id, order
    id, ...), equals ``query``."""
    wanted = query.strip()
    if not wanted:
        return []
    found: dict[tuple[str, str], FoundItem] = {}
    existing = existing_topics(reader)
    for feed in feeds:
        topic = feed.items_topic(settings.streams.pipeline_id)
        if topic not in existing:
            continue
        for record in read(reader, topic):
            if record.value is None:
                continue
            item = FeedItem.from_record(record.value)
            if not _matches(item, wanted):
                continue
            held = found.get((feed.name, item.id))
            if held is None or item.version >= held.item.version:
                found[(feed.name, item.id)] = FoundItem(feed.name, item)
    if found:
        _attach_statuses(reader, settings, found, existing)
    return sorted(found.values(), key=lambda f: (f.feed, f.item.id))


def _matches(item: FeedItem, wanted: str) -> bool:
    if item.id == wanted:
        return True
    return any(str(item.payload.get(name)) == wanted for name in ID_FIELDS)


def _attach_statuses(
    reader: KafkaConsumer,
    settings: Settings,
    found: dict[tuple[str, str], FoundItem],
    existing: set[str],
) -> None:
    keys = {f"{feed}:{item_id}": key for key in found for feed, item_id in [key]}
    for topic in status_topics(settings):
        if topic not in existing:
            continue
        for record in read(reader, topic):
            decoded = decode_status(record)
            if decoded is None or decoded[0] not in keys:
                continue
            entry = found[keys[decoded[0]]]
            entry.history.append(decoded[1])
            entry.status = newer(entry.status, decoded[1])
    for entry in found.values():
        entry.history.sort(key=lambda status: status.at)
