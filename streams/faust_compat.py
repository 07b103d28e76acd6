"""Where feedsync reaches into faust-streaming internals (streams/offsets.py, for offset
commits, is the other place), and why: table writes from batching agents, and batches
that do not wait when nothing else is coming.

Faust writes a table key to the changelog partition of the *current event*: the event
the stream is processing. Batching agents (``noack_take``) process events after the
stream moved on, when there is no current event, and faust refuses the write
("Cannot modify table key from outside of stream iteration"). Faust has no public way
to say "this write belongs to that event", so ``in_event`` sets the context variable
faust itself reads (``faust.streams._current_event``, stable since faust 1.x).

Faust's ``noack_take(max, within)`` yields a batch when it is full or when its timer
fires, and the timer runs on a fixed tick: a lone change waits for the tick at every
stage, however idle the pipeline. ``batches`` tells idle from busy: when nothing was left
waiting as the previous batch finished, it yields as soon as the events already waiting
are in the batch (a lone change goes on at once); behind a backlog it fills batches the
way faust does. It uses the same stream hooks as
``noack_take`` (a processor that buffers each event, the stream consumed passively) and,
like it, never acks: the agent acks each event once its outputs are durable.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

from faust import streams as faust_streams

__all__ = ["batches", "in_event"]

log = logging.getLogger("feedsync.streams")

_CURRENT_EVENT = vars(faust_streams)["_current_event"]


@contextmanager
def in_event(event: Any) -> Iterator[None]:
    """Make table writes inside the block belong to ``event``'s partition."""
    token = _CURRENT_EVENT.set(weakref.ref(event))
    try:
        yield
    finally:
        _CURRENT_EVENT.reset(token)


async def batches(stream: Any, max_: int, within: float) -> AsyncIterator[list[Any]]:
    """Batches of ``stream``'s events, unacknowledged.

    When the previous batch left nothing behind (an idle stream), a batch is yielded as
    soon as no further event is waiting to join it: a lone change goes on at once. When
    events were already waiting as the previous batch finished (a backlog), the batch
    fills like faust's: until it holds ``max_`` events or ``within`` seconds have passed
    since its first event. Either way never more than ``max_`` events.
    """
    loop = asyncio.get_running_loop()
    buffer: list[Any] = []
    arrived = asyncio.Event()  # the buffer holds an event
    full = asyncio.Event()  # the buffer holds max_ events
    room = asyncio.Event()  # the buffer may take another: not full, no batch out
    room.set()
    # The queue between the topic's fetcher and this stream: events waiting to be buffered.
    queue = getattr(stream.channel, "queue", None)
    held_back = False  # the stream has an event it could not buffer (a batch was out)

    async def buffer_event(value: Any) -> Any:
        nonlocal held_back
        try:
            if not room.is_set():
                held_back = True
                await room.wait()
            event = stream.current_event
            if event is None:
                raise RuntimeError("batches: a value without its event")
            buffer.append(event)
            arrived.set()
            if len(buffer) >= max_:
                room.clear()
                full.set()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # faust's own take crashes the stream the same way
            log.exception("batches: could not buffer an event")
            await stream.crash(exc)
        return value

    async def gather_waiting(deadline: float) -> None:
        """Let the stream buffer what is already waiting, then return."""
        quiet = 0
        while len(buffer) < max_ and loop.time() < deadline:
            size = len(buffer)
            await asyncio.sleep(0)  # the stream's drainer takes one event per turn
            if len(buffer) > size or (queue is not None and not queue.empty()):
                quiet = 0
                continue
            quiet += 1
            if quiet >= 2:  # two turns without one: nothing is waiting
                return

    acks_were = stream.enable_acks
    stream.enable_acks = False
    stream.add_processor(buffer_event)
    stream._enable_passive(aiter(stream.channel))  # noqa: SLF001 - as noack_take does
    backlog = False
    try:
        while not stream.should_stop:
            await stream.wait_for_stopped(arrived, timeout=1.0)
            if not buffer:
                continue
            deadline = loop.time() + within
            if backlog:
                await stream.wait_for_stopped(full, timeout=within)
            else:
                await gather_waiting(deadline)
            room.clear()  # the stream waits while the batch is out
            batch = list(buffer)
            buffer.clear()
            arrived.clear()
            full.clear()
            held_back = False
            try:
                yield batch
            finally:
                backlog = held_back or (queue is not None and not queue.empty())
                room.set()
    finally:
        stream.enable_acks = acks_were
        stream._processors.remove(buffer_event)  # noqa: SLF001
        room.set()
