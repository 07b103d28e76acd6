"""Deliver one batch to the end: retry, split, and sort items into delivered or parked.

The result says, for every item of the batch, whether it was delivered or became a
dead letter; only then may the caller acknowledge the batch's offsets. What happens
is decided by the class of the error a response means (streams/deliver/outcome.py):
transient errors are retried within the budget and then parked as *will retry*,
terminal ones parked as *needs attention* at once, a ``PayloadTooLarge`` batch halved,
and a config error (refused credentials) raises ``FeedPaused``: nothing is acknowledged
and the batch stays in Kafka.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

import httpx
from tenacity import AsyncRetrying, retry_if_result, stop_after_attempt, stop_before_delay

from feeds.item import FeedItem
from feedsync.errors import ConfigError, ErrorClass, TerminalError, TransientError
from streams.deliver.http import Endpoint, SendResult, send_batch
from streams.deliver.outcome import EndpointRejected, PayloadTooLarge
from streams.deliver.policy import RetryPolicy
from streams.letters import DeadLetter, DeadLetterStatus, Stage
from streams.metrics import BATCH_ITEMS, REQUEST_SECONDS, REQUESTS, RETRIES

__all__ = ["Delivery", "FeedPaused", "deliver"]

Sleep = Callable[[float], Awaitable[None]]


class FeedPaused(ConfigError):
    """The feed cannot deliver until a setting changes (its credentials): keep the batch."""

    code = "FS302"

    def __init__(self, cause: ConfigError, result: SendResult) -> None:
        super().__init__(f"{cause.message}: {result.excerpt[:200]}", hint=cause.hint)
        self.cause = cause
        self.result = result


@dataclass
class Delivery:
    """What became of each item of a batch."""

    delivered: list[FeedItem] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    attempts: int = 0
    retries: int = 0
    request_ids: list[str] = field(default_factory=list)  # the last attempt's, per chunk


async def deliver(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    items: Sequence[FeedItem],
    policy: RetryPolicy,
    *,
    stage: Stage = Stage.DELIVER,
    sleep: Sleep | None = None,
) -> Delivery:
    """Send ``items`` until each is delivered or parked.

    A batch that keeps failing as a whole (a 5xx after the retry budget, a 4xx that names
    no item) is bisected: its halves are sent once each, and the halves of a failing half
    again, so that one item the endpoint always refuses parks itself, not its batch. The
    probes are capped (a few per halving level), so an endpoint that is simply down costs
    a bounded number of extra requests before the rest is parked whole.
    """
    delivery = Delivery()
    pending = [_Chunk(list(items), time.time())] if items else []
    probes_left = 4 * math.ceil(math.log2(max(len(items), 2))) + 2
    once = replace(policy, max_attempts=1)
    while pending:
        chunk = pending.pop(0)
        result, attempts = await _send_with_retries(
            client, endpoint, chunk.items, once if chunk.probing else policy, sleep
        )
        probes_left -= chunk.probing
        delivery.attempts += attempts
        delivery.retries += attempts - 1
        delivery.request_ids.append(result.request_id)
        attempts += chunk.attempts  # a probe's letter counts the batch's attempts before it
        letter = partial(
            _dead_letter,
            feed=endpoint.feed,
            stage=stage,
            result=result,
            attempts=attempts,
            first_failure=chunk.first_failure,
        )
        halves = partial(chunk.halves, attempts=attempts)

        error = result.error
        if isinstance(error, ConfigError):
            raise FeedPaused(error, result)
        if isinstance(error, PayloadTooLarge):
            if len(chunk.items) == 1:
                too_large = f"a single item is larger than the endpoint accepts: {error.message}"
                delivery.dead_letters.append(letter(chunk.items, PayloadTooLarge(too_large)))
            else:
                pending[:0] = halves(chunk.items, probing=chunk.probing)
            continue
        rejected = [item for item in chunk.items if item.id in result.rejected]
        if rejected:
            reasons = "; ".join(sorted({result.rejected[item.id] for item in rejected}))[:300]
            delivery.dead_letters.append(letter(rejected, EndpointRejected(f"rejected: {reasons}")))
        accepted = [item for item in chunk.items if item.id not in result.rejected]
        if error is None:
            delivery.delivered += accepted
        elif rejected and accepted:  # a 4xx naming some items: send the others again
            pending.insert(0, _Chunk(accepted, chunk.first_failure, chunk.probing, attempts))
        elif len(accepted) > 1 and probes_left >= 2:  # the batch fails whole: find why
            pending[:0] = halves(accepted, probing=True)
        elif accepted and isinstance(error, TransientError):
            spent = f"retry budget spent after {attempts} attempts; last: {error.message}"
            delivery.dead_letters.append(letter(accepted, type(error)(spent)))
        elif accepted and isinstance(error, TerminalError):
            delivery.dead_letters.append(letter(accepted, error))
    return delivery


@dataclass(frozen=True)
class _Chunk:
    """Items to send together, and what sending them has cost so far."""

    items: list[FeedItem]
    first_failure: float
    probing: bool = False  # a half of a failing batch: sent once, no retries
    attempts: int = 0

    def halves(self, items: list[FeedItem], *, probing: bool, attempts: int) -> list[_Chunk]:
        half = len(items) // 2
        return [
            _Chunk(part, self.first_failure, probing, attempts)
            for part in (items[:half], items[half:])
        ]


def _dead_letter(
    items: Sequence[FeedItem],
    error: TransientError | TerminalError,
    *,
    feed: str,
    stage: Stage,
    result: SendResult,
    attempts: int,
    first_failure: float,
) -> DeadLetter:
    return DeadLetter(
        feed=feed,
        stage=stage,
        status=DeadLetterStatus.of(error.error_class),
        error_class=error.error_class,
        error=type(error).__name__,
        error_code=error.code,
        message=error.message,
        first_failure=first_failure,
        last_failure=time.time(),
        attempts=attempts,
        items=tuple(items),
        http_status=result.status,
        response_excerpt=result.excerpt,
        request_id=result.request_id,
    )


async def _send_with_retries(
    client: httpx.AsyncClient,
    endpoint: Endpoint,
    chunk: Sequence[FeedItem],
    policy: RetryPolicy,
    sleep: Sleep | None,
) -> tuple[SendResult, int]:
    """Send until the answer is not transient, or the policy's budget is spent."""
    retrying = AsyncRetrying(
        retry=retry_if_result(
            lambda result: (
                result.error is not None and result.error.error_class is ErrorClass.TRANSIENT
            )
        ),
        # Before, not after: a last backoff may not carry the batch past its budget (with
        # ``stop_after_delay`` an 8 s budget ended in a send at 16 s, and a 15 s outage that
        # should have been dead-lettered was delivered live instead).
        stop=stop_after_attempt(policy.max_attempts) | stop_before_delay(policy.budget_s),
        wait=policy.wait,
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        reraise=True,
        sleep=sleep or asyncio.sleep,
    )
    attempts = 0
    result: SendResult | None = None
    async for attempt in retrying:
        with attempt:
            attempts += 1
            began = time.monotonic()
            result = await send_batch(client, endpoint, chunk)
            _measure(endpoint.feed, chunk, result, time.monotonic() - began, retry=attempts > 1)
        if attempt.retry_state.outcome and not attempt.retry_state.outcome.failed:
            attempt.retry_state.set_result(result)
    assert result is not None
    return result, attempts


def _measure(
    feed: str, chunk: Sequence[FeedItem], result: SendResult, seconds: float, *, retry: bool
) -> None:
    if result.status is not None:
        outcome = f"{result.status // 100}xx"
    else:  # no answer: the error says why (EndpointTimeout, EndpointUnreachable, ...)
        outcome = type(result.error).__name__ if result.error else "none"
    REQUESTS.labels(feed, outcome).inc()
    REQUEST_SECONDS.labels(feed).observe(seconds)
    BATCH_ITEMS.labels(feed).observe(len(chunk))
    if retry:
        RETRIES.labels(feed).inc()
