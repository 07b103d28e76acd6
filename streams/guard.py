"""The one place where an exception inside an agent becomes a dead letter.

An agent must never let an exception escape: faust would restart it on the same stream,
with the failed batch unacknowledged while later events are acknowledged, and its
consumer can then commit past the unprocessed records (faust-streaming #606) or stall the
partition on them for good. So every unit of work an agent does runs through
``Guard.attempt``: if it raises, the record it came from is written to a dead-letter topic
with its coordinates (topic, partition, offset, key), the stage, the error's class and
message and the raw record, and the agent goes on with the next one.

Dead letters are written before the batch is acknowledged: ``flush`` returns only once
Kafka has them, retrying for as long as Kafka refuses, so a record is never both
acknowledged and lost.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Final, TypeVar

from feeds.item import FeedItem
from feedsync.errors import FeedsyncError, TerminalError, TransientError, classify, error_code
from streams.letters import DeadLetter, DeadLetterStatus, SourceCoordinates, Stage

__all__ = ["FAILED", "Failed", "Guard", "Outputs", "send_durably", "source_header"]

log = logging.getLogger("feedsync.guard")
T = TypeVar("T")
RETRY_SEND_S = (0.5, 1.0, 2.0, 5.0, 10.0)


class Failed:
    """The result of an attempt that raised (its error is already a dead letter)."""

    def __repr__(self) -> str:
        return "FAILED"


FAILED: Final = Failed()


class Guard:
    """Turns the errors of one stage into dead letters on one dead-letter topic."""

    def __init__(self, stage: Stage, dlq: Any, *, feed: str) -> None:
        self.stage = stage
        self.dlq = dlq  # a faust topic
        self.feed = feed
        self._letters: list[DeadLetter] = []

    def attempt(
        self, event: Any, action: Callable[[], T], *, context: dict[str, Any] | None = None
    ) -> T | Failed:
        """``action()``, or ``FAILED`` once its error is parked as ``event``'s dead letter."""
        try:
            return action()
        except Exception as error:  # noqa: BLE001 -- the one place any error becomes a letter
            self.park(event, error, context=context)
            return FAILED

    async def attempt_async(
        self,
        event: Any,
        action: Callable[[], Awaitable[T]],
        *,
        items: Sequence[FeedItem] = (),
    ) -> T | Failed:
        """The same for a coroutine; ``items`` go into the letter (a delivery's items)."""
        try:
            return await action()
        except Exception as error:  # noqa: BLE001 -- the one place any error becomes a letter
            self.park(event, error, items=items)
            return FAILED

    def capture(self, action: Callable[[], T]) -> T | Exception:
        """``action()``, or the error it raised, for the caller to ``park`` where it belongs
        (a rebuild that fails is dead-lettered under the change that caused it)."""
        try:
            return action()
        except Exception as error:  # noqa: BLE001 -- handed back to be parked
            return error

    async def capture_async(self, action: Callable[[], Awaitable[T]]) -> T | Exception:
        """``capture`` for a coroutine."""
        try:
            return await action()
        except Exception as error:  # noqa: BLE001 -- handed back to be parked
            return error

    def park(
        self,
        event: Any,
        error: BaseException,
        *,
        items: Sequence[FeedItem] = (),
        context: dict[str, Any] | None = None,
    ) -> None:
        """Queue a dead letter for ``event`` (and the ``items`` it carried) failing with
        ``error``; ``context`` adds what the coordinates do not say (e.g. the entity key of
        a rebuild); ``flush`` writes it."""
        message = event.message
        error_class = classify(error)
        now = time.time()
        text = error.message if isinstance(error, FeedsyncError) else f"{error!r}"
        letter = DeadLetter(
            feed=self.feed,
            stage=self.stage,
            status=DeadLetterStatus.of(error_class),
            error_class=error_class,
            error=type(error).__name__,
            error_code=error_code(error),
            message=text,
            first_failure=now,
            last_failure=now,
            items=tuple(items),
            raw=message.value,
            raw_key=message.key,
            coordinates=SourceCoordinates(
                message.topic, message.partition, (message.offset,), _text(message.key)
            ),
            extra={**_source_of(message), **(context or {})},
        )
        log.warning(
            "%s: dead-lettered %s:%s@%s (%s %s): %s",
            self.stage.value,
            message.topic,
            message.partition,
            message.offset,
            error_class.value,
            letter.error,
            text,
            extra={
                "feed": self.feed,
                "operation": self.stage.value,
                "status": "dead-lettered",
                "error_code": error_code(error),
            },
        )
        self._letters.append(letter)

    def add(self, letter: DeadLetter) -> None:
        """Queue a letter built elsewhere (a delivery's failed items)."""
        self._letters.append(letter)

    async def flush(self) -> int:
        """Write the queued letters; return how many. Only returns once Kafka has them."""
        letters, self._letters = self._letters, []
        if letters:
            await send_durably(self.dlq, [(None, letter.to_record()) for letter in letters])
        return len(letters)


async def send_durably(
    topic: Any, records: Sequence[tuple[bytes | None, bytes]], *, partition: int | None = None
) -> None:
    """Send ``(key, value)`` records to ``topic`` and wait until Kafka has acknowledged
    each; what fails is sent again, with backoff, until it is taken."""
    pending = list(records)
    for attempt in itertools.count():
        futures = [
            await topic.send(key=key, value=value, partition=partition) for key, value in pending
        ]
        outcomes = await asyncio.gather(*futures, return_exceptions=True)
        failed = [
            record
            for record, outcome in zip(pending, outcomes, strict=True)
            if isinstance(outcome, BaseException)
        ]
        if not failed:
            return
        error = next(o for o in outcomes if isinstance(o, BaseException))
        delay = RETRY_SEND_S[min(attempt, len(RETRY_SEND_S) - 1)]
        log.error(
            "Kafka refused %d of %d records for %s (%r); retrying in %.1fs",
            len(failed),
            len(pending),
            topic.get_topic_name(),
            error,
            delay,
        )
        pending = failed
        await asyncio.sleep(delay)


async def produce(
    topic: Any,
    key: bytes | None,
    value: bytes,
    partition: int | None = None,
    headers: list[tuple[str, bytes]] | None = None,
) -> asyncio.Future[Any]:
    """Hand one record of a raw (bytes) topic to the app's Kafka producer; the future is
    done when Kafka has it. faust's ``topic.send`` does the same through a message
    envelope, its serializers, sensors and a done-callback per record, which the stages'
    outputs do not need (bytes in, no publish-on-commit): a small full sync took 18 % less
    worker CPU without them (bench/RESULTS.md, "Kafka client batching")."""
    producer = topic.app.producer
    future: asyncio.Future[Any] = await producer.send(
        topic.get_topic_name(), key, value, partition, None, headers
    )
    return future


SOURCE_HEADER = "feedsync-source"


def source_header(message: Any) -> list[tuple[str, bytes]]:
    """A header naming where a record came from (``topic:partition:offset``), for the
    records a stage derives from it, so that a later stage's letter can name the origin."""
    return [(SOURCE_HEADER, f"{message.topic}:{message.partition}:{message.offset}".encode())]


def _source_of(message: Any) -> dict[str, str]:
    headers = message.headers or ()
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    for name, value in pairs:
        if name == SOURCE_HEADER and isinstance(value, bytes):
            return {"source": value.decode("utf-8", errors="replace")}
    return {}


def _text(key: bytes | None) -> str | None:
    return None if key is None else key.decode("utf-8", errors="replace")


class Outputs:
    """The records an agent sends on behalf of the events of one batch.

    ``settle`` waits until Kafka has every one; an event whose output Kafka refused is
    dead-lettered (with the refusal), so that acknowledging the batch loses nothing.
    """

    def __init__(self) -> None:
        self._sent: list[tuple[Any, Any]] = []

    async def send(
        self,
        event: Any,
        topic: Any,
        key: bytes | None,
        value: bytes,
        partition: int | None = None,
        *,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        self.add(event, await produce(topic, key, value, partition, headers))

    def add(self, event: Any, future: asyncio.Future[Any]) -> None:
        """A record sent on ``event``'s behalf some other way (a state table's write)."""
        self._sent.append((event, future))

    async def settle(self, guard: Guard) -> set[int]:
        """Wait for every output; dead-letter the events Kafka refused one for, and return
        their ``id()``s (their state must not be written: it would claim what is not sent)."""
        sent, self._sent = self._sent, []
        outcomes = await asyncio.gather(*(future for _, future in sent), return_exceptions=True)
        refused: dict[int, tuple[Any, BaseException]] = {}
        for (event, _), outcome in zip(sent, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                refused.setdefault(id(event), (event, _kafka_error(outcome)))
        for event, error in refused.values():
            guard.park(event, error)
        return set(refused)


class KafkaRefused(TransientError):
    """Kafka did not take a record the stage produced (after the client's own retries)."""

    code = "FS101"


class RecordRefused(TerminalError):
    """Kafka will never take a record the stage produced (e.g. larger than the broker allows)."""

    code = "FS205"


def _kafka_error(error: BaseException) -> FeedsyncError:
    if getattr(error, "retriable", False):
        return KafkaRefused(f"Kafka refused an output record: {error!r}")
    return RecordRefused(
        f"Kafka refused an output record: {error!r}",
        hint="a record over the broker's message.max.bytes cannot be written; see README",
    )
