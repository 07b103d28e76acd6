"""Which items of a batch are sent, against what was delivered before."""

from __future__ import annotations

from feeds.item import FeedItem, ItemVersion
from streams.deliver.select import chunks_by_bytes, select_for_delivery


def item(ident: str, version: int, name: str, reference: int = 0) -> FeedItem:
    return FeedItem("products", ident, {"name": name}, version=ItemVersion(version, reference))


def names(items: list[FeedItem]) -> dict[str, str]:
    return {i.id: i.payload["name"] for i in items}


def test_newest_version_per_id_wins_and_later_wins_a_tie() -> None:
    batch = [item("a", 2, "x"), item("a", 1, "older"), item("b", 1, "y"), item("b", 1, "z")]
    assert names(select_for_delivery(batch, lambda _id: None).send) == {"a": "x", "b": "z"}


def test_older_versions_are_dropped_and_unchanged_ones_recorded() -> None:
    sent = item("a", 5, "same")
    delivered = {"a": (sent.hash, ItemVersion(5)), "b": ("other-hash", ItemVersion(9))}
    selection = select_for_delivery([item("a", 6, "same"), item("b", 3, "stale")], delivered.get)
    assert selection.send == []
    # "a" at 6 has the content delivered at 5: not sent, but 6 is what the endpoint now has.
    assert [(i.id, i.version) for i in selection.unchanged] == [("a", ItemVersion(6))]


def test_newer_content_at_an_equal_or_newer_version_is_always_sent() -> None:
    """Live batches and re-drives alike: an equal version with other content cannot be
    older, and a rebuild after a reference change is newer by its reference part."""
    delivered = {"a": ("h", ItemVersion(4, 7))}
    assert names(select_for_delivery([item("a", 4, "n", reference=7)], delivered.get).send)
    assert names(select_for_delivery([item("a", 4, "n", reference=9)], delivered.get).send)
    assert not select_for_delivery([item("a", 4, "n", reference=6)], delivered.get).send


def test_a_change_and_its_revert_are_three_versions() -> None:
    """A → B → A: the revert is sent, though the endpoint saw its content before."""
    a1 = item("x", 1, "in stock")
    delivered = {"x": (item("x", 2, "out of stock").hash, ItemVersion(2))}
    a3 = item("x", 3, "in stock")
    assert a1.hash == a3.hash
    assert select_for_delivery([a3], delivered.get).send == [a3]


def test_chunks_respect_the_byte_limit_but_never_drop_an_item() -> None:
    batch = [item(str(i), 1, "x" * 100) for i in range(10)]
    chunks = list(chunks_by_bytes(batch, 400))
    assert sum(len(c) for c in chunks) == 10
    assert all(len(c) <= 3 for c in chunks)
    assert [len(c) for c in chunks_by_bytes([item("big", 1, "y" * 5000)], 400)] == [1]
