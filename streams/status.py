"""Per-item delivery status: what the endpoint last got of an item, and how that went.

The delivery stage keeps one status per feed and item id in the ``feedsync-delivered``
table (and ``feedsync-redelivered`` for re-driven dead letters), whose changelog topics
are compacted: they survive restarts, follow partitions from worker to worker, and are
what ``feedsync resync`` and ``feedsync dlq`` read. The sender reads ``hash`` and
``version`` of it to decide what needs no sending (streams/deliver/select.py); the other
fields are for people.

``hash``/``version`` describe the content the endpoint answered for last: delivered (or
found unchanged), or refused for good (*needs attention*: not resent until the item
changes). A *will retry* or *paused* status keeps the ``hash``/``version`` of the status
before it, because the endpoint does not hold the new content yet.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from feeds.item import FeedItem, ItemVersion

__all__ = ["NEVER", "ItemState", "ItemStatus", "status_key"]


class ItemState(StrEnum):
    DELIVERED = "delivered"  # the endpoint answered 2xx for this content
    UNCHANGED = "unchanged"  # built again with the content the endpoint already holds
    WILL_RETRY = "will_retry"  # a transient failure: a dead letter waits for the re-drive
    NEEDS_ATTENTION = "needs_attention"  # refused for good: waits for a change or a replay
    PAUSED = "paused"  # the feed's credentials were refused: the batch waits in Kafka


def status_key(feed: str, item_id: str) -> str:
    return f"{feed}:{item_id}"


@dataclass(frozen=True)
class ItemStatus:
    state: ItemState
    hash: str | None  # the content the endpoint answered for last (see the docstring)
    version: str | None  # its ItemVersion, as text
    at: float  # epoch seconds of this status
    attempts: int = 0  # requests this content took (failed ones included)
    pending_version: str | None = None  # will retry / paused: the version still to go
    request_id: str | None = None
    http_status: int | None = None
    error_class: str | None = None
    error: str | None = None  # the error's type, e.g. EndpointUnavailable
    message: str | None = None

    def last_answered(self) -> tuple[str, ItemVersion] | None:
        """(hash, version) of the content the endpoint answered for, if any."""
        if self.hash is None or self.version is None:
            return None
        return self.hash, ItemVersion.parse(self.version)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, raw: Any) -> ItemStatus | None:
        """A stored status; None for nothing stored. Reads the older ``[hash, version]``
        form too (delivered, time unknown)."""
        if not raw:
            return None
        if isinstance(raw, list):
            return cls(ItemState.DELIVERED, str(raw[0]), str(raw[1]), at=0.0)
        fields = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        fields["state"] = ItemState(fields["state"])
        # to_json leaves out what is None: no content answered yet, for one
        return cls(**{"hash": None, "version": None, "at": 0.0, **fields})

    @classmethod
    def answered(cls, state: ItemState, item: FeedItem, **details: Any) -> ItemStatus:
        """The status of content the endpoint answered for: delivered, unchanged, or
        refused for good. ``details``: attempts, request_id, http_status, error_class,
        error, message."""
        return cls(state, item.hash, item.version.text, time.time(), **details)

    def waiting(self, state: ItemState, item: FeedItem, **details: Any) -> ItemStatus:
        """This status, now waiting to send ``item`` (will retry, paused)."""
        cleared = dict.fromkeys(("request_id", "http_status", "error_class", "error", "message"))
        return replace(
            self,
            **{**cleared, "attempts": 0, **details},
            state=state,
            at=time.time(),
            pending_version=item.version.text,
        )


NEVER = ItemStatus(ItemState.WILL_RETRY, None, None, at=0.0)  # no content answered yet
