"""The HTTP boundary: one POST of one batch, and what came back.

Library errors stop here: an httpx timeout or connection error becomes a ``RETRY``
result, never an exception, so the retry policy above decides by outcome alone.
"""

from __future__ import annotations

import gzip
import hashlib
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
import orjson
from pydantic import SecretStr

from feeds.item import FeedItem
from feedsync.webhooks import sign
from streams.deliver.outcome import Outcome, classify_status, parse_retry_after

__all__ = ["Endpoint", "SendResult", "idempotency_key", "request_body", "send_batch"]

EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Endpoint:
    """Where and how one feed's batches are sent."""

    url: str
    bearer_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    timeout_s: float = 30.0


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    status: int | None
    request_id: str
    excerpt: str = ""
    retry_after_s: float | None = None
    rejected: dict[str, str] = field(default_factory=dict)  # item id -> reason
    error: str | None = None

    def describe(self) -> str:
        what = f"HTTP {self.status}" if self.status is not None else (self.error or "no response")
        return f"{what} (request {self.request_id})"


def idempotency_key(items: Sequence[FeedItem]) -> str:
    """Stable for the same batch content, across restarts and replays."""
    digest = hashlib.sha256()
    for item_id, item_hash in sorted((item.id, item.hash) for item in items):
        digest.update(f"{item_id}:{item_hash};".encode())
    return digest.hexdigest()


def request_body(items: Sequence[FeedItem]) -> bytes:
    """The JSON array sent: each item's payload plus its ``itemId``."""
    return orjson.dumps([{"itemId": item.id, **item.payload} for item in items])


async def send_batch(
    client: httpx.AsyncClient, endpoint: Endpoint, items: Sequence[FeedItem]
) -> SendResult:
    """POST one gzip JSON batch and classify the response."""
    body = request_body(items)
    key = idempotency_key(items)
    request_id = str(uuid.uuid4())
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "Idempotency-Key": key,
        "X-Request-Id": request_id,
    }
    if endpoint.bearer_token is not None:
        headers["Authorization"] = f"Bearer {endpoint.bearer_token.get_secret_value()}"
    if endpoint.webhook_secret is not None:
        timestamp = int(time.time())
        headers["webhook-id"] = key
        headers["webhook-timestamp"] = str(timestamp)
        headers["webhook-signature"] = sign(endpoint.webhook_secret, key, timestamp, body)
    try:
        response = await client.post(
            endpoint.url,
            content=gzip.compress(body, compresslevel=5),
            headers=headers,
            timeout=endpoint.timeout_s,
        )
    except httpx.TimeoutException as exc:
        return SendResult(Outcome.RETRY, None, request_id, error=f"timeout: {type(exc).__name__}")
    except httpx.TransportError as exc:
        return SendResult(Outcome.RETRY, None, request_id, error=f"connection error: {exc}")
    outcome = classify_status(response.status_code)
    return SendResult(
        outcome=outcome,
        status=response.status_code,
        request_id=response.headers.get("X-Request-Id", request_id),
        excerpt=response.text[:EXCERPT_CHARS],
        retry_after_s=parse_retry_after(response.headers.get("Retry-After")),
        rejected=(
            _rejected_items(response) if outcome in (Outcome.DELIVERED, Outcome.REJECTED) else {}
        ),
    )


def _rejected_items(response: httpx.Response) -> dict[str, str]:
    """Items a 2xx body lists as rejected: ``{"rejected": [{"itemId": ..., "reason": ...}]}``."""
    try:
        body = response.json()
    except ValueError:
        return {}
    if not isinstance(body, dict) or not isinstance(body.get("rejected"), list):
        return {}
    return {
        str(entry["itemId"]): str(entry.get("reason", "rejected by the receiver"))
        for entry in body["rejected"]
        if isinstance(entry, dict) and "itemId" in entry
    }
