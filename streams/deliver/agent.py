"""The delivery agents of each feed: live items, and items an operator asked to resend.

One agent per feed batches the items topic, sends, records, then acknowledges; a second
one does the same for ``<app id>.resend.<feed>`` (streams/resend.py), through the same
sender, so a resync gets the same batching, retries, dead letters and status.

Offsets are acknowledged only after every item of the batch was delivered, skipped as
unchanged, or written to the dead-letter topic (``streams.batches.drain`` + explicit acks;
faust's ``take()`` would ack even when sending raised). A batch lingers up to the feed's
``linger_s`` to fill only behind a backlog: after an idle wait it goes at once. A record
that is not an item, and an item whose sending raises something unforeseen, become dead
letters of their own: a batch that raises is sent again one item at a time, so only the
items that fail alone are parked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any

import faust
import httpx

from feeds.item import FeedItem
from feedsync.settings import FeedDelivery, Settings
from streams.batches import ack_all, drain
from streams.deliver.http import rate_limiter
from streams.deliver.sender import FeedSender
from streams.dlq.redrive import make_redrive
from streams.guard import Failed, Guard
from streams.letters import Stage
from streams.resend import Resend
from streams.topology import Topology

__all__ = ["register_delivery"]


def register_delivery(
    app: faust.App, topology: Topology, settings: Settings, configs: Mapping[str, FeedDelivery]
) -> None:
    # One limiter for the destination's feeds: its rate limit is the service's, not a feed's.
    limiter = rate_limiter(settings.delivery.rate_limit_per_s)
    for name, feed in topology.selection.feeds.items():
        sender = FeedSender(feed, configs[name], settings, topology, limiter)
        guard = Guard(Stage.DELIVER, topology.dlq[name], feed=name)

        deliver_feed = _batch_agent(app, sender, guard, deliver_batch)
        resend_feed = _batch_agent(app, sender, guard, resend_batch)
        app.agent(topology.items[name], name=f"deliver-{name}", concurrency=1)(deliver_feed)
        app.agent(topology.resend[name], name=f"resend-{name}", concurrency=1)(resend_feed)
        streams = settings.streams
        redrive = make_redrive(
            app, sender, topology, streams.dlq_redrive_interval_s, streams.dlq_give_up_attempts
        )
        app.agent(topology.dlq[name], name=f"redrive-{name}", concurrency=1)(redrive)


BatchHandler = Callable[[httpx.AsyncClient, FeedSender, Guard, list[Any]], Awaitable[None]]


def _batch_agent(
    app: faust.App, sender: FeedSender, guard: Guard, handle: BatchHandler
) -> Callable[[Any], Awaitable[None]]:
    """An agent body: batches of the stream, handled, then acknowledged."""

    async def agent(stream: Any) -> None:
        async with sender.client() as client:
            async for events in drain(stream, sender.batch_count, sender.linger_s):
                await handle(client, sender, guard, events)
                await app.producer.flush()  # letters and statuses, before the acks
                await ack_all(stream, events)

    return agent


async def deliver_batch(
    client: httpx.AsyncClient, sender: FeedSender, guard: Guard, events: list[Any]
) -> None:
    """Send one batch of items records; park whatever cannot be sent; write the letters."""
    items: list[FeedItem] = []
    carriers: dict[str, Any] = {}
    for event in events:
        item = guard.attempt(event, partial(FeedItem.from_record, event.value))
        if not isinstance(item, Failed):
            items.append(item)
            carriers[item.id] = event
    await _send_isolating(client, sender, guard, items, carriers, force=False, resend=False)
    await guard.flush()


async def resend_batch(
    client: httpx.AsyncClient, sender: FeedSender, guard: Guard, events: list[Any]
) -> None:
    """Send one batch of resend records: forced ones even if unchanged."""
    batches: dict[bool, tuple[list[FeedItem], dict[str, Any]]] = {False: ([], {}), True: ([], {})}
    for event in events:
        resend = guard.attempt(event, partial(Resend.from_record, event.value))
        if not isinstance(resend, Failed):
            items, carriers = batches[resend.force]
            items.append(resend.item)
            carriers[resend.item.id] = event
    for force, (items, carriers) in batches.items():
        if items:
            await _send_isolating(client, sender, guard, items, carriers, force=force, resend=True)
    await guard.flush()


async def _send_isolating(
    client: httpx.AsyncClient,
    sender: FeedSender,
    guard: Guard,
    items: list[FeedItem],
    carriers: dict[str, Any],
    *,
    force: bool,
    resend: bool,
) -> None:
    """Send, adding the letters to the guard; if sending raises something unforeseen, send
    each item alone, so only the items at fault become dead letters."""
    send = partial(sender.send, client, carriers=carriers, force=force, resend=resend)
    letters = await guard.capture_async(lambda: send(items))
    if isinstance(letters, Exception):
        for item in items:
            alone = await guard.attempt_async(
                carriers[item.id], partial(send, [item]), items=[item]
            )
            if not isinstance(alone, Failed):
                for letter in alone:
                    guard.add(letter)
    else:
        for letter in letters:
            guard.add(letter)
