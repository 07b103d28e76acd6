from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import hmac
from collections.abc import Callable
from types import SimpleNamespace

import httpx
import orjson
import pytest
from pydantic import SecretStr

from feeds.item import FeedItem, ItemVersion, item_id
from feedsync.errors import ErrorClass
from feedsync.webhooks import sign
from streams.deliver.attempt import FeedPaused, deliver
from streams.deliver.http import Endpoint, idempotency_key, rate_limiter
from streams.deliver.outcome import (
    CredentialsRefused,
    EndpointRejected,
    EndpointUnavailable,
    PayloadTooLarge,
    error_for_status,
    parse_retry_after,
)
from streams.deliver.policy import RetryPolicy
from streams.letters import DeadLetter, DeadLetterStatus, SourceCoordinates, Stage

ENDPOINT = Endpoint(feed="products", url="http://receiver.test/feeds/products")
POLICY = RetryPolicy(max_attempts=4, budget_s=1000, initial_backoff_s=0.5, max_backoff_s=8)


def items(n: int, feed: str = "products") -> list[FeedItem]:
    return [
        FeedItem(
            feed, item_id([f"sku-{i}", "default"]), {"sku": f"sku-{i}", "n": i}, ItemVersion(i)
        )
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
            return await deliver(client, ENDPOINT, batch, POLICY, sleep=sleep)

    return asyncio.run(scenario()), sleeps


@pytest.mark.parametrize(
    ("status", "error", "error_class"),
    [
        (200, None, None),
        (204, None, None),
        (400, EndpointRejected, ErrorClass.TERMINAL),
        (422, EndpointRejected, ErrorClass.TERMINAL),
        (404, EndpointRejected, ErrorClass.TERMINAL),
        (401, CredentialsRefused, ErrorClass.CONFIG),
        (403, CredentialsRefused, ErrorClass.CONFIG),
        (413, PayloadTooLarge, ErrorClass.TERMINAL),
        (408, EndpointUnavailable, ErrorClass.TRANSIENT),
        (429, EndpointUnavailable, ErrorClass.TRANSIENT),
        (500, EndpointUnavailable, ErrorClass.TRANSIENT),
        (503, EndpointUnavailable, ErrorClass.TRANSIENT),
    ],
)
def test_status_classes_follow_the_design_table(
    status: int, error: type[Exception] | None, error_class: ErrorClass | None
) -> None:
    found = error_for_status(status, "products", f"HTTP {status}")
    if error is None:
        assert found is None
    else:
        assert type(found) is error
        assert found.error_class is error_class


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


def test_exhausted_budget_parks_each_item_as_will_retry() -> None:
    """A batch that fails whole is bisected once its budget is spent: with the endpoint
    down, each half fails its one probe and is parked, counting every attempt."""
    delivery, sleeps = run(lambda r: httpx.Response(503, text="down for maintenance"), items(2))
    assert delivery.delivered == []  # type: ignore[attr-defined]
    letters = delivery.dead_letters  # type: ignore[attr-defined]
    assert [len(letter.items) for letter in letters] == [1, 1]
    for letter in letters:
        assert letter.status is DeadLetterStatus.WILL_RETRY
        assert (letter.error_class, letter.error) == (ErrorClass.TRANSIENT, "EndpointUnavailable")
        assert letter.attempts == POLICY.max_attempts + 1
        assert letter.http_status == 503
        assert "down for maintenance" in letter.response_excerpt
    assert len(sleeps) == POLICY.max_attempts - 1  # the probes do not back off


def test_no_backoff_carries_a_batch_past_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """The budget bounds when the last attempt starts, not only when retrying stops: an
    endpoint down for longer than the budget ends in dead letters, never in a live send
    after the budget (CI saw an 8 s budget's batch delivered at 16 s)."""
    budget = RetryPolicy(max_attempts=60, budget_s=8, initial_backoff_s=0.5, max_backoff_s=60)
    slept: list[float] = []
    sent_at: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    # tenacity measures the budget on time.monotonic: here, the time the sleeps took.
    monkeypatch.setattr("tenacity.time", SimpleNamespace(monotonic=lambda: sum(slept)))

    def handler(request: httpx.Request) -> httpx.Response:
        sent_at.append(sum(slept))
        return httpx.Response(503 if sum(slept) < 15 else 200)

    async def scenario() -> object:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            return await deliver(client, ENDPOINT, items(1), budget, sleep=sleep)

    delivery = asyncio.run(scenario())
    assert delivery.delivered == []  # type: ignore[attr-defined]
    (letter,) = delivery.dead_letters  # type: ignore[attr-defined]
    assert letter.status is DeadLetterStatus.WILL_RETRY
    assert max(sent_at) < budget.budget_s
    assert len(sent_at) >= 4  # it did retry within the budget


def test_one_item_that_always_fails_is_isolated_and_parked_alone() -> None:
    batch = items(8)
    poison = batch[5].id

    def handler(request: httpx.Request) -> httpx.Response:
        sent = orjson.loads(gzip.decompress(request.content))
        return httpx.Response(500 if any(i["itemId"] == poison for i in sent) else 200)

    delivery, _ = run(handler, batch)
    assert sorted(i.id for i in delivery.delivered) == sorted(  # type: ignore[attr-defined]
        i.id for i in batch if i.id != poison
    )
    (letter,) = delivery.dead_letters  # type: ignore[attr-defined]
    assert [i.id for i in letter.items] == [poison]
    assert letter.status is DeadLetterStatus.WILL_RETRY


def test_a_400_for_the_batch_parks_only_the_item_at_fault() -> None:
    batch = items(6)
    poison = batch[2].id

    def handler(request: httpx.Request) -> httpx.Response:
        sent = orjson.loads(gzip.decompress(request.content))
        return httpx.Response(400 if any(i["itemId"] == poison for i in sent) else 200)

    delivery, sleeps = run(handler, batch)
    assert len(delivery.delivered) == 5  # type: ignore[attr-defined]
    (letter,) = delivery.dead_letters  # type: ignore[attr-defined]
    assert [i.id for i in letter.items] == [poison]
    assert letter.status is DeadLetterStatus.NEEDS_ATTENTION
    assert sleeps == []


def test_connection_errors_are_transient() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    delivery, _ = run(handler, items(1))
    (letter,) = delivery.dead_letters  # type: ignore[attr-defined]
    assert letter.status is DeadLetterStatus.WILL_RETRY
    assert "connection error" in letter.message


def test_400_for_every_item_parks_each_as_needs_attention_without_retry() -> None:
    delivery, sleeps = run(lambda r: httpx.Response(400, text='{"error":"bad sku"}'), items(3))
    letters = delivery.dead_letters  # type: ignore[attr-defined]
    assert sorted(len(letter.items) for letter in letters) == [1, 1, 1]
    for letter in letters:
        assert letter.status is DeadLetterStatus.NEEDS_ATTENTION
        assert (letter.error_class, letter.error) == (ErrorClass.TERMINAL, "EndpointRejected")
        assert letter.http_status == 400
        assert "bad sku" in letter.response_excerpt
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


def test_401_pauses_the_feed_naming_the_variable_to_fix() -> None:
    with pytest.raises(FeedPaused) as paused:
        run(lambda r: httpx.Response(401, text="bad token"), items(1))
    assert "FEEDSYNC_DELIVERY__FEEDS__PRODUCTS__BEARER_TOKEN" in str(paused.value)
    assert "FEEDSYNC_STREAMS__PAUSE_RETRY_S" in str(paused.value)
    assert paused.value.error_class is ErrorClass.CONFIG


class RawTransport(httpx.AsyncBaseTransport):
    """Answers with a body that is not read on the way, as a real connection does (httpx's
    MockTransport decodes the body itself, so it cannot show a broken one)."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body = status, body

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        headers = {"Content-Encoding": "gzip"}
        return httpx.Response(self.status, headers=headers, stream=httpx.ByteStream(self.body))


def run_raw(status: int, body: bytes, batch: list[FeedItem]) -> object:
    async def scenario() -> object:
        async with httpx.AsyncClient(transport=RawTransport(status, body)) as client:
            return await deliver(client, ENDPOINT, batch, POLICY, sleep=no_sleep)

    async def no_sleep(seconds: float) -> None:
        return None

    return asyncio.run(scenario())


def test_a_2xx_with_a_body_that_does_not_decode_is_delivered() -> None:
    batch = items(2)
    delivery = run_raw(200, b"not gzip", batch)
    assert delivery.delivered == batch  # type: ignore[attr-defined]
    assert delivery.dead_letters == []  # type: ignore[attr-defined]


def test_a_5xx_with_a_body_that_does_not_decode_is_retried_then_parked() -> None:
    delivery = run_raw(503, b"\x00\x01", items(1))
    (letter,) = delivery.dead_letters  # type: ignore[attr-defined]
    assert letter.error == "EndpointUnavailable"
    assert "does not decode" in letter.response_excerpt


def test_a_webhook_secret_that_cannot_sign_pauses_the_feed_naming_the_variable() -> None:
    endpoint = Endpoint(
        feed="products", url=ENDPOINT.url, webhook_secret=SecretStr("whsec_not*base64!")
    )

    async def scenario() -> None:
        transport = httpx.MockTransport(lambda r: httpx.Response(200))
        async with httpx.AsyncClient(transport=transport) as client:
            await deliver(client, endpoint, items(1), POLICY)

    with pytest.raises(FeedPaused) as paused:
        asyncio.run(scenario())
    assert "FEEDSYNC_DELIVERY__FEEDS__PRODUCTS__WEBHOOK_SECRET" in str(paused.value)
    assert "not*base64" not in str(paused.value)


def test_webhook_signature_matches_the_standard_webhooks_scheme() -> None:
    secret = SecretStr("whsec_" + base64.b64encode(b"k" * 24).decode())
    signature = sign(secret, "msg_1", 1700000000, b'[{"a":1}]')
    expected = hmac.new(b"k" * 24, b'msg_1.1700000000.[{"a":1}]', hashlib.sha256).digest()
    assert signature == "v1," + base64.b64encode(expected).decode()


def test_dead_letter_round_trips_through_its_record() -> None:
    letter = DeadLetter(
        feed="products",
        stage=Stage.REDRIVE,
        status=DeadLetterStatus.WILL_RETRY,
        error_class=ErrorClass.TRANSIENT,
        error="EndpointUnavailable",
        message="m",
        first_failure=1.0,
        last_failure=2.0,
        attempts=3,
        items=tuple(items(2)),
        http_status=503,
        raw=b"\x00\xff",
        coordinates=SourceCoordinates("feedsync.items.products", 2, (17,), "abc"),
        extra={"entity": "products", "key": "42"},
    )
    assert DeadLetter.from_record(letter.to_record()) == letter


def test_a_rate_limit_allows_a_second_s_worth_of_requests_then_makes_them_wait() -> None:
    assert rate_limiter(None) is None

    async def take(per_s: float) -> tuple[int, float]:
        limiter = rate_limiter(per_s)
        assert limiter is not None
        taken = 0
        while limiter.has_capacity():
            await limiter.acquire()
            taken += 1
        return taken, limiter.time_period

    assert asyncio.run(take(2)) == (2, 1.0)  # Adobe's ingestion: 2 requests a second
    assert asyncio.run(take(0.5)) == (1, 2.0)  # one request every two seconds
