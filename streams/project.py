"""Decode, re-key and project: the agents between the source topics and the items topics.

``route`` reads every source topic, decodes each record (malformed ones become source
dead letters), applies reference rows to the global reference table, and re-keys product
rows by product onto ``feedsync.entity.products``. ``project_products`` keeps each
product's state and rebuilds its items; reference changes (debounced) rebuild the scope
feeds and, through a control record on every partition, all products.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import faust
import orjson

from feeds.feed import Feed, diff_items
from feeds.item import FeedItem
from feeds.products import PRODUCTS, apply_product_change, build_products, product_key
from feeds.reference import REFERENCE_TABLES, Reference, ReferenceKind, apply_reference
from feeds.scopes import (
    SCOPES_CUSTOMER_GROUP,
    SCOPES_WEBSITE,
    build_customer_groups,
    build_websites,
)
from feedsync.settings import Settings
from streams.codec import dump_change, load_change
from streams.decode import MalformedRecord, decode
from streams.dlq.record import SOURCE_DLQ, DeadLetter, DeadLetterStatus, SourceCoordinates
from streams.faust_compat import in_event
from streams.topology import Topology

__all__ = ["register_projection"]

log = logging.getLogger("feedsync.project")
ROUTE_BATCH, PROJECT_BATCH = 500, 1000
REBUILD_ALL = orjson.dumps({"control": "rebuild-all"})
REBUILD_DEFERRED = orjson.dumps({"control": "rebuild-deferred"})
_PRODUCT_REBUILD_KINDS = {
    ReferenceKind.SCOPES,
    ReferenceKind.ATTRIBUTES,
    ReferenceKind.OPTIONS,
    ReferenceKind.CATEGORIES,
}
_SCOPE_KINDS = {ReferenceKind.SCOPES, ReferenceKind.CUSTOMER_GROUPS}


class _Dirty:
    """Reference kinds changed since the last rebuild, and when the last change came."""

    def __init__(self) -> None:
        # Everything is dirty at start: a worker that died between a reference change
        # and its debounced rebuild must not leave items stale.
        self.kinds: set[ReferenceKind] = set(ReferenceKind)
        self.last_change = 0.0

        # Snapshot reads (initial or incremental) only update state; their items are built
        # once the snapshot has gone quiet, instead of after every table of a product.
        self.snapshot_pending = False
        self.last_snapshot_read = 0.0

    def mark(self, kind: ReferenceKind) -> None:
        self.kinds.add(kind)
        self.last_change = time.monotonic()

    def mark_snapshot_read(self) -> None:
        self.snapshot_pending = True
        self.last_snapshot_read = time.monotonic()


def register_projection(app: faust.App, topology: Topology, settings: Settings) -> None:
    dirty = _Dirty()
    reference = Reference(topology.reference)

    @app.agent(topology.source, concurrency=1)
    async def route(stream: Any) -> None:  # faust's StreamT lacks noack_take
        async for events in stream.noack_take(ROUTE_BATCH, within=0.2):
            sends = []
            for event in events:
                message = event.message
                try:
                    change = decode(message.key, message.value)
                except MalformedRecord as exc:
                    letter = _source_dead_letter(message, exc)
                    log.warning(
                        "malformed source record %s:%s@%s: %s",
                        message.topic,
                        message.partition,
                        message.offset,
                        exc.message,
                    )
                    sends.append(await topology.dlq[SOURCE_DLQ].send(value=letter.to_record()))
                    continue
                if change is None:
                    continue  # a tombstone: compaction's business, not ours
                if change.table in REFERENCE_TABLES:
                    with in_event(event):
                        kind = apply_reference(topology.reference, change)
                    if kind is not None:
                        dirty.mark(kind)
                key = product_key(change)
                if key is not None:
                    if change.position.snapshot is not None:
                        dirty.mark_snapshot_read()
                    sends.append(
                        await topology.products.send(key=key.encode(), value=dump_change(change))
                    )
            await asyncio.gather(*sends)
            for event in events:
                await stream.ack(event)

    # Products whose snapshot reads are applied but not yet built, per partition. Lost
    # with the process, which is fine: a worker's first rebuild-all builds everything.
    deferred: dict[int, set[str]] = {}

    @app.agent(topology.products, concurrency=1)
    async def project_products(stream: Any) -> None:
        async for events in stream.noack_take(PROJECT_BATCH, within=0.3):
            touched: dict[str, Any] = {}  # product key -> the event that last touched it
            sends = []
            for event in events:
                partition = event.message.partition
                if event.value == REBUILD_ALL:
                    deferred.pop(partition, None)
                    for key, state in list(topology.product_state.items()):
                        if state and state.get("partition") == partition:
                            touched[key] = event
                    continue
                if event.value == REBUILD_DEFERRED:
                    for key in deferred.pop(partition, set()):
                        touched[key] = event
                    continue
                key = event.key.decode()
                previous = topology.product_state.get(key)
                change = load_change(event.value)
                state = apply_product_change(previous, change)
                with in_event(event):
                    if state is None:  # the product was deleted: every item it had goes
                        emitted = (previous or {}).get("emitted", {})
                        version = max(_version(previous, reference), change.position.version)
                        emit, _ = diff_items(PRODUCTS, emitted, [])
                        sends += [
                            await _send_item(topology, PRODUCTS, i, p, version) for i, p in emit
                        ]
                        topology.product_state.pop(key, None)
                        touched.pop(key, None)
                        continue
                    topology.product_state[key] = {**state, "partition": partition}
                if change.position.snapshot is not None and key not in touched:
                    deferred.setdefault(partition, set()).add(key)
                    continue
                deferred.get(partition, set()).discard(key)
                touched[key] = event
            for key, event in touched.items():
                state = topology.product_state.get(key)
                if state is None:
                    continue
                emitted = state.get("emitted", {})
                emit, now_held = diff_items(PRODUCTS, emitted, build_products(state, reference))
                version = _version(state, reference)
                sends += [await _send_item(topology, PRODUCTS, i, p, version) for i, p in emit]
                if now_held != emitted:
                    with in_event(event):
                        topology.product_state[key] = {**state, "emitted": now_held}
            await asyncio.gather(*sends)
            for event in events:
                await stream.ack(event)

    @app.agent(topology.scopes, concurrency=1)
    async def project_scopes(stream: Any) -> None:
        async for event in stream.noack().events():
            sends = []
            for feed, build in (
                (SCOPES_WEBSITE, build_websites),
                (SCOPES_CUSTOMER_GROUP, build_customer_groups),
            ):
                emitted = topology.scope_emitted.get(feed.name) or {}
                emit, now_held = diff_items(feed, emitted, build(reference))
                sends += [
                    await _send_item(topology, feed, i, p, reference.version) for i, p in emit
                ]
                with in_event(event):
                    topology.scope_emitted[feed.name] = now_held
            await asyncio.gather(*sends)
            await stream.ack(event)

    @app.timer(interval=settings.streams.reference_debounce_s / 2)  # type: ignore[untyped-decorator]
    async def build_after_snapshot_reads() -> None:
        quiet_for = time.monotonic() - dirty.last_snapshot_read
        if not dirty.snapshot_pending or quiet_for < 2 * settings.streams.reference_debounce_s:
            return
        dirty.snapshot_pending = False
        sends = [
            await topology.products.send(key=b"*", value=REBUILD_DEFERRED, partition=partition)
            for partition in range(settings.streams.partitions)
        ]
        await asyncio.gather(*sends)
        log.info("snapshot reads quiet for %.1fs: building the deferred products", quiet_for)

    @app.timer(interval=settings.streams.reference_debounce_s / 2)  # type: ignore[untyped-decorator]
    async def rebuild_after_reference_changes() -> None:
        quiet = time.monotonic() - dirty.last_change >= settings.streams.reference_debounce_s
        if not dirty.kinds or not quiet or not reference.websites():
            return
        kinds, dirty.kinds = dirty.kinds, set()
        sends = []
        if kinds & _SCOPE_KINDS:
            sends.append(await topology.scopes.send(key=b"*", value=REBUILD_ALL))
        if kinds & _PRODUCT_REBUILD_KINDS:
            for partition in range(settings.streams.partitions):
                sends.append(
                    await topology.products.send(key=b"*", value=REBUILD_ALL, partition=partition)
                )
        await asyncio.gather(*sends)
        log.info("rebuilt after reference changes: %s", ", ".join(sorted(kinds)))


async def _send_item(
    topology: Topology, feed: Feed, item_id: str, payload: dict[str, Any], version: int
) -> Any:
    stamped = {**payload, "modifiedAt": _now_rfc3339()}
    item = FeedItem(feed=feed.name, id=item_id, payload=stamped, version=version)
    return await topology.items[feed.name].send(key=item_id.encode(), value=item.to_record())


def _version(state: dict[str, Any] | None, reference: Reference) -> int:
    return max(int((state or {}).get("version", 0)), reference.version)


def _now_rfc3339() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _source_dead_letter(message: Any, error: MalformedRecord) -> DeadLetter:
    now = time.time()
    return DeadLetter(
        feed=SOURCE_DLQ,
        status=DeadLetterStatus.NEEDS_ATTENTION,
        error_class="terminal",
        message=str(error),
        first_failure=now,
        last_failure=now,
        raw=message.value,
        raw_key=message.key,
        coordinates=SourceCoordinates(message.topic, message.partition, (message.offset,)),
    )
