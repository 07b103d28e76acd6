"""Re-drive *will retry* dead letters on a schedule, like the replaced exporter's
failed-items cron job, but per feed and configurable (``streams.dlq_redrive_interval_s``).

The agent reads its feed's dead-letter topic in order. A *needs attention* record is left
where it is (it waits for the item to change, or for ``feedsync dlq replay``). A *will
retry* record waits until its last failure is an interval old, then its items are sent
again through the feed's sender with replay semantics: an item whose id has since been
delivered at a newer version, or at its own with the same content, is dropped, never sent
over the newer one. What
fails again becomes a new dead letter, its attempts counted on from the old one's, and
the old record is acknowledged; past ``FEEDSYNC_STREAMS__DLQ_GIVE_UP_ATTEMPTS`` it needs
attention instead. Each round tries once, so a re-drive holds the feed's sender for one
attempt at a time and live batches go between. A record that
is not a dead letter at all is logged and left in the topic, where it stays for an
operator to look at.

After each letter the agent writes the feed's report (streams/redrive_report.py): when it
last re-drove, how many items that answered, failed again or gave up, and the sums since
the worker started.

The re-drive knows the sender only through the ``Resender`` protocol, so the dead-letter
stage does not depend on the delivery stage's machinery.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, Protocol

import httpx

from feeds.item import FeedItem
from streams.guard import Failed, Guard, send_durably
from streams.letters import DeadLetter, DeadLetterStatus, Stage
from streams.redrive_report import RedriveCounts, RedriveReport
from streams.topology import Topology

__all__ = ["Resender", "carried_on", "make_redrive"]

log = logging.getLogger("feedsync.dlq")


class Resender(Protocol):
    """What the re-drive needs of a feed's sender."""

    @property
    def name(self) -> str: ...

    def client(self) -> httpx.AsyncClient: ...

    async def send(
        self,
        client: httpx.AsyncClient,
        items: Sequence[FeedItem],
        carriers: Mapping[str, Any],
        *,
        replay: bool = False,
    ) -> list[DeadLetter]: ...


def make_redrive(
    app: Any, sender: Resender, topology: Topology, interval_s: float, give_up_attempts: int
) -> Callable[[Any], Awaitable[None]]:
    """The agent body that re-drives one feed's dead letters."""
    guard = Guard(Stage.REDRIVE, topology.dlq[sender.name], feed=sender.name)
    report = RedriveReport(feed=sender.name, since=time.time())

    async def redrive(stream: Any) -> None:
        nonlocal report
        async with sender.client() as client:
            async for event in stream.noack().events():
                letter = guard.capture(partial(DeadLetter.from_record, event.value))
                if isinstance(letter, Exception):
                    log.error(
                        "feed %s: %s@%s is not a dead letter (%r); left in the topic",
                        sender.name,
                        event.message.topic,
                        event.message.offset,
                        letter,
                    )
                elif letter.status is DeadLetterStatus.WILL_RETRY and letter.items:
                    run = await _redrive_one(
                        client,
                        sender,
                        guard=guard,
                        event=event,
                        letter=letter,
                        interval_s=interval_s,
                        give_up_attempts=give_up_attempts,
                    )
                    report = report.after(run)
                    record = [(sender.name.encode(), report.to_record())]
                    await send_durably(topology.redrive_report, record)
                    await app.producer.flush()  # what the re-drive recorded, before the ack
                await stream.ack(event)

    return redrive


async def _redrive_one(
    client: httpx.AsyncClient,
    sender: Resender,
    *,
    guard: Guard,
    event: Any,
    letter: DeadLetter,
    interval_s: float,
    give_up_attempts: int,
) -> RedriveCounts:
    """Re-drive one letter once it is due; what became of its items."""
    wait = letter.last_failure + interval_s - time.time()
    if wait > 0:
        await asyncio.sleep(wait)
    items = list(letter.items)
    log.info(
        "feed %s: re-driving %d dead-lettered items (failed %d times)",
        sender.name,
        len(items),
        letter.attempts,
    )
    carriers = {item.id: event for item in items}
    letters = await guard.attempt_async(
        event, lambda: sender.send(client, items, carriers, replay=True), items=items
    )
    run = RedriveCounts(letters=1, items=len(items))
    if isinstance(letters, Failed):  # parked whole by the guard, as needing attention
        await guard.flush()
        return replace(run, gave_up=len(items))
    for again in map(partial(carried_on, letter, give_up_attempts=give_up_attempts), letters):
        guard.add(again)
        if again.status is DeadLetterStatus.WILL_RETRY:
            run = replace(run, failed_again=run.failed_again + len(again.items))
        else:
            run = replace(run, gave_up=run.gave_up + len(again.items))
    await guard.flush()
    return replace(run, answered=run.items - run.failed_again - run.gave_up)


def carried_on(old: DeadLetter, again: DeadLetter, give_up_attempts: int) -> DeadLetter:
    """The letter of items that failed again: its attempts and re-drives count on from the
    old one's and it keeps its first failure; once re-driven ``give_up_attempts`` times in
    vain (``FEEDSYNC_STREAMS__DLQ_GIVE_UP_ATTEMPTS``) a will-retry letter needs attention.

    The give-up counts re-drive rounds, not requests: a live batch may spend a dozen
    requests of its retry budget, and counting those would give up on the first re-drive.
    """
    attempts = old.attempts + again.attempts
    redrives = old.redrives + 1
    letter = replace(again, attempts=attempts, redrives=redrives, first_failure=old.first_failure)
    if letter.status is DeadLetterStatus.WILL_RETRY and redrives >= give_up_attempts:
        return replace(
            letter,
            status=DeadLetterStatus.NEEDS_ATTENTION,
            message=(
                f"gave up after {redrives} re-drives ({attempts} requests); last: {again.message}"
            ),
        )
    return letter
