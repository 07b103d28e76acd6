"""feeds.feed.changed_items: what a reference feed's rebuild sends."""

from __future__ import annotations

from feeds.feed import Feed, changed_items
from feeds.item import item_hash

FEED = Feed("categories", identity=("urlPath", "storeViewCode"))
FIRST = {"urlPath": "bottoms", "storeViewCode": "default", "categoryId": "6"}
LAST = {"urlPath": "bottoms", "storeViewCode": "default", "categoryId": "46"}
ITEM = FEED.id_of(LAST)


def test_two_payloads_of_one_identity_the_last_is_the_item_and_sent_once() -> None:
    emit, held = changed_items(FEED, {}, [FIRST, LAST])
    assert emit == [(ITEM, LAST)]
    assert held == {ITEM: [["bottoms", "default"], item_hash(LAST)]}


def test_the_last_payload_of_an_identity_already_held_sends_nothing() -> None:
    # Compared one by one, the first differed from what was held and was sent, and the
    # last, equal to it, was held back: the receiver kept category 6 (fault suite).
    previous = {ITEM: [["bottoms", "default"], item_hash(LAST)]}
    emit, _held = changed_items(FEED, previous, [FIRST, LAST])
    assert emit == []


def test_an_identity_held_as_the_first_payload_gets_the_last() -> None:
    previous = {ITEM: [["bottoms", "default"], item_hash(FIRST)]}
    emit, _held = changed_items(FEED, previous, [FIRST, LAST])
    assert emit == [(ITEM, LAST)]


def test_an_identity_no_longer_built_is_sent_deleted() -> None:
    previous = {ITEM: [["bottoms", "default"], item_hash(LAST)]}
    emit, held = changed_items(FEED, previous, [])
    assert emit == [(ITEM, {"urlPath": "bottoms", "storeViewCode": "default", "deleted": True})]
    assert held == {}
