"""Decode, re-key and project: the agents between the source topics and the items topics.

``route`` reads every source topic, decodes each record (malformed ones become source
dead letters), applies reference rows to the global reference table, and re-keys every
other row onto ``<app id>.entity.<entity>`` of each projector it belongs to. One agent per
projector keeps its entities' state, rebuilds their items and forwards derived changes to
other entities. Reference changes (debounced) rebuild the reference feeds and, through a
control record on every partition, every entity of the projectors that read them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

import faust
import orjson

from feeds.feed import Feed, Held, changed_items
from feeds.item import FeedItem
from feeds.projector import EntityProjector, State
from feeds.reference import REFERENCE_TABLES, Reference, ReferenceKind, apply_reference
from feedsync.settings import Settings
from streams.codec import dump_change, load_change
from streams.decode import MalformedRecord, RowChange, decode
from streams.dlq.record import SOURCE_DLQ, DeadLetter, DeadLetterStatus, SourceCoordinates
from streams.faust_compat import in_event
from streams.topology import Topology

__all__ = ["register_projection"]

log = logging.getLogger("feedsync.project")
ROUTE_BATCH, PROJECT_BATCH = 500, 1000
REBUILD_ALL = orjson.dumps({"control": "rebuild-all"})
REBUILD_DEFERRED = orjson.dumps({"control": "rebuild-deferred"})
REBUILD_ENTITY = orjson.dumps({"control": "rebuild-entity"})
CLOCK_TICK_S = 1.0
Emitted = dict[str, dict[str, Held]]  # feed -> item id -> [identity, hash] last emitted


class _Dirty:
    """Reference kinds changed since the last rebuild, and snapshot reads not yet built."""

    def __init__(self) -> None:
        # Everything is dirty at start: a worker that died between a reference change
        # and its debounced rebuild must not leave items stale.
        self.kinds: set[ReferenceKind] = set(ReferenceKind)
        self.last_change = 0.0

        # Snapshot reads (initial or incremental) only update state; their items are built
        # once the snapshot has gone quiet, instead of after every table of an entity.
        self.snapshot_pending: set[str] = set()
        self.last_snapshot_read = 0.0

    def mark(self, kind: ReferenceKind) -> None:
        self.kinds.add(kind)
        self.last_change = time.monotonic()

    def mark_snapshot_read(self, entity: str) -> None:
        self.snapshot_pending.add(entity)
        self.last_snapshot_read = time.monotonic()


def register_projection(app: faust.App, topology: Topology, settings: Settings) -> None:
    dirty = _Dirty()
    reference = Reference(topology.reference)
    projectors = topology.selection.projectors
    reference_feeds = topology.selection.reference_feeds

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
                value = None  # serialised once, and only if some projector wants the row
                for projector in projectors:
                    keys = projector.keys_of(change)
                    if not keys:
                        continue
                    if change.position.snapshot is not None:
                        dirty.mark_snapshot_read(projector.entity)
                    value = value or dump_change(change)
                    topic = topology.entities[projector.entity]
                    sends += [await topic.send(key=key.encode(), value=value) for key in keys]
            await asyncio.gather(*sends)
            for event in events:
                await stream.ack(event)

    for projector in projectors:
        _register_entity_agent(app, topology, projector, reference)

    @app.agent(topology.reference_control, concurrency=1)
    async def project_reference_feeds(stream: Any) -> None:
        async for event in stream.noack().events():
            kinds = set(orjson.loads(event.value).get("kinds", list(ReferenceKind)))
            sends = []
            for reference_feed in reference_feeds:
                if not kinds & reference_feed.kinds:
                    continue
                feed = reference_feed.feed
                emitted = topology.reference_emitted.get(feed.name) or {}
                emit, now_held = changed_items(feed, emitted, reference_feed.build(reference))
                sends += [
                    await _send_item(topology, feed, i, p, reference.version) for i, p in emit
                ]
                with in_event(event):
                    topology.reference_emitted[feed.name] = now_held
            await asyncio.gather(*sends)
            await stream.ack(event)

    @app.timer(interval=settings.streams.reference_debounce_s / 2)  # type: ignore[untyped-decorator]
    async def build_after_snapshot_reads() -> None:
        quiet_for = time.monotonic() - dirty.last_snapshot_read
        if not dirty.snapshot_pending or quiet_for < 2 * settings.streams.reference_debounce_s:
            return
        entities, dirty.snapshot_pending = dirty.snapshot_pending, set()
        sends = [
            await topology.entities[entity].send(
                key=b"*", value=REBUILD_DEFERRED, partition=partition
            )
            for entity in sorted(entities)
            for partition in range(settings.streams.partitions)
        ]
        await asyncio.gather(*sends)
        log.info("snapshot reads quiet for %.1fs: building deferred %s", quiet_for, entities)

    @app.timer(interval=settings.streams.reference_debounce_s / 2)  # type: ignore[untyped-decorator]
    async def rebuild_after_reference_changes() -> None:
        quiet = time.monotonic() - dirty.last_change >= settings.streams.reference_debounce_s
        if not dirty.kinds or not quiet or not reference.websites():
            return
        kinds, dirty.kinds = dirty.kinds, set()
        sends = []
        if any(kinds & reference_feed.kinds for reference_feed in reference_feeds):
            control = orjson.dumps({"control": "rebuild", "kinds": sorted(kinds)})
            sends.append(await topology.reference_control.send(key=b"*", value=control))
        for projector in projectors:
            if kinds & projector.rebuild_on:
                topic = topology.entities[projector.entity]
                for partition in range(settings.streams.partitions):
                    sends.append(await topic.send(key=b"*", value=REBUILD_ALL, partition=partition))
        await asyncio.gather(*sends)
        log.info("rebuilt after reference changes: %s", ", ".join(sorted(kinds)))


def _register_entity_agent(
    app: faust.App, topology: Topology, projector: EntityProjector, reference: Reference
) -> None:
    """The agent that keeps ``projector``'s state and builds its items."""
    table = topology.state[projector.entity]
    # Entities whose snapshot reads are applied but not yet built, per partition. Lost
    # with the process, which is fine: a worker's first rebuild-all builds everything.
    deferred: dict[int, set[str]] = {}
    # Entities whose items change with the clock (a price window opening): key -> (when,
    # partition). Rebuilt from every build, so a restart's rebuild-all refills it.
    scheduled: dict[str, tuple[float, int]] = {}

    async def project(stream: Any) -> None:
        async for events in stream.noack_take(PROJECT_BATCH, within=0.3):
            touched: dict[str, Any] = {}  # entity key -> the event that last touched it
            sends = []
            for event in events:
                partition = event.message.partition
                if event.value == REBUILD_ALL:
                    deferred.pop(partition, None)
                    for key, state in list(table.items()):
                        if state and state.get("partition") == partition:
                            touched[key] = event
                    continue
                if event.value == REBUILD_DEFERRED:
                    for key in deferred.pop(partition, set()):
                        touched[key] = event
                    continue
                key = event.key.decode()
                if event.value == REBUILD_ENTITY:
                    touched[key] = event
                    continue
                previous: State | None = table.get(key)
                change = load_change(event.value)
                state = projector.apply(previous, change)
                for forward in projector.forwards(previous, state, key):
                    topic = topology.entities[forward.entity]
                    value = dump_change(forward.change)
                    sends.append(await topic.send(key=forward.key.encode(), value=value))
                with in_event(event):
                    if state is None:  # the entity is gone, and every item it had
                        version = max(_version(previous, reference), change.position.version)
                        sends += await _send_deletions(topology, projector, previous, version)
                        table.pop(key, None)
                        touched.pop(key, None)
                        continue
                    version = max(int((previous or {}).get("version", 0)), _change_version(change))
                    table[key] = {
                        **state,
                        "version": max(int(state.get("version", 0)), version),
                        "partition": partition,
                        "emitted": (previous or {}).get("emitted", {}),
                    }
                # Only source snapshot reads wait for the snapshot to go quiet: a forwarded
                # change may come after that moment, and would then wait forever.
                from_snapshot = change.position.snapshot is not None
                if from_snapshot and not _forwarded(change) and key not in touched:
                    deferred.setdefault(partition, set()).add(key)
                    continue
                deferred.get(partition, set()).discard(key)
                touched[key] = event
            for key, event in touched.items():
                state = table.get(key)
                if state is None:
                    continue
                emit, now_held = _rebuild(projector, state, reference, topology.items)
                when = projector.next_change(state, reference)
                if when is None:
                    scheduled.pop(key, None)
                else:
                    scheduled[key] = (when, event.message.partition)
                version = _version(state, reference)
                sends += [await _send_item(topology, f, i, p, version) for f, i, p in emit]
                if now_held != state.get("emitted", {}):
                    with in_event(event):
                        table[key] = {**state, "emitted": now_held}
            await asyncio.gather(*sends)
            for event in events:
                await stream.ack(event)

    async def rebuild_when_due() -> None:
        now = time.time()
        due = [(key, partition) for key, (when, partition) in scheduled.items() if when <= now]
        topic = topology.entities[projector.entity]
        sends = []
        for key, partition in due:
            scheduled.pop(key, None)
            sends.append(
                await topic.send(key=key.encode(), value=REBUILD_ENTITY, partition=partition)
            )
        await asyncio.gather(*sends)

    project.__name__ = project.__qualname__ = f"project_{projector.entity}"
    app.agent(topology.entities[projector.entity], concurrency=1)(project)
    rebuild_when_due.__name__ = rebuild_when_due.__qualname__ = f"clock_{projector.entity}"
    app.timer(interval=CLOCK_TICK_S)(rebuild_when_due)


def _rebuild(
    projector: EntityProjector, state: State, reference: Reference, running: Mapping[str, Any]
) -> tuple[list[tuple[Feed, str, dict[str, Any]]], Emitted]:
    """The items to send for one entity, per feed this worker runs (``running``), and the
    ids it now holds (a feed the worker does not run keeps what it held)."""
    emitted: Emitted = state.get("emitted", {})
    payloads = projector.build(state, reference)
    emit: list[tuple[Feed, str, dict[str, Any]]] = []
    held: Emitted = {name: ids for name, ids in emitted.items() if name not in running}
    for feed in projector.feeds:
        if feed.name not in running:
            continue
        previous = emitted.get(feed.name, {})
        items, now_held = changed_items(feed, previous, payloads.get(feed.name, []))
        if not projector.removable:  # never sent as deleted: keep holding what went out
            items = [(i, p) for i, p in items if not p.get("deleted")]
            now_held = {**previous, **now_held}
        emit += [(feed, i, p) for i, p in items]
        if now_held:
            held[feed.name] = now_held
    return emit, held


async def _send_deletions(
    topology: Topology, projector: EntityProjector, previous: State | None, version: int
) -> list[Any]:
    if not projector.removable or previous is None:
        return []
    emitted: Emitted = previous.get("emitted", {})
    sends = []
    for feed in projector.feeds:
        if feed.name not in topology.items:
            continue
        items, _ = changed_items(feed, emitted.get(feed.name, {}), [])
        sends += [await _send_item(topology, feed, i, p, version) for i, p in items]
    return sends


async def _send_item(
    topology: Topology, feed: Feed, item_id: str, payload: dict[str, Any], version: int
) -> Any:
    stamped = {**payload, "modifiedAt": _now_rfc3339()}
    item = FeedItem(feed=feed.name, id=item_id, payload=stamped, version=version)
    return await topology.items[feed.name].send(key=item_id.encode(), value=item.to_record())


def _forwarded(change: RowChange) -> bool:
    return change.table.startswith("@")


def _change_version(change: RowChange) -> int:
    return change.position.version


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
