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
from typing import Any, ClassVar

import orjson

__all__ = ["FeedItem", "ItemVersion", "canonical_json", "item_hash", "item_id"]

# Left out of the content hash: the build time only. ``updatedAt`` is the entity's own
# ``updated_at`` column, content like any other: a save that changes nothing else still
# changes it at the source, and an endpoint that kept the old value would be stale.
VOLATILE_FIELDS = frozenset({"modifiedAt"})
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


@dataclass(frozen=True, slots=True, order=True)
class ItemVersion:
    """Which version of an item is newer: a clock of four parts, compared in order.

    - ``source``: the binlog position (``SourcePosition.version``) of the newest of the
      entity's *own* rows folded into the item's builder; for a deleted entity's items,
      the delete's. Binlog positions are the source database's total order, so two
      entities that build the same item id (a product deleted and re-created under its
      SKU) are ordered by what happened last to each of them in the database, not by when
      a worker got to them.
    - ``reference``: the newest position among what else the item was built from: the
      reference changes (an option label, a customer group) the worker had applied, and
      the changes other entities forwarded to the builder (a parent's name, an order's
      invoice). Second, not first: the source tables arrive on separate topics, so a
      peer's change made after an entity was deleted can reach it before its delete does;
      were it first, that entity's deletions would outrank the items of the entity that
      re-created the SKU meanwhile. A rebuild after a reference change, or after a
      peer's change, is still newer than the build before it.
    - ``clock``: for items that change with time alone (a special-price window), the
      epoch second of the last boundary the build has passed; 0 otherwise.
    - ``build``: how many times the entity has built items (``EntityRecord.builds``). Last,
      a tie-breaker only: the first three parts can be equal for two builds with other
      content, since every snapshot read carries the snapshot's one binlog position (a
      product built before its SKU's stock arrives from another table's snapshot, and
      built again after it). The later build folded in more, so it is the newer.

    On the wire and in records it is ``text``: the four parts as fixed-width decimals
    joined by dots, so that comparing two versions as strings orders them correctly.
    """

    source: int
    reference: int = 0
    clock: int = 0
    build: int = 0

    WIDTHS: ClassVar[tuple[int, int, int, int]] = (20, 20, 12, 10)

    @property
    def text(self) -> str:
        return ".".join(
            f"{part:0{width}d}"
            for part, width in zip(
                (self.source, self.reference, self.clock, self.build), self.WIDTHS, strict=True
            )
        )

    @classmethod
    def parse(cls, value: str | int) -> ItemVersion:
        """A version from its text (or from the three-part texts and plain integers that
        records once carried: their build is 0)."""
        if isinstance(value, int):
            return cls(value)
        parts = [int(part) for part in value.split(".")]
        return cls(*parts)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of one feed, in its current state.

    ``version`` orders the versions of one item (``ItemVersion``). Delivery never sends
    a lower version after a higher one for the same id.
    """

    feed: str
    id: str
    payload: Payload
    version: ItemVersion
    hash: str = field(default="")
    # When the source change that made this version was committed (the binlog event's time,
    # epoch ms; one-second resolution), 0 when no single change did (a rebuild after a
    # reference change, a snapshot). For the commit-to-ack latency, never for ordering.
    source_ms: int = 0

    def __post_init__(self) -> None:
        if not self.hash:
            object.__setattr__(self, "hash", item_hash(self.payload))

    @property
    def deleted(self) -> bool:
        return bool(self.payload.get("deleted"))

    def to_record(self) -> bytes:
        """The value written to ``feedsync.items.<feed>``."""
        record: dict[str, Any] = {
            "feed": self.feed,
            "id": self.id,
            "version": self.version.text,
            "hash": self.hash,
            "payload": self.payload,
        }
        if self.source_ms:
            record["source_ms"] = self.source_ms
        return orjson.dumps(record)

    @classmethod
    def from_record(cls, value: bytes) -> FeedItem:
        data = orjson.loads(value)
        return cls(
            feed=data["feed"],
            id=data["id"],
            payload=data["payload"],
            version=ItemVersion.parse(data["version"]),
            hash=data["hash"],
            source_ms=int(data.get("source_ms", 0)),
        )
