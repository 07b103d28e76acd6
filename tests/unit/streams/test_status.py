"""Per-item delivery status: stored form, and what the sender reads of it."""

from __future__ import annotations

import orjson

from feeds.item import FeedItem, ItemVersion
from streams.status import NEVER, ItemState, ItemStatus


def item(name: str, source: int) -> FeedItem:
    return FeedItem("products", "p1", {"sku": "p1", "name": name}, ItemVersion(source))


def test_a_status_survives_its_stored_form() -> None:
    delivered = ItemStatus.answered(ItemState.DELIVERED, item("a", 1), request_id="r1")
    stored = orjson.loads(orjson.dumps(delivered.to_json()))
    assert ItemStatus.from_json(stored) == delivered
    assert "http_status" not in stored  # nothing stored for what is not known


def test_a_status_of_nothing_answered_yet_survives_its_stored_form() -> None:
    waiting = NEVER.waiting(ItemState.WILL_RETRY, item("b", 2), http_status=503)
    stored = orjson.loads(orjson.dumps(waiting.to_json()))
    assert "hash" not in stored
    assert ItemStatus.from_json(stored) == waiting


def test_the_older_pair_form_reads_as_delivered() -> None:
    status = ItemStatus.from_json(["abc", ItemVersion(5).text])
    assert status is not None
    assert status.state is ItemState.DELIVERED
    assert status.last_answered() == ("abc", ItemVersion(5))
    assert ItemStatus.from_json(None) is None


def test_a_will_retry_keeps_what_the_endpoint_holds_and_names_what_waits() -> None:
    before = ItemStatus.answered(ItemState.DELIVERED, item("a", 1))
    waiting = before.waiting(ItemState.WILL_RETRY, item("b", 2), http_status=503, attempts=4)
    assert waiting.last_answered() == before.last_answered()  # so "b" is still sent
    assert waiting.pending_version == ItemVersion(2).text
    assert waiting.http_status == 503
    assert NEVER.waiting(ItemState.PAUSED, item("b", 2)).last_answered() is None


def test_needs_attention_is_an_answer_so_the_content_is_not_resent() -> None:
    refused = ItemStatus.answered(ItemState.NEEDS_ATTENTION, item("bad", 3), http_status=400)
    assert refused.last_answered() == (item("bad", 3).hash, ItemVersion(3))
