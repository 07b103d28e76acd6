"""Deliver one batch to the end: retry, split, and sort items into delivered or dead.

The result says, for every item of the batch, whether it was delivered or became a
dead letter; only then may the caller acknowledge the batch's offsets. A 401/403
raises ``FeedPaused`` instead: nothing is acknowledged and the batch stays in Kafka.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import httpx
from tenacity import AsyncRetrying, retry_if_result, stop_after_attempt, stop_after_delay

from feeds.item import FeedItem
from feedsync.errors import TerminalError
from streams.deliver.http import Endpoint, SendResult, send_batch
from streams.deliver.outcome import Outcome
from streams.deliver.policy import RetryPolicy
from streams.dlq.record import DeadLetter, DeadLetterStatus

__all__ = ["Delivery", "FeedPaused", "deliver"]

Sleep = Callable[[float], Awaitable[None]]


class FeedPaused(TerminalError):
    """The endpoint refused our credentials (401/403): pause the feed, keep the batch."""

    def __init__(self, feed: str, result: SendResult) -> None:
        super().__init__(
            f"feed {feed} paused: the endpoint answered {result.describe()}: "
            f"{result.excerpt[:200]}",
            hint=f"fix FEEDSYNC_FEEDS__{feed.upper()}__BEARER_TOKEN / __WEBHOOK_SECRET, "
            "then resume the feed",
        )
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
    feed: str,
    endpoint: Endpoint,
    items: Sequence[FeedItem],
    policy: RetryPolicy,
    *,
    sleep: Sleep | None = None,
) -> Delivery:
    """Send ``items`` until each is delivered or dead-lettered."""
    delivery = Delivery()
    pending: list[list[FeedItem]] = [list(items)] if items else []
    while pending:
        chunk = pending.pop(0)
        first_failure = time.time()
        result, attempts = await _send_with_retries(client, endpoint, chunk, policy, sleep)
        delivery.attempts += attempts
        delivery.retries += attempts - 1
        delivery.request_ids.append(result.request_id)

        dead = partial(
            _dead_letter, feed=feed, result=result, attempts=attempts, first_failure=first_failure
        )
        if result.outcome is Outcome.PAUSE:
            raise FeedPaused(feed, result)
        if result.outcome is Outcome.SPLIT:
            if len(chunk) == 1:
                delivery.dead_letters.append(
                    dead(
                        chunk,
                        DeadLetterStatus.NEEDS_ATTENTION,
                        "a single item is larger than the endpoint accepts (413)",
                    )
                )
            else:
                half = len(chunk) // 2
                pending[:0] = [chunk[:half], chunk[half:]]
            continue
        if result.outcome is Outcome.RETRY:
            delivery.dead_letters.append(
                dead(
                    chunk,
                    DeadLetterStatus.WILL_RETRY,
                    f"retry budget spent after {attempts} attempts; last: {result.describe()}",
                )
            )
            continue
        rejected = [item for item in chunk if item.id in result.rejected]
        if rejected:
            reasons = "; ".join(sorted({result.rejected[item.id] for item in rejected}))[:300]
            delivery.dead_letters.append(
                dead(rejected, DeadLetterStatus.NEEDS_ATTENTION, f"rejected: {reasons}")
            )
        accepted = [item for item in chunk if item.id not in result.rejected]
        if result.outcome is Outcome.DELIVERED:
            delivery.delivered += accepted
        elif rejected and accepted:
            pending.insert(0, accepted)  # a 400 naming some items: resend the others
        elif accepted:
            delivery.dead_letters.append(
                dead(
                    accepted,
                    DeadLetterStatus.NEEDS_ATTENTION,
                    f"the endpoint rejected the batch: {result.describe()}",
                )
            )
    return delivery


def _dead_letter(
    items: Sequence[FeedItem],
    status: DeadLetterStatus,
    message: str,
    *,
    feed: str,
    result: SendResult,
    attempts: int,
    first_failure: float,
) -> DeadLetter:
    transient = status is DeadLetterStatus.WILL_RETRY
    return DeadLetter(
        feed=feed,
        status=status,
        error_class="transient" if transient else "terminal",
        message=message,
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
    retrying = AsyncRetrying(
        retry=retry_if_result(lambda result: result.outcome is Outcome.RETRY),
        stop=stop_after_attempt(policy.max_attempts) | stop_after_delay(policy.budget_s),
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
            result = await send_batch(client, endpoint, chunk)
        if attempt.retry_state.outcome and not attempt.retry_state.outcome.failed:
            attempt.retry_state.set_result(result)
    assert result is not None
    return result, attempts
