"""The receiver's HTTP API (aiohttp).

POST /feeds/{feed}        a gzip (or plain) JSON array of items, each with ``itemId``
GET  /feeds/{feed}/items  the latest item per id (``?id=`` for one)
DELETE /feeds/{feed}/items  forget the feed's items (a service that lost its data)
GET  /feeds/{feed}/received?since=  times each item id was received since an epoch time
POST /raw/{source}        any JSON (an array counts as its records), only counted: a peer's
                          records in a side-by-side benchmark
GET  /raw/{source}        requests, records, first and last time received
GET  /_stats              request counts and duplicate analysis
GET|PUT /_faults          the active fault rules (a JSON list of FaultRule)
GET  /healthz

With a bearer token (``FEEDSYNC_RECEIVER__BEARER_TOKEN``) every route but ``/healthz``
needs it: the items hold customers' orders, and ``/_faults`` steers the answers. With a
webhook secret, batches must be signed, and a signed batch whose ``webhook-id`` was already
accepted within the signature's tolerance window is not applied again (answered as a
duplicate: a sender's retry after a lost answer is one; a replay of an older batch, which
would put older content back, is another).
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web
from pydantic import SecretStr, ValidationError

from feedsync.receiver.faults import FaultPlan, FaultRule
from feedsync.receiver.store import ItemStore
from feedsync.webhooks import verify

__all__ = ["ReceiverConfig", "build_app"]

SIGNATURE_TOLERANCE_S = 300
STORE: web.AppKey[ItemStore] = web.AppKey("store", ItemStore)
FAULTS: web.AppKey[FaultPlan] = web.AppKey("faults", FaultPlan)


@dataclass(frozen=True)
class ReceiverConfig:
    db_path: Path
    bearer_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    max_body_bytes: int = 32 * 1024 * 1024  # decompressed; larger batches get 413
    # Apply each Idempotency-Key once, as some services do: a batch with a key seen before
    # is answered 200 and dropped (the case a key reused for other content would break).
    dedupe_by_key: bool = False


CONFIG: web.AppKey[ReceiverConfig] = web.AppKey("config", ReceiverConfig)


class SignedIds:
    """The ``webhook-id``s of the signed batches accepted, each until its timestamp is
    outside the tolerance window (from then on the timestamp check refuses a replay)."""

    def __init__(self) -> None:
        self._accepted: dict[str, int] = {}  # id -> its webhook-timestamp, in arrival order

    def seen(self, message_id: str) -> bool:
        self._forget_expired()
        return message_id in self._accepted

    def accepted(self, message_id: str, timestamp: int) -> None:
        self._accepted.pop(message_id, None)
        self._accepted[message_id] = timestamp

    def _forget_expired(self) -> None:
        """From the oldest arrival on, while expired (arrival order is timestamp order but
        for a sender's clock skew, which only keeps an id a little longer)."""
        oldest = time.time() - 2 * SIGNATURE_TOLERANCE_S  # timestamps may run a window ahead
        while self._accepted:
            message_id, timestamp = next(iter(self._accepted.items()))
            if timestamp >= oldest:
                return
            del self._accepted[message_id]


SIGNED: web.AppKey[SignedIds] = web.AppKey("signed", SignedIds)
BATCHES, HEALTH = "batches", "healthz"  # the routes that check their own requests


def build_app(config: ReceiverConfig, faults: FaultPlan | None = None) -> web.Application:
    app = web.Application(client_max_size=config.max_body_bytes, middlewares=[authorise])
    app[CONFIG] = config
    app[STORE] = ItemStore(config.db_path)
    app[FAULTS] = faults or FaultPlan()
    app[SIGNED] = SignedIds()
    app.router.add_post("/feeds/{feed}", receive_batch, name=BATCHES)
    app.router.add_get("/feeds/{feed}/items", list_items)
    app.router.add_delete("/feeds/{feed}/items", wipe_items)
    app.router.add_get("/feeds/{feed}/received", received_since)
    app.router.add_post("/raw/{source}", receive_raw)
    app.router.add_get("/raw/{source}", raw_received)
    app.router.add_get("/_stats", stats)
    app.router.add_get("/_faults", get_faults)
    app.router.add_put("/_faults", put_faults)
    app.router.add_get("/healthz", healthz, name=HEALTH)
    app.on_cleanup.append(_close_store)
    return app


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def authorise(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The bearer token on every route but the health check and the batches (which check
    it themselves, and record the refusal)."""
    token = request.app[CONFIG].bearer_token
    if token is None or request.match_info.route.name in (BATCHES, HEALTH):
        return await handler(request)
    if not _bearer_matches(token, request.headers):
        return _json(401, {"error": "missing or wrong bearer token"})
    return await handler(request)


async def receive_batch(request: web.Request) -> web.Response:
    config, store = request.app[CONFIG], request.app[STORE]
    feed = request.match_info["feed"]
    request_id = request.headers.get("X-Request-Id")
    key = request.headers.get("Idempotency-Key")

    def refuse(status: int, error: str) -> web.Response:
        store.record_request(feed, key, [], status)
        return _json(status, {"error": error})

    try:
        # aiohttp undoes Content-Encoding: gzip itself; client_max_size bounds what it
        # reads off the wire, the check below what the batch is once decoded.
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        body = None
    if body is None or len(body) > config.max_body_bytes:
        return refuse(413, f"batch larger than {config.max_body_bytes} bytes")
    denied = _authenticate(config, request.headers, body)
    if denied:
        return refuse(401, denied)
    items = _batch_of(body)
    if isinstance(items, str):
        return refuse(400, items)

    fault = request.app[FAULTS].pick(feed, items)
    if fault is not None:
        if fault.latency_s:
            await asyncio.sleep(fault.latency_s)
        if fault.hang_s:
            await asyncio.sleep(fault.hang_s)
            return _json(503, {"error": "hung (fault injection)"})
        if fault.status is not None and not 200 <= fault.status < 300:
            store.record_request(feed, key, items, fault.status)
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            if fault.corrupt_body:
                return _corrupt(fault.status, headers)
            return _json(fault.status, {"error": "fault injection"}, headers)
    signed_id = request.headers.get("webhook-id") if config.webhook_secret else None
    replayed = signed_id is not None and request.app[SIGNED].seen(signed_id)
    if replayed or (config.dedupe_by_key and store.seen_key(feed, key)):
        store.record_request(feed, key, items, 200)
        return _json(200, {"accepted": 0, "duplicate": True})
    rejected = request.app[FAULTS].rejected(fault, [i["itemId"] for i in items]) if fault else []
    accepted = [item for item in items if item["itemId"] not in set(rejected)]
    store.upsert(feed, accepted, request_id, key)
    if fault is not None and fault.corrupt_body:
        # Accepted and stored: only the answer is broken (FaultRule.corrupt_body).
        status = fault.status or 200
        store.record_request(feed, key, items, status)
        return _corrupt(status)
    store.record_request(feed, key, items, 200)
    if signed_id is not None:
        request.app[SIGNED].accepted(signed_id, int(request.headers["webhook-timestamp"]))
    return _json(
        200,
        {
            "accepted": len(accepted),
            "rejected": [{"itemId": i, "reason": "rejected (fault injection)"} for i in rejected],
        },
    )


def _batch_of(body: bytes) -> list[dict[str, Any]] | str:
    """The batch's items, or what is wrong with it."""
    try:
        items = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return f"body is not JSON: {exc}"
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("itemId"), str) for i in items
    ):
        return "body must be a JSON array of objects with an itemId"
    return items


async def receive_raw(request: web.Request) -> web.Response:
    """Records of a sender that is not feedsync, counted and dropped: a JSON array is as
    many records as it has elements, anything else one."""
    body = await request.read()
    try:
        records = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return _json(400, {"error": f"body is not JSON: {exc}"})
    count = len(records) if isinstance(records, list) else 1
    request.app[STORE].record_raw(request.match_info["source"], count, len(body))
    return _json(200, {"accepted": count})


async def raw_received(request: web.Request) -> web.Response:
    requests, records, first, last = request.app[STORE].raw_received(request.match_info["source"])
    return _json(200, {"requests": requests, "records": records, "first": first, "last": last})


async def list_items(request: web.Request) -> web.Response:
    store, feed = request.app[STORE], request.match_info["feed"]
    wanted = request.query.get("id")
    if wanted:
        item = store.item(feed, wanted)
        return _json(200, item) if item else _json(404, {"error": f"no item {wanted} in {feed}"})
    return _json(200, store.items(feed))


async def wipe_items(request: web.Request) -> web.Response:
    dropped = request.app[STORE].wipe(request.match_info["feed"])
    return _json(200, {"dropped": dropped})


async def received_since(request: web.Request) -> web.Response:
    try:
        since = float(request.query.get("since", "0"))
    except ValueError:
        return _json(400, {"error": "since must be epoch seconds"})
    return _json(200, request.app[STORE].sent_since(request.match_info["feed"], since))


async def stats(request: web.Request) -> web.Response:
    return _json(200, request.app[STORE].stats())


async def get_faults(request: web.Request) -> web.Response:
    return _json(200, request.app[FAULTS].describe())


async def put_faults(request: web.Request) -> web.Response:
    try:
        rules = [FaultRule.model_validate(rule) for rule in orjson.loads(await request.read())]
    except (orjson.JSONDecodeError, ValidationError, TypeError) as exc:
        return _json(400, {"error": f"faults must be a JSON list of rules: {exc}"})
    request.app[FAULTS].set(rules)
    return _json(200, request.app[FAULTS].describe())


async def healthz(request: web.Request) -> web.Response:
    return _json(200, {"ok": True})


def _authenticate(config: ReceiverConfig, headers: Any, body: bytes) -> str | None:
    """None when the request may pass; else why not."""
    if config.bearer_token is not None and not _bearer_matches(config.bearer_token, headers):
        return "missing or wrong bearer token"
    if config.webhook_secret is not None:
        return _check_signature(config.webhook_secret, headers, body)
    return None


def _bearer_matches(token: SecretStr, headers: Any) -> bool:
    expected = f"Bearer {token.get_secret_value()}"
    return hmac.compare_digest(headers.get("Authorization", "").encode(), expected.encode())


def _check_signature(secret: SecretStr, headers: Any, body: bytes) -> str | None:
    message_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp", "")
    if not message_id or not timestamp.isdigit():
        return "missing webhook-id or webhook-timestamp"
    if abs(time.time() - int(timestamp)) > SIGNATURE_TOLERANCE_S:
        return "webhook-timestamp outside the tolerance"
    if not verify(secret, message_id, int(timestamp), body, headers.get("webhook-signature", "")):
        return "webhook-signature does not match"
    return None


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status, body=orjson.dumps(body), content_type="application/json", headers=headers
    )


CORRUPT_BODY = b"not gzip (fault injection)"


def _corrupt(status: int, headers: dict[str, str] | None = None) -> web.Response:
    """A response whose body claims ``Content-Encoding: gzip`` but is not gzip."""
    return web.Response(
        status=status,
        body=CORRUPT_BODY,
        content_type="application/json",
        headers={**(headers or {}), "Content-Encoding": "gzip"},
    )


async def _close_store(app: web.Application) -> None:
    app[STORE].close()
