"""Items leave the projection stage here: one record per item on its feed's items topic."""

from __future__ import annotations

import time
from typing import Any

from feeds.engine import Emit
from feeds.item import FeedItem
from streams.topology import Topology

__all__ = ["item_record"]


def item_record(topology: Topology, emit: Emit) -> tuple[Any, bytes, bytes]:
    """``(topic, key, value)`` of an emitted item, stamped with ``modifiedAt``."""
    stamped = {**emit.payload, "modifiedAt": _now_rfc3339()}
    item = FeedItem(
        feed=emit.feed.name,
        id=emit.item_id,
        payload=stamped,
        version=emit.version,
        source_ms=emit.source_ms,
    )
    return topology.items[emit.feed.name], emit.item_id.encode(), item.to_record()


def _now_rfc3339() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
