"""A feed, declared once: its name, identity fields, removability and delivery defaults.

The machinery (decode, re-key, state, delivery) is shared; a feed contributes only
this declaration and a projector that turns state into item payloads. The source tables
a feed reads are derived from its projector and the reference kinds it is rebuilt on
(``feeds.registry.source_tables``), never listed by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from feeds.item import item_hash, item_id

__all__ = ["Feed", "Held", "Identity", "changed_items", "deleted_payload"]

Identity = list[Any]
Held = list[Any]  # [identity, hash] of an item last emitted


@dataclass(frozen=True)
class Feed:
    """``identity``: the payload fields whose values name an item (its id is their sha1).
    ``removable``: false for feeds whose items are never sent as deleted (orders, as
    Adobe's ``entitiesRemovable`` is false for them). ``batch_count``: the feed's default
    batch size, which ``FEEDSYNC_DELIVERY__*__BATCH_COUNT`` overrides."""

    name: str
    identity: tuple[str, ...]
    removable: bool = True
    batch_count: int = 100

    def identity_of(self, payload: Mapping[str, Any]) -> Identity:
        return [payload[field] for field in self.identity]

    def id_of(self, payload: Mapping[str, Any]) -> str:
        return item_id(self.identity_of(payload))

    def items_topic(self, namespace: str = "feedsync") -> str:
        """``<namespace>.items.<feed>``; the namespace is the app id, ``feedsync`` by default."""
        return f"{namespace}.items.{self.name}"


def deleted_payload(feed: Feed, identity: Sequence[Any]) -> dict[str, Any]:
    """The minimal payload of a deleted item: its identity fields and ``deleted``."""
    return {**dict(zip(feed.identity, identity, strict=True)), "deleted": True}


def changed_items(
    feed: Feed, previous: Mapping[str, Held], payloads: Sequence[dict[str, Any]]
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Held]]:
    """What changed since the last emit: new items, items whose hash differs from the one
    held, and every id held but no longer built, as deleted; with the ``[identity, hash]``
    now held per id.

    A rebuild of every entity (after a reference change) then writes only the items it
    really changed to the items topic, instead of every item of the catalog.
    """
    emit: list[tuple[str, dict[str, Any]]] = []
    held: dict[str, Held] = {}
    # Two payloads of one identity (two categories given the same url_path): the last
    # built is the item, as the receiver would end up holding it had both been sent.
    # Compared one by one, the first would be sent for differing from what is held (the
    # last's), and the last held back for equalling it: the receiver kept the first.
    latest = {feed.id_of(payload): payload for payload in payloads}
    for item_id_, payload in latest.items():
        digest = item_hash(payload)
        held[item_id_] = [feed.identity_of(payload), digest]
        last = previous.get(item_id_)
        if last is None or last[1] != digest:
            emit.append((item_id_, payload))
    emit += [
        (gone, deleted_payload(feed, identity))
        for gone, (identity, _) in previous.items()
        if gone not in held
    ]
    return emit, held
