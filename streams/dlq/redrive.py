"""Re-drive *will retry* dead letters on a schedule, like the replaced exporter's
failed-items cron job, but per feed and configurable (``streams.dlq_redrive_interval_s``).

The agent reads its feed's dead-letter topic in order. A *needs attention* record is left
where it is (it waits for the item to change, or for ``feedsync dlq replay``). A *will
retry* record waits until its last failure is an interval old, then its items are sent
again through the feed's sender with replay semantics: an item whose id has since been
delivered at the same or a newer version is dropped, never sent over the newer one. What
fails again becomes a new dead letter, and the old record is acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx

from streams.dlq.record import DeadLetter, DeadLetterStatus

if TYPE_CHECKING:
    from streams.deliver.agent import FeedSender

__all__ = ["make_redrive"]

log = logging.getLogger("feedsync.dlq")


def make_redrive(sender: FeedSender, interval_s: float) -> Callable[[Any], Awaitable[None]]:
    """The agent body that re-drives one feed's dead letters."""

    async def redrive(stream: Any) -> None:
        async with httpx.AsyncClient() as client:
            async for event in stream.noack().events():
                letter = DeadLetter.from_record(event.value)
                if letter.status is DeadLetterStatus.WILL_RETRY and letter.items:
                    wait = letter.last_failure + interval_s - time.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    items = list(letter.items)
                    log.info(
                        "feed %s: re-driving %d dead-lettered items (failed %d times)",
                        sender.feed.name,
                        len(items),
                        letter.attempts,
                    )
                    carriers = {item.id: event for item in items}
                    await asyncio.gather(*await sender.send(client, items, carriers, replay=True))
                await stream.ack(event)

    return redrive
