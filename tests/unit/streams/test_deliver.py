from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import hmac
from collections.abc import Callable

import httpx
import orjson
import pytest
from pydantic import SecretStr

from feeds.item import FeedItem, item_id
from feedsync.webhooks import sign
from streams.deliver.attempt import FeedPaused, deliver
from streams.deliver.http import Endpoint, idempotency_key
from streams.deliver.outcome import Outcome, classify_status, parse_retry_after
from streams.deliver.policy import RetryPolicy
from streams.dlq.record import DeadLetter, DeadLetterStatus

ENDPOINT = Endpoint(url="http://receiver.test/feeds/products")
POLICY = RetryPolicy(max_attempts=4, budget_s=1000, initial_backoff_s=0.5, max_backoff_s=8)


def items(n: int, feed: str = "products") -> list[FeedItem]:
    return [
        FeedItem(feed, item_id([f"sku-{i}", "default"]), {"sku": f"sku-{i}", "n": i}, version=i)
        for i in range(n)
    ]


def run(
    handler: Callable[[httpx.Request], httpx.Response], batch: list[FeedItem]
) -> tuple[object, list[float]]:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def scenario() -> object:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await deliver(client, "products", ENDPOINT, batch, POLICY, sleep=sleep)

    return asyncio.run(scenario()), sleeps


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.DELIVERED),
        (204, Outcome.DELIVERED),
        (400, Outcome.REJECTED),
        (422, Outcome.REJECTED),
        (401, Outcome.PAUSE),
        (403, Outcome.PAUSE),
        (413, Outcome.SPLIT),
        (408, Outcome.RETRY),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (503, Outcome.RETRY),
        (404, Outcome.REJECTED),
    ],
)
def test_status_classes_follow_the_design_table(status: int, outcome: Outcome) -> None:
    assert classify_status(status) is outcome


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_a_2xx_delivers_gzip_json_with_stable_idempotency_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    batch = items(3)
    delivery, sleeps = run(handler, batch)
    assert delivery.delivered == batch  # type: ignore[attr-defined]
    request = seen[0]
    assert request.headers["Content-Encoding"] == "gzip"
    body = orjson.loads(gzip.decompress(request.content))
    assert [entry["sku"] for entry in body] == ["sku-0", "sku-1", "sku-2"]
    assert body[0]["itemId"] == batch[0].id
    assert request.headers["Idempotency-Key"] == idempotency_key(list(reversed(batch)))
    assert sleeps == []


def test_transient_errors_back_off_then_succeed() -> None:
    answers = iter([503, 500, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(answers))

    delivery, sleeps = run(handler, items(2))
    assert len(delivery.delivered) == 2  # type: ignore[attr-defined]
    assert delivery.retries == 2  # type: ignore[attr-defined]
    assert len(sleeps) == 2
    assert all(0 < s <= 8 for s in sleeps)


def test_retry_after_is_honoured_and_capped() -> None:
    answers = iter([(429, "3"), (429, "100000"), (200, None)])

    def handler(request: httpx.Request) -> httpx.Response:
        status, retry_after = next(answers)
        return httpx.Response(status, headers={"Retry-After": retry_after} if retry_after else {})

    _delivery, sleeps = run(handler, items(1))
    assert sleeps == [3.0, POLICY.retry_after_cap_s]


def test_exhausted_budget_dead_letters_as_will_retry() -> None:
    delivery, sleeps = run(lambda r: httpx.Response(503, text="down for maintenance"), items(2))
    assert delivery.delivered == []  # type: ignore[attr-defined]
    (letter,) = delivery.dead_letters  # type: ignore[attr-defined]
    assert letter.status is DeadLetterStatus.WILL_RETRY
    assert letter.attempts == POLICY.max_attempts
    assert letter.http_status == 503
    assert "down for maintenance" in letter.response_excerpt
    assert len(sleeps) == POLICY.max_attempts - 1


def test_connection_errors_are_transient() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    delivery, _ = run(handler, items(1))
    (letter,) = delivery.dead_letters  # type: ignore[attr-defined]
    assert letter.status is DeadLetterStatus.WILL_RETRY
    assert "connection error" in letter.message


def test_400_dead_letters_the_batch_as_needs_attention_without_retry() -> None:
    delivery, sleeps = run(lambda r: httpx.Response(400, text='{"error":"bad sku"}'), items(3))
    (letter,) = delivery.dead_letters  # type: ignore[attr-defined]
    assert letter.status is DeadLetterStatus.NEEDS_ATTENTION
    assert letter.http_status == 400
    assert "bad sku" in letter.response_excerpt
    assert len(letter.items) == 3
    assert sleeps == []


def test_400_naming_items_dead_letters_those_and_resends_the_rest() -> None:
    batch = items(3)
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent = orjson.loads(gzip.decompress(request.content))
        calls.append(len(sent))
        if len(sent) == 3:
            return httpx.Response(
                400, json={"rejected": [{"itemId": batch[1].id, "reason": "bad price"}]}
            )
        return httpx.Response(200)

    delivery, _ = run(handler, batch)
    assert calls == [3, 2]
    assert [i.id for i in delivery.delivered] == [batch[0].id, batch[2].id]  # type: ignore[attr-defined]
    (letter,) = delivery.dead_letters  # type: ignore[attr-defined]
    assert [i.id for i in letter.items] == [batch[1].id]
    assert "bad price" in letter.message


def test_2xx_listing_rejected_items_dead_letters_only_those() -> None:
    batch = items(2)
    delivery, _ = run(
        lambda r: httpx.Response(200, json={"rejected": [{"itemId": batch[0].id}]}), batch
    )
    assert delivery.delivered == [batch[1]]  # type: ignore[attr-defined]
    assert [i.id for i in delivery.dead_letters[0].items] == [batch[0].id]  # type: ignore[attr-defined]


def test_413_halves_until_it_fits() -> None:
    sizes: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        n = len(orjson.loads(gzip.decompress(request.content)))
        sizes.append(n)
        return httpx.Response(413 if n > 2 else 200)

    delivery, _ = run(handler, items(8))
    assert len(delivery.delivered) == 8  # type: ignore[attr-defined]
    assert sizes == [8, 4, 2, 2, 4, 2, 2]


def test_401_pauses_the_feed_and_keeps_the_batch() -> None:
    with pytest.raises(FeedPaused, match="FEEDSYNC_FEEDS__PRODUCTS__BEARER_TOKEN"):
        run(lambda r: httpx.Response(401, text="bad token"), items(1))


def test_webhook_signature_matches_the_standard_webhooks_scheme() -> None:
    secret = SecretStr("whsec_" + base64.b64encode(b"k" * 24).decode())
    signature = sign(secret, "msg_1", 1700000000, b'[{"a":1}]')
    expected = hmac.new(b"k" * 24, b'msg_1.1700000000.[{"a":1}]', hashlib.sha256).digest()
    assert signature == "v1," + base64.b64encode(expected).decode()


def test_dead_letter_round_trips_through_its_record() -> None:
    letter = DeadLetter(
        feed="products",
        status=DeadLetterStatus.WILL_RETRY,
        error_class="transient",
        message="m",
        first_failure=1.0,
        last_failure=2.0,
        attempts=3,
        items=tuple(items(2)),
        http_status=503,
        raw=b"\x00\xff",
    )
    assert DeadLetter.from_record(letter.to_record()) == letter
