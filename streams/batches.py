"""An agent's events in lists, taken straight from its channel's queue.

Faust's ``Stream.noack_take`` yields lists too, but it builds them one event at a time: a
background task iterates the stream (``Stream._py_aiter``: per event a ``sleep(0)``, the
processors, the sensors and a context variable) and a processor appends each event to the
list, waking the agent through two events and a future. On the medium snapshot an agent
that only counts reads 14.6k records/s that way and 21.5k/s with :func:`drain`
(``bench/faust_drain.py``, both on feedsync's fetch loop; ``bench/RESULTS.md``).

:func:`drain` takes the events the conductor put in the agent's channel queue in lists of up
to ``max_events`` and does per event only what matters of faust's iterator: an event of an
older consumer generation, or taken while the flow is stopped (a rebalance), is skipped and
acknowledged, as faust does (``SafeOffsetConsumer.ack`` records no acknowledgement for it:
the partition is read again from its committed offset); the others are tracked as
unacknowledged (faust's ``track_message``), so that the commit waits for them and a
rebalance waits for their acknowledgement. The agent acknowledges a list with
:func:`ack_all` once its outputs are durable.

Why this module reads faust's stream and queue members
------------------------------------------------------
The channel's queue (``stream.channel.queue``, a ``mode`` ``ThrowableQueue``) is public;
its ``empty`` and ``get_nowait`` are. Faust stops an agent by throwing
``StopAsyncIteration`` into that queue (``Actor.cancel``): :func:`drain` then ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import Any

__all__ = ["ack_all", "drain"]


async def drain(stream: Any, max_events: int, within: float) -> AsyncIterator[list[Any]]:
    """Lists of the events of ``stream``'s channel: at least one and at most
    ``max_events``. Behind a backlog a list waits at most ``within`` seconds after its
    first event for more while fewer are queued; after an idle wait it holds what is
    queued when the first event comes. Ends when faust stops the agent."""
    app = stream.app
    queue = stream.channel.queue
    consumer = app.consumer
    acking_topics = app.topics.acking_topics
    is_flowing = app.flow_control.is_active
    loop = asyncio.get_running_loop()

    def admit(event: Any, batch: list[Any]) -> None:
        message = event.message
        if not is_flowing() or message.generation_id != app.consumer_generation_id:
            event.ack()  # refused by SafeOffsetConsumer.ack: read again after the seek
            return
        if message.topic in acking_topics and not message.tracked:
            message.tracked = True
            consumer.track_message(message)
        batch.append(event)

    stopped = False
    while not stopped:
        batch: list[Any] = []
        try:
            # Behind a backlog (events queued while the last list was handled) a list
            # lingers to fill; after the agent idled, it takes what is queued and goes at
            # once: a lone change pays no linger, and a busy stream still comes in lists.
            backlog = not queue.empty()
            admit(await queue.get(), batch)
            deadline = loop.time() + within
            while len(batch) < max_events:
                if not queue.empty():
                    admit(queue.get_nowait(), batch)
                    continue
                remaining = deadline - loop.time()
                if not backlog or remaining <= 0 or not batch:
                    break
                try:
                    event = await asyncio.wait_for(queue.get(), remaining)
                except TimeoutError:
                    break
                admit(event, batch)
        except StopAsyncIteration:  # faust stops the agent (Actor.cancel)
            stopped = True
        if batch:
            yield batch


async def ack_all(stream: Any, events: Iterable[Any]) -> None:
    """Acknowledge ``events`` of ``stream`` (what ``Stream.ack`` does, per event)."""
    for event in events:
        await stream.ack(event)
