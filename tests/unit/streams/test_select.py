from __future__ import annotations

from feeds.item import FeedItem
from streams.deliver.select import chunks_by_bytes, select_for_delivery


def item(ident: str, version: int, name: str) -> FeedItem:
    return FeedItem("products", ident, {"name": name}, version=version)


def test_newest_version_per_id_wins_and_later_wins_a_tie() -> None:
    batch = [item("a", 2, "x"), item("a", 1, "older"), item("b", 1, "y"), item("b", 1, "z")]
    chosen = {i.id: i.payload["name"] for i in select_for_delivery(batch, lambda _id: None)}
    assert chosen == {"a": "x", "b": "z"}


def test_unchanged_hash_and_older_versions_are_dropped() -> None:
    sent = item("a", 5, "same")
    delivered = {"a": (sent.hash, 5), "b": ("other-hash", 9)}
    batch = [item("a", 6, "same"), item("b", 3, "stale")]
    assert select_for_delivery(batch, delivered.get) == []


def test_replay_never_overwrites_an_equal_version() -> None:
    delivered = {"a": ("h", 4)}
    assert select_for_delivery([item("a", 4, "new")], delivered.get) != []
    assert select_for_delivery([item("a", 4, "new")], delivered.get, replay=True) == []


def test_chunks_respect_the_byte_limit_but_never_drop_an_item() -> None:
    batch = [item(str(i), 1, "x" * 100) for i in range(10)]
    chunks = list(chunks_by_bytes(batch, 400))
    assert sum(len(c) for c in chunks) == 10
    assert all(len(c) <= 3 for c in chunks)
    assert [len(c) for c in chunks_by_bytes([item("big", 1, "y" * 5000)], 400)] == [1]
