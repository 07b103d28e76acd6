"""A will-retry letter that fails again counts on, and gives up in the end."""

from __future__ import annotations

from dataclasses import replace

from feeds.item import FeedItem, ItemVersion
from feedsync.errors import ErrorClass
from streams.dlq.redrive import carried_on
from streams.letters import DeadLetter, DeadLetterStatus, Stage

ITEM = FeedItem("products", "id-1", {"sku": "a"}, version=ItemVersion(3))
LETTER = DeadLetter(
    feed="products",
    stage=Stage.DELIVER,
    status=DeadLetterStatus.WILL_RETRY,
    error_class=ErrorClass.TRANSIENT,
    error="EndpointUnavailable",
    message="the endpoint is unavailable (HTTP 503)",
    first_failure=100.0,
    last_failure=200.0,
    attempts=8,
    items=(ITEM,),
)


def test_attempts_and_redrives_grow_and_the_first_failure_stays() -> None:
    again = replace(LETTER, stage=Stage.REDRIVE, attempts=1, first_failure=900.0)
    carried = carried_on(LETTER, again, give_up_attempts=100)
    assert (carried.attempts, carried.redrives, carried.first_failure) == (9, 1, 100.0)
    assert carried.status is DeadLetterStatus.WILL_RETRY


def test_the_give_up_counts_redrives_not_the_live_requests() -> None:
    again = replace(LETTER, stage=Stage.REDRIVE, attempts=1)
    once = carried_on(replace(LETTER, attempts=12), again, give_up_attempts=3)
    assert once.status is DeadLetterStatus.WILL_RETRY  # 13 requests, but one re-drive


def test_past_the_limit_a_will_retry_letter_needs_attention() -> None:
    again = replace(LETTER, stage=Stage.REDRIVE, attempts=1)
    carried = carried_on(replace(LETTER, redrives=99), again, give_up_attempts=100)
    assert carried.status is DeadLetterStatus.NEEDS_ATTENTION
    assert carried.message.startswith("gave up after 100 re-drives (9 requests)")
    assert carried.error_class is ErrorClass.TRANSIENT  # what failed, unchanged
