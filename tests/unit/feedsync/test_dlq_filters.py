"""Which dead letters an operator's filters pick, and when a letter's item counts as sent."""

from __future__ import annotations

import pytest

from feeds.item import FeedItem, ItemVersion
from feedsync.errors import ConfigError, ErrorClass
from feedsync.ops.dlq import LetterFilter, item_answered, parse_time
from streams.letters import DeadLetter, DeadLetterStatus, Stage
from streams.status import ItemState, ItemStatus


def item(source: int, name: str = "x") -> FeedItem:
    return FeedItem("products", "p1", {"sku": "SKU-1", "name": name}, ItemVersion(source))


def letter(status: DeadLetterStatus, last_failure: float) -> DeadLetter:
    return DeadLetter(
        feed="products",
        stage=Stage.DELIVER,
        status=status,
        error_class=ErrorClass.TERMINAL,
        error="EndpointRejected",
        message="400",
        first_failure=last_failure,
        last_failure=last_failure,
        items=(item(1),),
    )


def test_filters_pick_by_status_time_and_id_or_sku() -> None:
    refused = letter(DeadLetterStatus.NEEDS_ATTENTION, 100.0)
    assert LetterFilter().matches(refused)
    assert LetterFilter(status=DeadLetterStatus.NEEDS_ATTENTION).matches(refused)
    assert not LetterFilter(status=DeadLetterStatus.WILL_RETRY).matches(refused)
    assert LetterFilter(since=100.0, until=100.0).matches(refused)
    assert not LetterFilter(since=100.5).matches(refused)
    assert not LetterFilter(until=99.0).matches(refused)
    assert LetterFilter(ids=frozenset({"SKU-1"})).matches(refused)
    assert LetterFilter(ids=frozenset({"p1"})).matches(refused)
    assert not LetterFilter(ids=frozenset({"SKU-2"})).matches(refused)


def test_an_item_counts_as_sent_once_this_version_went_or_something_newer_was_answered() -> None:
    parked = item(5)
    assert not item_answered(None, parked)
    refused_same = ItemStatus.answered(ItemState.NEEDS_ATTENTION, parked)
    assert not item_answered(refused_same, parked)  # the refusal itself: still open
    assert item_answered(ItemStatus.answered(ItemState.DELIVERED, parked), parked)
    newer_refused = ItemStatus.answered(ItemState.NEEDS_ATTENTION, item(6, "y"))
    assert item_answered(newer_refused, parked)  # superseded: its own letter says so
    waiting = ItemStatus.answered(ItemState.DELIVERED, item(4)).waiting(
        ItemState.WILL_RETRY, parked
    )
    assert not item_answered(waiting, parked)


def test_times_are_iso_or_epoch_and_anything_else_is_named() -> None:
    assert parse_time("1767225600") == 1767225600.0
    assert parse_time("2026-01-01T00:00:00+00:00") == 1767225600.0
    assert parse_time(None) is None
    with pytest.raises(ConfigError, match="'yesterday' is not a time"):
        parse_time("yesterday")
