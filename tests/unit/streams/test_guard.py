"""The guard: any error of a unit of work becomes a dead letter with its coordinates."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from feeds.item import FeedItem, ItemVersion
from feedsync.errors import ErrorClass, TransientError
from streams.guard import FAILED, Guard, Outputs, RecordRefused, source_header
from streams.letters import DeadLetter, DeadLetterStatus, Stage


@dataclass
class Message:
    topic: str = "magento.magento.store_website"
    partition: int = 3
    offset: int = 41
    key: bytes | None = b'{"website_id":1}'
    value: bytes | None = b'{"op":"c"}'
    headers: list[tuple[str, bytes]] | None = None


@dataclass
class Event:
    message: Message = field(default_factory=Message)


class Topic:
    """Takes records and answers each send with a future, failing the first ``refuse``."""

    def __init__(self, refuse: int = 0, error: BaseException | None = None) -> None:
        self.records: list[tuple[bytes | None, bytes]] = []
        self.refuse = refuse
        self.error = error or TimeoutError("broker away")

    async def send(
        self,
        *,
        key: bytes | None,
        value: bytes,
        partition: int | None = None,
        headers: Any = None,
    ) -> Any:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.refuse:
            self.refuse -= 1
            future.set_exception(self.error)
        else:
            self.records.append((key, value))
            future.set_result(None)
        return future

    def get_topic_name(self) -> str:
        return "feedsync.dlq.source"

    @property
    def app(self) -> Any:
        """What ``streams.guard.produce`` sends through: the app's producer."""
        return SimpleNamespace(producer=SimpleNamespace(send=self._produce))

    async def _produce(
        self,
        topic: str,
        key: bytes | None,
        value: bytes,
        partition: int | None,
        timestamp: float | None,
        headers: Any,
    ) -> Any:
        assert topic == self.get_topic_name()
        return await self.send(key=key, value=value, partition=partition, headers=headers)


def letters(topic: Topic) -> list[DeadLetter]:
    return [DeadLetter.from_record(value) for _, value in topic.records]


def test_an_error_becomes_a_letter_with_coordinates_class_and_raw_record() -> None:
    topic = Topic()
    guard = Guard(Stage.REFERENCE, topic, feed="source")
    event = Event()

    def poison() -> int:
        return int({}["website_id"])

    assert guard.attempt(event, poison, context={"entity": "x"}) is FAILED
    assert asyncio.run(guard.flush()) == 1
    (letter,) = letters(topic)
    assert (letter.stage, letter.error, letter.error_class) == (
        Stage.REFERENCE,
        "KeyError",
        ErrorClass.TERMINAL,
    )
    assert letter.status is DeadLetterStatus.NEEDS_ATTENTION
    assert letter.raw == event.message.value
    assert letter.raw_key == event.message.key
    assert letter.coordinates is not None
    assert (letter.coordinates.topic, letter.coordinates.partition) == (event.message.topic, 3)
    assert (letter.coordinates.offsets, letter.coordinates.key) == ((41,), '{"website_id":1}')
    assert letter.extra == {"entity": "x"}


def test_a_success_passes_its_value_and_writes_nothing() -> None:
    topic = Topic()
    guard = Guard(Stage.ROUTE, topic, feed="source")
    assert guard.attempt(Event(), lambda: 7) == 7
    assert asyncio.run(guard.flush()) == 0
    assert topic.records == []


def test_a_transient_error_is_a_will_retry_letter_with_its_items() -> None:
    topic = Topic()
    guard = Guard(Stage.DELIVER, topic, feed="products")
    item = FeedItem("products", "id-1", {"sku": "a"}, version=ItemVersion(3))

    async def send() -> None:
        raise TransientError("endpoint busy")

    assert asyncio.run(guard.attempt_async(Event(), send, items=[item])) is FAILED
    asyncio.run(guard.flush())
    (letter,) = letters(topic)
    assert letter.status is DeadLetterStatus.WILL_RETRY
    assert letter.items == (item,)
    assert letter.message == "endpoint busy"


def test_letters_are_written_again_until_kafka_takes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("streams.guard.RETRY_SEND_S", (0.0,))
    topic = Topic(refuse=2)
    guard = Guard(Stage.ROUTE, topic, feed="source")
    guard.attempt(Event(), lambda: 1 / 0)
    asyncio.run(guard.flush())
    assert len(letters(topic)) == 1


def test_an_output_kafka_refuses_dead_letters_its_event() -> None:
    dlq, entity = Topic(), Topic(refuse=1, error=ValueError("MessageSizeTooLarge"))
    guard = Guard(Stage.ROUTE, dlq, feed="source")
    good, bad = Event(Message(offset=1)), Event(Message(offset=2))

    async def scenario() -> set[int]:
        outputs = Outputs()
        await outputs.send(bad, entity, b"k", b"too big")
        await outputs.send(good, entity, b"k", b"fine")
        refused = await outputs.settle(guard)
        await guard.flush()
        return refused

    assert asyncio.run(scenario()) == {id(bad)}
    (letter,) = letters(dlq)
    assert letter.error == RecordRefused.__name__
    assert letter.coordinates is not None
    assert letter.coordinates.offsets == (2,)
    assert entity.records == [(b"k", b"fine")]


def test_a_letter_of_a_derived_record_names_the_source_record() -> None:
    """A re-keyed record carries where it came from; its letter says so."""
    topic = Topic()
    guard = Guard(Stage.PROJECT, topic, feed="source")
    origin = Message(topic="magento.magento.catalog_product_entity_varchar", offset=7)
    rekeyed = Message(topic="feedsync.entity.products", headers=source_header(origin))
    guard.attempt(Event(rekeyed), lambda: 1 / 0)
    asyncio.run(guard.flush())
    (letter,) = letters(topic)
    assert letter.extra == {"source": "magento.magento.catalog_product_entity_varchar:3:7"}
