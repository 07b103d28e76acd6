"""A will-retry letter that fails again counts on, and gives up in the end."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from feeds.item import FeedItem, ItemVersion
from feedsync.errors import ErrorClass
from streams.dlq.redrive import _redrive_one, carried_on
from streams.guard import Guard
from streams.letters import DeadLetter, DeadLetterStatus, Stage
from streams.redrive_report import RedriveCounts, RedriveReport
from tests.unit.streams.test_guard import Event, Topic

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


# ---- what one re-drive reports ----------------------------------------------------------


class Sender:
    """A sender that answers with the letters it is given (the items that failed again)."""

    name = "products"

    def __init__(self, failing: list[DeadLetter]) -> None:
        self.failing = failing
        self.sent: list[list[FeedItem]] = []

    async def send(
        self, client: Any, items: Any, carriers: Any, *, replay: bool = False
    ) -> list[DeadLetter]:
        assert replay
        self.sent.append(list(items))
        return self.failing


def redrive_once(letter: DeadLetter, failing: list[DeadLetter], give_up: int) -> RedriveCounts:
    dlq = Topic()
    guard = Guard(Stage.REDRIVE, dlq, feed="products")
    due = replace(letter, last_failure=0.0)  # due at once: no wait
    return asyncio.run(
        _redrive_one(
            None,  # type: ignore[arg-type]  # the fake sender never uses the client
            Sender(failing),
            guard=guard,
            event=Event(),
            letter=due,
            interval_s=0.0,
            give_up_attempts=give_up,
        )
    )


OTHER = FeedItem("products", "id-2", {"sku": "b"}, version=ItemVersion(4))
TWO = replace(LETTER, items=(ITEM, OTHER))


def test_a_redrive_that_delivers_everything_counts_every_item_answered() -> None:
    assert redrive_once(TWO, [], give_up=10) == RedriveCounts(letters=1, items=2, answered=2)


def test_items_that_fail_again_are_counted_and_so_are_those_given_up() -> None:
    again = replace(LETTER, stage=Stage.REDRIVE, attempts=1, items=(OTHER,))
    assert redrive_once(TWO, [again], give_up=10) == RedriveCounts(1, 2, 1, 1, 0)
    last_round = replace(TWO, redrives=9)
    assert redrive_once(last_round, [again], give_up=10) == RedriveCounts(1, 2, 1, 0, 1)


def test_the_report_keeps_the_last_redrive_and_sums_since_the_start() -> None:
    report = RedriveReport(feed="products", since=1.0)
    report = report.after(RedriveCounts(1, 2, 1, 1, 0), at=5.0)
    report = report.after(RedriveCounts(1, 1, 1, 0, 0), at=9.0)
    assert (report.last_at, report.last) == (9.0, RedriveCounts(1, 1, 1, 0, 0))
    assert report.total == RedriveCounts(2, 3, 2, 1, 0)
    assert RedriveReport.from_record(report.to_record()) == report
