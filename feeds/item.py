"""Feed items: what feedsync delivers, with a stable id and a content hash.

An item's id is the sha1 of its identity fields (e.g. ``sku`` + ``storeViewCode`` for
products), so the same entity in the same scope always lands on the same key of the
compacted ``feedsync.items.<feed>`` topic. Its hash is the sha1 of its canonical JSON
without ``modifiedAt``/``updatedAt``, so a rebuild that changes nothing is not resent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["FeedItem", "canonical_json", "item_hash", "item_id"]

VOLATILE_FIELDS = frozenset({"modifiedAt", "updatedAt"})
Payload = dict[str, Any]


def canonical_json(value: Any) -> bytes:
    """JSON with sorted keys and no whitespace: equal data gives equal bytes."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def item_id(identity: Sequence[Any]) -> str:
    """The sha1 of the identity values, as a JSON array (so 'a'+'bc' ≠ 'ab'+'c')."""
    return hashlib.sha1(canonical_json(list(identity)), usedforsecurity=False).hexdigest()


def item_hash(payload: Mapping[str, Any]) -> str:
    """The sha1 of the payload's canonical JSON, leaving out the volatile timestamps."""
    stable = {k: v for k, v in payload.items() if k not in VOLATILE_FIELDS}
    return hashlib.sha1(canonical_json(stable), usedforsecurity=False).hexdigest()


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of one feed, in its current state.

    ``version`` orders the versions of one item: the binlog position of the newest
    change the item was built from. Delivery never sends a lower version after a
    higher one for the same id.
    """

    feed: str
    id: str
    payload: Payload
    version: int
    hash: str = field(default="")

    def __post_init__(self) -> None:
        if not self.hash:
            object.__setattr__(self, "hash", item_hash(self.payload))

    @property
    def deleted(self) -> bool:
        return bool(self.payload.get("deleted"))

    def to_record(self) -> bytes:
        """The value written to ``feedsync.items.<feed>``."""
        return orjson.dumps(
            {
                "feed": self.feed,
                "id": self.id,
                "version": self.version,
                "hash": self.hash,
                "payload": self.payload,
            }
        )

    @classmethod
    def from_record(cls, value: bytes) -> FeedItem:
        data = orjson.loads(value)
        return cls(
            feed=data["feed"],
            id=data["id"],
            payload=data["payload"],
            version=int(data["version"]),
            hash=data["hash"],
        )
