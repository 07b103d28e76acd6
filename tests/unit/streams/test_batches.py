"""Lists of events from an agent's queue (streams/batches.py) and the fetch loop's handing
over (``SafeOffsetConsumer._hand_over``), without Kafka: faust's app, stream and messages
are stood in for by the few attributes these read."""

from __future__ import annotations

import asyncio
import functools
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import pytest
from faust.types import TP
from mode.utils.queues import FlowControlEvent, ThrowableQueue

from streams.batches import ack_all, drain
from streams.offsets import SafeOffsetConsumer

TP0 = TP("source", 0)


def synchronous(test: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    """The async ``test`` run on a loop of its own (the unit tests have no async plugin)."""

    @functools.wraps(test)
    def run() -> None:
        asyncio.run(test())

    return run


@dataclass
class Message:
    offset: int
    generation_id: int = 1
    topic: str = "source"
    tracked: bool = False
    tp: TP = TP0


@dataclass
class Event:
    message: Message
    acks: int = 0

    def ack(self) -> bool:
        self.acks += 1
        return True


@dataclass
class Flow:
    active: bool = True

    def is_active(self) -> bool:
        return self.active


@dataclass
class Consumer:
    tracked: list[int] = field(default_factory=list)

    def track_message(self, message: Message) -> None:
        self.tracked.append(message.offset)


@dataclass
class Topics:
    acking_topics: set[str] = field(default_factory=lambda: {"source"})


@dataclass
class App:
    consumer: Consumer = field(default_factory=Consumer)
    topics: Topics = field(default_factory=Topics)
    flow_control: Flow = field(default_factory=Flow)
    consumer_generation_id: int = 1


@dataclass
class Channel:
    queue: ThrowableQueue[Any]


@dataclass
class Stream:
    app: App
    channel: Channel
    acked: list[int] = field(default_factory=list)

    async def ack(self, event: Event) -> bool:
        self.acked.append(event.message.offset)
        return event.ack()


def stream_of(*events: Event) -> Stream:
    queue: ThrowableQueue[Any] = ThrowableQueue(maxsize=100, flow_control=FlowControlEvent())
    for event in events:
        queue.put_nowait(event)
    return Stream(App(), Channel(queue))


def events(*offsets: int, generation: int = 1) -> list[Event]:
    return [Event(Message(offset, generation)) for offset in offsets]


async def first(batches: AsyncIterator[list[Any]]) -> list[int]:
    batch = await asyncio.wait_for(anext(batches), 5)
    return [event.message.offset for event in batch]


@synchronous
async def test_queued_events_come_in_lists_of_at_most_max() -> None:
    stream = stream_of(*events(*range(7)))
    batches = drain(stream, 3, within=0)
    assert [await first(batches) for _ in range(3)] == [[0, 1, 2], [3, 4, 5], [6]]


@synchronous
async def test_events_are_tracked_once_and_only_for_acking_topics() -> None:
    untracked = Event(Message(2, topic="other"))
    again = Event(Message(3, tracked=True))
    stream = stream_of(*events(0, 1), untracked, again)
    assert await first(drain(stream, 10, within=0)) == [0, 1, 2, 3]
    assert stream.app.consumer.tracked == [0, 1]


@synchronous
async def test_an_older_generations_events_are_acknowledged_and_skipped() -> None:
    stream = stream_of(*events(0, 1, generation=1), *events(2, 3, generation=2))
    stream.app.consumer_generation_id = 2
    old = [stream.channel.queue._queue[i] for i in (0, 1)]  # type: ignore[attr-defined]
    assert await first(drain(stream, 10, within=0)) == [2, 3]
    assert [event.acks for event in old] == [1, 1]
    assert stream.app.consumer.tracked == [2, 3]


@synchronous
async def test_events_taken_while_the_flow_is_stopped_are_skipped() -> None:
    stream = stream_of(*events(0, 1))
    stream.app.flow_control.active = False
    batches = drain(stream, 10, within=0)
    waiting = asyncio.ensure_future(anext(batches))
    await asyncio.sleep(0.01)  # not a synchronisation: the assertion holds at any time
    assert not waiting.done()
    assert stream.app.consumer.tracked == []
    stream.app.flow_control.active = True
    stream.channel.queue.put_nowait(events(2)[0])
    assert [e.message.offset for e in await asyncio.wait_for(waiting, 5)] == [2]


@synchronous
async def test_a_batch_waits_within_its_linger_for_more_events() -> None:
    stream = stream_of(*events(0))
    batches = drain(stream, 2, within=30.0)
    waiting = asyncio.ensure_future(anext(batches))
    await asyncio.sleep(0)
    stream.channel.queue.put_nowait(events(1)[0])
    # The batch is full at the second event: it does not wait out the 30 s.
    assert [e.message.offset for e in await asyncio.wait_for(waiting, 5)] == [0, 1]


@synchronous
async def test_after_an_idle_wait_a_batch_goes_at_once_with_what_is_queued() -> None:
    stream = stream_of()
    batches = drain(stream, 10, within=30.0)
    waiting = asyncio.ensure_future(anext(batches))
    await asyncio.sleep(0)  # the agent waits on an empty queue: idle
    for event in events(0, 1, 2):  # one fetch's records, handed over together
        stream.channel.queue.put_nowait(event)
    # Not the 30 s linger: what came with the first event, and no more.
    assert [e.message.offset for e in await asyncio.wait_for(waiting, 5)] == [0, 1, 2]
    stream.channel.queue.put_nowait(events(3)[0])
    stream.channel.queue.put_nowait(events(4)[0])
    # A backlog this time (queued before the agent asked): the list lingers to fill.
    lingering = asyncio.ensure_future(anext(batches))
    await asyncio.sleep(0.01)  # not a synchronisation: the assertion holds at any time
    assert not lingering.done()
    for event in events(*range(5, 13)):  # full at ten
        stream.channel.queue.put_nowait(event)
    assert [e.message.offset for e in await asyncio.wait_for(lingering, 5)] == list(range(3, 13))


@synchronous
async def test_a_batch_goes_once_its_linger_is_over() -> None:
    stream = stream_of(*events(0))
    assert await first(drain(stream, 10, within=0.01)) == [0]


async def stopped_while_waiting(
    stream: Stream, within: float
) -> tuple[AsyncIterator[list[Any]], asyncio.Future[list[Any]]]:
    """``drain`` of ``stream``, waiting for a batch when faust stops the agent."""
    batches = drain(stream, 10, within=within)
    waiting = asyncio.ensure_future(anext(batches))
    await asyncio.sleep(0)
    stream.channel.queue._throw(StopAsyncIteration())  # what faust's Actor.cancel does
    return batches, waiting


@synchronous
async def test_stopping_the_agent_ends_the_lists_without_an_error() -> None:
    _batches, waiting = await stopped_while_waiting(stream_of(), within=0)
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(waiting, 5)


@synchronous
async def test_a_stop_while_a_batch_lingers_hands_over_what_was_taken() -> None:
    batches, waiting = await stopped_while_waiting(stream_of(*events(0)), within=30.0)
    assert [e.message.offset for e in await asyncio.wait_for(waiting, 5)] == [0]
    with pytest.raises(StopAsyncIteration):
        await anext(batches)


@synchronous
async def test_ack_all_acknowledges_every_event_through_the_stream() -> None:
    stream = stream_of()
    batch = events(4, 5, 6)
    await ack_all(stream, batch)
    assert stream.acked == [4, 5, 6]
    assert [event.acks for event in batch] == [1, 1, 1]


# -- the fetch loop's handing over ---------------------------------------------------------


class HandOver:
    """A consumer with just what ``_hand_over`` reads, and what it handed over."""

    def __init__(self) -> None:
        self.consumer = SafeOffsetConsumer.__new__(SafeOffsetConsumer)
        self.app = App()
        self.handed: list[int] = []
        self.during_callback: Any = None
        consumer: Any = self.consumer
        consumer.app = self.app
        consumer.flow_active = True
        consumer._commit_every = None
        consumer._read_offset = defaultdict(lambda: None)
        consumer.callback = self.callback

    async def callback(self, message: Message) -> None:
        self.handed.append(message.offset)
        if self.during_callback is not None:
            self.during_callback(message)

    async def run(self, *messages: Message) -> None:
        async def fetched() -> AsyncIterator[tuple[TP, Message]]:
            for message in messages:
                yield message.tp, message

        await self.consumer._hand_over(fetched())  # type: ignore[arg-type]

    @property
    def read_offset(self) -> int | None:
        return self.consumer._read_offset.get(TP0)  # type: ignore[no-any-return]


@synchronous
async def test_records_are_handed_over_in_order_and_marked_read() -> None:
    loop = HandOver()
    await loop.run(*[Message(offset) for offset in (5, 6, 7)])
    assert loop.handed == [5, 6, 7]
    assert loop.read_offset == 7


@synchronous
async def test_records_read_already_are_not_handed_over_again() -> None:
    loop = HandOver()
    loop.consumer._read_offset[TP0] = 6
    await loop.run(*[Message(offset) for offset in (5, 6, 7)])
    assert loop.handed == [6, 7]


@synchronous
async def test_nothing_is_handed_over_while_the_flow_is_stopped() -> None:
    loop = HandOver()
    loop.consumer.flow_active = False
    await loop.run(Message(5))
    assert loop.handed == []
    assert loop.read_offset is None


@synchronous
async def test_an_older_generations_fetch_is_not_handed_over() -> None:
    loop = HandOver()
    loop.app.consumer_generation_id = 2
    await loop.run(Message(5, generation_id=1))
    assert loop.handed == []


@synchronous
async def test_a_rebalance_during_a_handing_over_leaves_the_read_offset_and_the_rest() -> None:
    loop = HandOver()

    def rebalance(message: Message) -> None:  # the seek has set the read offset to 3
        loop.app.consumer_generation_id = 2
        loop.consumer._read_offset[TP0] = 3

    loop.during_callback = rebalance
    await loop.run(*[Message(offset) for offset in (5, 6, 7)])
    assert loop.handed == [5]
    assert loop.read_offset == 3  # faust set it to 5 here, dropping 3 and 4 after the seek
