"""One delivery agent per feed: batch the items topic, send, record, then acknowledge.

Offsets are acknowledged only after every item of the batch was delivered, skipped as
unchanged, or written to the dead-letter topic (``noack_take`` + explicit acks; faust's
``take()`` would ack even when sending raised). A record that is not an item, and an
item whose sending raises something unforeseen, become dead letters of their own: a
batch that raises is sent again one item at a time, so only the items that fail alone
are parked.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import faust
import httpx

from feeds.item import FeedItem
from feedsync.settings import FeedDelivery, Settings
from streams.deliver.sender import FeedSender
from streams.dlq.redrive import make_redrive
from streams.guard import Failed, Guard
from streams.letters import Stage
from streams.topology import Topology

__all__ = ["register_delivery"]


def register_delivery(
    app: faust.App, topology: Topology, settings: Settings, configs: Mapping[str, FeedDelivery]
) -> None:
    for name, feed in topology.selection.feeds.items():
        sender = FeedSender(feed, configs[name], settings, topology)
        guard = Guard(Stage.DELIVER, topology.dlq[name], feed=name)

        async def deliver_feed(
            stream: Any, sender: FeedSender = sender, guard: Guard = guard
        ) -> None:
            async with httpx.AsyncClient() as client:
                async for events in stream.noack_take(sender.batch_count, within=sender.linger_s):
                    await deliver_batch(client, sender, guard, events)
                    await app.producer.flush()  # letters and delivered hashes, before acks
                    for event in events:
                        await stream.ack(event)

        app.agent(topology.items[name], name=f"deliver-{name}", concurrency=1)(deliver_feed)
        streams = settings.streams
        redrive = make_redrive(
            app, sender, topology, streams.dlq_redrive_interval_s, streams.dlq_give_up_attempts
        )
        app.agent(topology.dlq[name], name=f"redrive-{name}", concurrency=1)(redrive)


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
    letters = await guard.capture_async(lambda: sender.send(client, items, carriers))
    if isinstance(letters, Exception):  # something unforeseen: isolate the items at fault
        for item in items:
            alone = await guard.attempt_async(
                carriers[item.id], partial(sender.send, client, [item], carriers), items=[item]
            )
            if not isinstance(alone, Failed):
                for letter in alone:
                    guard.add(letter)
    else:
        for letter in letters:
            guard.add(letter)
    await guard.flush()
