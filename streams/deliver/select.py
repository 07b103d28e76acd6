"""Which items of a batch to send: the newest per id, minus what the endpoint already has."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import orjson

from feeds.item import FeedItem, ItemVersion

__all__ = ["Delivered", "Selection", "chunks_by_bytes", "select_for_delivery"]

Delivered = Callable[[str], tuple[str, ItemVersion] | None]  # id -> (hash, version) last sent


@dataclass(frozen=True)
class Selection:
    """A batch sorted for delivery: what to send, and what the endpoint already has."""

    send: list[FeedItem]
    unchanged: list[FeedItem]  # same content as delivered, at this version or a newer one


def select_for_delivery(
    items: Sequence[FeedItem], delivered: Delivered, *, force: bool = False
) -> Selection:
    """Keep the newest version of each id, then sort out what needs no sending.

    Not sent: an item older than the last version delivered (a newer one already went
    out), and an item whose content equals the last one delivered (``unchanged``: the
    caller records its version, so that an older version arriving later is not sent over
    it). Anything else is sent, a newer version with other content, and an equal version
    with other content too: it cannot be older, and sending it never loses the newer.
    Live batches and re-drives follow the same rule. ``force`` (an operator's resync)
    sends unchanged items too; never an older one.
    """
    newest: dict[str, FeedItem] = {}
    for item in items:  # in topic order, so a later record of equal version wins
        held = newest.get(item.id)
        if held is None or item.version >= held.version:
            newest[item.id] = item
    send: list[FeedItem] = []
    unchanged: list[FeedItem] = []
    for item in newest.values():
        last = delivered(item.id)
        if last is None:
            send.append(item)
            continue
        last_hash, last_version = last
        if item.version < last_version:
            continue
        (unchanged if item.hash == last_hash and not force else send).append(item)
    return Selection(send, unchanged)


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
