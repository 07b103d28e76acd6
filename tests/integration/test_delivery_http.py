"""The sender against the real reference receiver over loopback HTTP."""

from __future__ import annotations

import asyncio
import gzip
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
import trustme
from pydantic import SecretStr

from feeds.item import FeedItem, ItemVersion, item_id
from feedsync.stack.pipeline import FEEDSYNC
from feedsync.webhooks import sign
from streams.deliver.attempt import Delivery, FeedPaused, deliver
from streams.deliver.http import Endpoint
from streams.deliver.policy import RetryPolicy
from streams.deliver.sender import delivery_client
from streams.letters import DeadLetterStatus
from tests.integration.receiver import Receiver, free_port, running_receiver

pytestmark = pytest.mark.integration
FAST = RetryPolicy(max_attempts=30, budget_s=60, initial_backoff_s=0.2, max_backoff_s=2)
TOKEN = "t0ken-for-tests"
SECRET = "whsec_" + "a2V5LWZvci10ZXN0cy1vbmx5LTAxMjM0NTY3"


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    with running_receiver(tmp_path) as running:
        yield running


def items(n: int, tag: str = "") -> list[FeedItem]:
    return [
        FeedItem(
            "products",
            item_id([f"sku-{i}", "default"]),
            {"sku": f"sku-{i}", "storeViewCode": "default", "name": f"n{i}{tag}"},
            version=ItemVersion(i),
        )
        for i in range(n)
    ]


def send(endpoint: Endpoint, batch: list[FeedItem], policy: RetryPolicy = FAST) -> Delivery:
    async def scenario() -> Delivery:
        async with httpx.AsyncClient() as client:
            return await deliver(client, endpoint, batch, policy)

    return asyncio.run(scenario())


def request_times(db_path: Path) -> list[tuple[float, int]]:
    with sqlite3.connect(db_path) as db:
        return list(db.execute("SELECT received_at, status FROM requests ORDER BY seq"))


def test_batch_is_stored_per_item_id(receiver: Receiver) -> None:
    batch = items(5)
    delivery = send(Endpoint("products", receiver.feed_url("products")), batch)
    assert len(delivery.delivered) == 5
    stored = receiver.items("products")
    assert set(stored) == {item.id for item in batch}
    assert stored[batch[2].id]["name"] == "n2"


def test_a_peers_raw_records_are_counted_apart_from_the_feeds(receiver: Receiver) -> None:
    """``/raw/{source}`` counts another sender's records (a benchmark's peer) and keeps
    them out of the feeds' items and the request analysis."""
    before = receiver.stats()
    receiver.request("POST", "/raw/peer", content=b'[{"a": 1}, {"a": 2}, {"a": 3}]', timeout=10)
    receiver.request("POST", "/raw/peer", content=b'{"a": 4}', timeout=10)
    refused = httpx.post(f"{receiver.url}/raw/peer", content=b"not json", timeout=10)
    assert refused.status_code == 400
    assert "not JSON" in refused.json()["error"]
    counted = receiver.request("GET", "/raw/peer", timeout=10).json()
    assert (counted["requests"], counted["records"]) == (2, 4)
    assert counted["first"] <= counted["last"]
    assert receiver.request("GET", "/raw/other", timeout=10).json()["records"] == 0
    assert receiver.stats()["requests"] == before["requests"]


def test_503_window_then_recovery_delivers_everything(receiver: Receiver) -> None:
    receiver.set_faults([{"status": 503, "duration_s": 3}])
    delivery = send(Endpoint("products", receiver.feed_url("products")), items(4))
    assert len(delivery.delivered) == 4
    assert delivery.retries >= 1
    statuses = [status for _, status in request_times(receiver.db_path)]
    assert statuses[0] == 503
    assert statuses[-1] == 200


def test_429_retry_after_is_waited_out(receiver: Receiver) -> None:
    receiver.set_faults([{"status": 429, "retry_after": "3", "times": 1}])
    send(Endpoint("products", receiver.feed_url("products")), items(1))
    (first, status_1), (second, status_2) = request_times(receiver.db_path)
    assert (status_1, status_2) == (429, 200)
    assert second - first >= 3.0


def test_400_becomes_a_needs_attention_dead_letter_with_excerpt(receiver: Receiver) -> None:
    # The batch, then each of its halves (bisected to find the item at fault): all refused.
    receiver.set_faults([{"status": 400, "times": 3}])
    delivery = send(Endpoint("products", receiver.feed_url("products")), items(2))
    assert [len(letter.items) for letter in delivery.dead_letters] == [1, 1]
    for letter in delivery.dead_letters:
        assert letter.status is DeadLetterStatus.NEEDS_ATTENTION
        assert letter.http_status == 400
        assert "fault injection" in letter.response_excerpt
    later = send(Endpoint("products", receiver.feed_url("products")), items(2, tag="-later"))
    assert len(later.delivered) == 2


def test_hang_past_the_timeout_is_retried(receiver: Receiver) -> None:
    receiver.set_faults([{"hang_s": 5, "times": 1}])
    delivery = send(Endpoint("products", receiver.feed_url("products"), timeout_s=1), items(1))
    assert len(delivery.delivered) == 1
    assert delivery.retries == 1


def test_per_item_rejections_are_dead_lettered_individually(receiver: Receiver) -> None:
    batch = items(3)
    receiver.set_faults([{"status": 200, "reject_item_ids": [batch[1].id], "times": 1}])
    delivery = send(Endpoint("products", receiver.feed_url("products")), batch)
    assert [i.id for i in delivery.delivered] == [batch[0].id, batch[2].id]
    assert [i.id for i in delivery.dead_letters[0].items] == [batch[1].id]
    assert batch[1].id not in receiver.items("products")


def test_a_corrupt_body_fault_answers_2xx_with_a_body_that_is_not_gzip(
    receiver: Receiver,
) -> None:
    batch = [{"itemId": item.id, **item.payload} for item in items(2)]
    url = receiver.feed_url("products")
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    content = gzip.compress(orjson.dumps(batch))
    receiver.set_faults([{"status": 200, "corrupt_body": True, "times": 2}])
    # The status and headers arrive intact; decoding the body is what fails.
    with httpx.stream("POST", url, content=content, headers=headers, timeout=10) as response:
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "gzip"
        with pytest.raises(httpx.DecodingError):
            response.read()  # what .text / .json() need first
    # A plain post reads the body before it returns, so it raises rather than answering.
    with pytest.raises(httpx.DecodingError):
        httpx.post(url, content=content, headers=headers, timeout=10)
    # A 2xx accepts the batch: its items are stored though the answer could not be read.
    assert set(receiver.items("products")) == {item["itemId"] for item in batch}
    assert [status for _, status in request_times(receiver.db_path)] == [200, 200]
    # The rule retires after ``times``; the next answer decodes.
    answer = httpx.post(url, content=content, headers=headers, timeout=10)
    assert answer.json() == {"accepted": 2, "rejected": []}


def test_too_large_batches_are_split(tmp_path: Path) -> None:
    with running_receiver(tmp_path, max_body_bytes="400") as receiver:
        delivery = send(Endpoint("products", receiver.feed_url("products")), items(8))
        assert len(delivery.delivered) == 8
        assert 413 in {status for _, status in request_times(receiver.db_path)}


def test_bearer_and_webhook_signature_are_verified(tmp_path: Path) -> None:
    with running_receiver(tmp_path, bearer_token=TOKEN, webhook_secret=SECRET) as receiver:
        url = receiver.feed_url("products")
        good = Endpoint(
            "products", url, bearer_token=SecretStr(TOKEN), webhook_secret=SecretStr(SECRET)
        )
        assert len(send(good, items(2)).delivered) == 2
        with pytest.raises(FeedPaused, match="401"):
            send(
                Endpoint(
                    "products",
                    url,
                    bearer_token=SecretStr("wrong"),
                    webhook_secret=SecretStr(SECRET),
                ),
                items(1),
            )
        with pytest.raises(FeedPaused, match="401"):
            send(
                Endpoint(
                    "products",
                    url,
                    bearer_token=SecretStr(TOKEN),
                    webhook_secret=SecretStr("whsec_d3Jvbmcta2V5LWJ5dGVz"),  # valid, wrong key
                ),
                items(1),
            )


def test_with_a_token_every_route_of_the_receiver_needs_it(tmp_path: Path) -> None:
    """The items hold orders' personal data, and ``/_faults`` steers every answer."""
    with running_receiver(tmp_path, bearer_token=TOKEN) as receiver:
        endpoint = Endpoint(
            "products", receiver.feed_url("products"), bearer_token=SecretStr(TOKEN)
        )
        assert len(send(endpoint, items(1)).delivered) == 1
        routes = [
            ("GET", "/feeds/products/items"),
            ("GET", "/feeds/products/received?since=0"),
            ("DELETE", "/feeds/orders/items"),
            ("GET", "/_stats"),
            ("POST", "/raw/peer"),
            ("GET", "/raw/peer"),
            ("GET", "/_faults"),
            ("PUT", "/_faults"),
        ]
        for method, path in routes:
            bare = httpx.request(method, f"{receiver.url}{path}", content=b"[]", timeout=10)
            wrong = httpx.request(
                method,
                f"{receiver.url}{path}",
                content=b"[]",
                headers={"Authorization": "Bearer wrong"},
                timeout=10,
            )
            assert (bare.status_code, wrong.status_code) == (401, 401), (method, path)
            receiver.request(method, path, content=b"[]", timeout=10)  # raises unless 2xx
        assert httpx.get(f"{receiver.url}/healthz", timeout=10).status_code == 200
        assert len(receiver.items("products")) == 1


def test_a_replayed_signed_batch_is_not_applied_again(tmp_path: Path) -> None:
    """Replaying an accepted batch (same webhook-id, within the signature's tolerance)
    would put its older content back over what came since."""
    with running_receiver(tmp_path, webhook_secret=SECRET) as receiver:
        url = receiver.feed_url("products")

        def post(message_id: str, name: str) -> httpx.Response:
            body = orjson.dumps([{"itemId": "sku-1", "name": name}])
            stamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                "webhook-id": message_id,
                "webhook-timestamp": str(stamp),
                "webhook-signature": sign(SecretStr(SECRET), message_id, stamp, body),
            }
            response = httpx.post(url, content=body, headers=headers, timeout=10)
            assert response.status_code == 200, response.text
            return response

        post("batch-1", "old")
        post("batch-2", "new")
        replay = post("batch-1", "old")
        assert replay.json()["duplicate"] is True
        assert receiver.items("products")["sku-1"]["name"] == "new"


def test_the_receiver_refuses_to_listen_beyond_loopback_without_a_token(tmp_path: Path) -> None:
    port = str(free_port())
    env = {**os.environ, "FEEDSYNC_RECEIVER__HOST": "0.0.0.0", "FEEDSYNC_RECEIVER__PORT": port}
    env.pop("FEEDSYNC_RECEIVER__BEARER_TOKEN", None)
    refused = subprocess.run(
        [FEEDSYNC, "receive"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert refused.returncode != 0
    assert "FEEDSYNC_RECEIVER__BEARER_TOKEN" in refused.stdout + refused.stderr


def test_an_https_endpoint_is_trusted_only_once_its_ca_is_configured(tmp_path: Path) -> None:
    """A receiver whose certificate a private CA signed: refused (the feed pauses, naming
    the setting to fix) until FEEDSYNC_DELIVERY__CA_BUNDLE holds that CA."""
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1")
    cert, key, bundle = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    for blob in issued.cert_chain_pems:
        blob.write_to_path(str(cert), append=True)
    issued.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(bundle))
    with running_receiver(
        tmp_path, ca=bundle, tls_cert=str(cert), tls_key=str(key), bearer_token=TOKEN
    ) as receiver:
        endpoint = Endpoint(
            "products", receiver.feed_url("products"), bearer_token=SecretStr(TOKEN)
        )
        assert endpoint.url.startswith("https://")

        def send_with(ca_bundle: Path | None, batch: list[FeedItem]) -> Delivery:
            async def scenario() -> Delivery:
                async with delivery_client(ca_bundle) as client:
                    return await deliver(client, endpoint, batch, FAST)

            return asyncio.run(scenario())

        with pytest.raises(FeedPaused, match="FEEDSYNC_DELIVERY__CA_BUNDLE") as paused:
            send_with(None, items(1))
        assert "not trusted" in str(paused.value)
        assert receiver.items("products") == {}
        assert len(send_with(bundle, items(2)).delivered) == 2
        assert len(receiver.items("products")) == 2
