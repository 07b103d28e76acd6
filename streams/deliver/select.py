"""Which items of a batch to send: the newest per id, minus what the endpoint already has."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import orjson

from feeds.item import FeedItem

__all__ = ["Delivered", "chunks_by_bytes", "select_for_delivery"]

Delivered = Callable[[str], tuple[str, int] | None]  # item id -> (hash, version) last sent


def select_for_delivery(
    items: Sequence[FeedItem], delivered: Delivered, *, replay: bool = False
) -> list[FeedItem]:
    """Keep the newest version of each id, then drop what needs no sending.

    Dropped: an item whose hash equals the last one delivered (nothing changed), and an
    item older than the last one delivered (a newer version already went out). A replay
    also drops an item of the same version, since the live stream may have sent newer
    content at that version meanwhile.
    """
    newest: dict[str, FeedItem] = {}
    for item in items:  # in topic order, so a later record of equal version wins
        held = newest.get(item.id)
        if held is None or item.version >= held.version:
            newest[item.id] = item
    selected = []
    for item in newest.values():
        last = delivered(item.id)
        if last is not None:
            last_hash, last_version = last
            if item.hash == last_hash:
                continue
            if item.version < last_version or (replay and item.version == last_version):
                continue
        selected.append(item)
    return selected


def chunks_by_bytes(items: Sequence[FeedItem], limit: int) -> Iterator[list[FeedItem]]:
    """Consecutive runs of items whose JSON stays under ``limit`` bytes (one item at least)."""
    chunk: list[FeedItem] = []
    size = 2  # the array's brackets
    for item in items:
        item_size = len(orjson.dumps(item.payload)) + 60  # + itemId and separators
        if chunk and size + item_size > limit:
            yield chunk
            chunk, size = [], 2
        chunk.append(item)
        size += item_size
    if chunk:
        yield chunk
