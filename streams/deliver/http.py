"""The HTTP boundary: one POST of one batch, and what came back.

Library errors stop here. An httpx timeout or connection error becomes an
``EndpointUnavailable`` result, a secret that cannot sign a ``ConfigError`` result, never
an exception, so the retry policy above decides by error class alone. The response body
is decoded here, so that a 2xx whose body is not what its headers say (a broken gzip
stream) still counts as delivered: the status is the endpoint's answer.
"""

from __future__ import annotations

import gzip
import hashlib
import ssl
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx
import orjson
from aiolimiter import AsyncLimiter
from pydantic import SecretStr

from feeds.item import FeedItem
from feeds.wire import to_wire
from feedsync.errors import ConfigError, FeedsyncError
from feedsync.webhooks import sign
from streams.deliver.outcome import (
    EndpointRejected,
    EndpointUnavailable,
    EndpointUntrusted,
    error_for_status,
    parse_retry_after,
)

__all__ = [
    "Endpoint",
    "SendResult",
    "idempotency_key",
    "rate_limiter",
    "request_body",
    "send_batch",
]

EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Endpoint:
    """Where and how one feed's batches are sent."""

    feed: str
    url: str
    bearer_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    timeout_s: float = 30.0
    # The destination's client-side rate limit, shared by its feeds (every request waits
    # for a slot, retries too); None: none.
    limiter: AsyncLimiter | None = None


@dataclass(frozen=True)
class SendResult:
    """One request's answer: ``error`` None for a 2xx, else the error class that decides."""

    status: int | None
    request_id: str
    error: FeedsyncError | None = None
    excerpt: str = ""
    retry_after_s: float | None = None
    rejected: dict[str, str] = field(default_factory=dict)  # item id -> reason

    def describe(self) -> str:
        what = f"HTTP {self.status}" if self.status is not None else "no response"
        return f"{what} (request {self.request_id})"


def rate_limiter(per_s: float | None) -> AsyncLimiter | None:
    """A limiter of ``per_s`` requests a second (bursts of up to one second's worth, and
    at least one request), or None."""
    if per_s is None:
        return None
    if per_s >= 1:
        return AsyncLimiter(per_s, time_period=1.0)
    return AsyncLimiter(1, time_period=1.0 / per_s)


def idempotency_key(items: Sequence[FeedItem]) -> str:
    """The sha256 of the batch's sorted (item id, version) pairs: the same for the same
    versions of the same items however they are batched, restarted or replayed, and new
    when an item changes and changes back (A → B → A are three versions)."""
    digest = hashlib.sha256()
    for item_id, version in sorted((item.id, item.version.text) for item in items):
        digest.update(f"{item_id}:{version};".encode())
    return digest.hexdigest()


def request_body(items: Sequence[FeedItem]) -> bytes:
    """The JSON array sent: each item's payload in the exporter's types (feeds/wire.py) plus
    its ``itemId`` and ``itemVersion`` (compare as strings: a receiver keeps the greater and
    drops a stale write)."""
    return orjson.dumps(
        [
            {
                "itemId": item.id,
                "itemVersion": item.version.text,
                **to_wire(item.feed, item.payload),
            }
            for item in items
        ]
    )


async def send_batch(
    client: httpx.AsyncClient, endpoint: Endpoint, items: Sequence[FeedItem]
) -> SendResult:
    """POST one gzip JSON batch and classify the answer."""
    body = request_body(items)
    key = idempotency_key(items)
    request_id = str(uuid.uuid4())
    try:
        headers = _headers(endpoint, key, request_id, body)
    except ValueError as exc:
        return SendResult(None, request_id, ConfigError(str(exc), hint=_secret_hint(endpoint)))
    if endpoint.limiter is not None:
        await endpoint.limiter.acquire()
    try:
        async with client.stream(
            "POST",
            endpoint.url,
            content=gzip.compress(body, compresslevel=5),
            headers=headers,
            timeout=endpoint.timeout_s,
        ) as response:
            text = await _read_text(response)
    except httpx.TimeoutException as exc:
        timeout = f"timeout after {endpoint.timeout_s}s: {type(exc).__name__}"
        return SendResult(None, request_id, EndpointUnavailable(timeout))
    except httpx.ConnectError as exc:
        return SendResult(None, request_id, _connect_error(exc, endpoint))
    except httpx.HTTPError as exc:  # reset, protocol errors
        return SendResult(None, request_id, EndpointUnavailable(f"connection error: {exc!r}"))
    request_id = response.headers.get("X-Request-Id", request_id)
    what = f"HTTP {response.status_code}, request {request_id}"
    error = error_for_status(response.status_code, endpoint.feed, what)
    lists_rejections = error is None or isinstance(error, EndpointRejected)
    return SendResult(
        status=response.status_code,
        request_id=request_id,
        error=error,
        excerpt=text[:EXCERPT_CHARS],
        retry_after_s=parse_retry_after(response.headers.get("Retry-After")),
        rejected=_rejected_items(text) if lists_rejections else {},
    )


def _headers(endpoint: Endpoint, key: str, request_id: str, body: bytes) -> dict[str, str]:
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
        try:
            signature = sign(endpoint.webhook_secret, key, timestamp, body)
        except ValueError as exc:  # binascii.Error too: a whsec_ secret that is not base64
            raise ValueError(f"feed {endpoint.feed}: the webhook secret cannot sign") from exc
        headers["webhook-id"] = key
        headers["webhook-timestamp"] = str(timestamp)
        headers["webhook-signature"] = signature
    return headers


def _connect_error(error: httpx.ConnectError, endpoint: Endpoint) -> FeedsyncError:
    """A refused connection is transient; a certificate this worker does not trust is not
    (it stays untrusted until the settings change)."""
    if _caused_by(error, ssl.SSLCertVerificationError):
        return EndpointUntrusted(
            f"feed {endpoint.feed}: the TLS certificate of {endpoint.url} is not trusted ({error})",
            hint="set FEEDSYNC_DELIVERY__CA_BUNDLE to a PEM file holding the CA that signed "
            "it, and restart the worker",
        )
    return EndpointUnavailable(f"connection error: {error!r}")


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is in the chain of errors that led to ``error`` (httpx wraps
    httpcore's error, which wraps the ssl module's)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _secret_hint(endpoint: Endpoint) -> str:
    return (
        f"set FEEDSYNC_DELIVERY__FEEDS__{endpoint.feed.upper()}__WEBHOOK_SECRET to whsec_ "
        "followed by base64, and restart the worker"
    )


async def _read_text(response: httpx.Response) -> str:
    """The body as text; a body its Content-Encoding cannot decode says so instead."""
    try:
        await response.aread()
    except httpx.DecodingError as exc:
        encoding = response.headers.get("Content-Encoding", "")
        return f"<a {encoding} body that does not decode: {exc}>"
    return response.text


def _rejected_items(text: str) -> dict[str, str]:
    """Items a body lists as rejected: ``{"rejected": [{"itemId": ..., "reason": ...}]}``."""
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(body, dict) or not isinstance(body.get("rejected"), list):
        return {}
    return {
        str(entry["itemId"]): str(entry.get("reason", "rejected by the receiver"))
        for entry in body["rejected"]
        if isinstance(entry, dict) and "itemId" in entry
    }
