"""Rebuilds that no single row change triggers: after reference data changed, and after
snapshot reads.

A reference change (an option relabelled, a store view added) can change items of every
entity and every reference feed. The route agent marks its kind ``Dirty``; once reference
changes have been quiet for ``streams.reference_debounce_s`` a timer asks for the rebuilds:
a control record on ``<app id>.entity.reference`` rebuilds the reference feeds, and a
``rebuild-all`` control record on every partition of each projector that reads that kind
rebuilds its entities. The debounce only batches the work: every change is rebuilt.
While an initial snapshot is open by Debezium's markers (below) the rebuilds wait for its
end, so that a reference feed is built from the whole snapshot, once.
Once the rebuilds are durable, a ``rebuilt`` control record tells the reference stage how
far they go, and it keeps that in the reference table; the worker that takes the stage
(at its start, or at a rebalance) asks it, in order after the table's recovery, whether a
rebuild is owed (its previous owner died before the rebuild, other feeds run, another
version of feedsync built the items). A restart rebuilds nothing else.

Snapshot reads (initial or incremental) only update state; their entities are built once
the snapshot has gone quiet (a ``rebuild-deferred`` control record per partition) and, for
an initial snapshot, once Debezium's markers say it has ended, so that each item is sent
once. Forwards that snapshot reads made wait the same way. A rebuild-all leaves unbuilt
entities to their deferred build.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Collection, Mapping
from functools import partial
from importlib.metadata import version
from typing import Any

import faust
import orjson

from feeds.engine import rebuild_reference_feed
from feeds.reference import Reference, ReferenceKind
from feedsync.settings import Settings
from streams.crash import armed, crash_point
from streams.faust_compat import in_event
from streams.guard import Failed, Guard, Outputs, send_durably
from streams.items import item_record
from streams.letters import SOURCE_DLQ, Stage
from streams.metrics import ITEMS_BUILT
from streams.sequenced import SequencedView, applied
from streams.topology import Topology

VERSION = version("feedsync")

__all__ = [
    "REBUILT",
    "SNAPSHOT_MARKERS",
    "Dirty",
    "await_reference",
    "clock_of",
    "is_rebuild_deferred",
    "owner_check",
    "rebuild_all",
    "rebuild_deferred",
    "rebuild_entity",
    "rebuild_owed",
    "rebuilt",
    "reference_control",
    "reference_needed",
    "register_rebuilds",
    "watermark_of",
]

log = logging.getLogger("feedsync.rebuild")
_REBUILD_ALL = b'{"control":"rebuild-all"'
_REBUILD_DEFERRED = b'{"control":"rebuild-deferred"'
_REBUILD_ENTITY = b'{"control":"rebuild-entity"'
_REFERENCE_CONTROL = b'{"control":'
# The reference table's key that says up to which reference row the rebuilds are durable.
REBUILT = "rebuilt"


REFERENCE_WAIT_S = 30.0
SNAPSHOT_MARKERS_WAIT_S = 30.0
# Debezium's source.snapshot values that open or close a table or the whole snapshot.
SNAPSHOT_MARKERS = frozenset(
    {"first", "first_in_data_collection", "last_in_data_collection", "last"}
)


def rebuild_all(watermark: int) -> bytes:
    """The control record that rebuilds every entity of a partition, once the worker's
    replica of the reference data has applied the reference rows up to ``watermark``
    (streams/sequenced.py: ``applied``)."""
    return orjson.dumps({"control": "rebuild-all", "reference": watermark})


def rebuild_deferred(watermark: int) -> bytes:
    """The control record that builds a partition's deferred snapshot reads, on reference
    data that has reached ``watermark``."""
    return orjson.dumps({"control": "rebuild-deferred", "reference": watermark})


def is_rebuild_deferred(value: bytes | None) -> bool:
    return value is not None and value.startswith(_REBUILD_DEFERRED)


def rebuild_entity(at: float) -> bytes:
    """The control record that rebuilds one entity whose items change by the clock at
    ``at`` (epoch seconds): the boundary is the version's clock part."""
    return orjson.dumps({"control": "rebuild-entity", "at": int(at)})


def clock_of(value: bytes | None) -> int | None:
    """The boundary a rebuild-entity record passed; None if it is not one."""
    if value is None or not value.startswith(_REBUILD_ENTITY):
        return None
    return int(orjson.loads(value).get("at", 0))


def rebuilt(through: int, feeds: Collection[str]) -> bytes:
    """The control record (on ``<app id>.entity.reference-rows``) that says the rebuilds
    every reference row up to ``through`` asked for are durable, for ``feeds``, by this
    version of feedsync."""
    return orjson.dumps(
        {"control": "rebuilt", "through": through, "feeds": sorted(feeds), "version": VERSION}
    )


def owner_check() -> bytes:
    """The control record with which a worker that took the reference stage asks it,
    in order after the table's recovery, whether a rebuild is owed (``rebuild_owed``)."""
    return orjson.dumps({"control": "owner-check"})


def reference_control(value: bytes | None) -> dict[str, Any] | None:
    """A control record of the reference stage (``rebuilt``, ``owner_check``), or None for a
    reference row."""
    if value is None or not value.startswith(_REFERENCE_CONTROL):
        return None
    control: dict[str, Any] = orjson.loads(value)
    return control


def rebuild_owed(reference: Mapping[str, Any], feeds: Collection[str]) -> bool:
    """Whether the rebuilds lag behind the ``reference`` table (as stored, sequenced):
    reference rows applied after the last durable rebuild (its owner died in between),
    other feeds running than those it rebuilt, or another feedsync version (items may be
    built differently). A table that no row has reached owes nothing."""
    done = SequencedView(reference).get(REBUILT)
    if not isinstance(done, dict):
        return applied(reference) >= 0
    return (
        applied(reference) > int(done.get("through", -1))
        or sorted(feeds) != done.get("feeds")
        or done.get("version") != VERSION
    )


def reference_needed(value: bytes | None) -> int | None:
    """The watermark a rebuild-all record waits for; None if it is not one."""
    if value is None or not value.startswith(_REBUILD_ALL):
        return None
    return watermark_of(value)


def watermark_of(value: bytes | None) -> int | None:
    """The reference watermark a rebuild-all or rebuild-deferred record waits for."""
    if value is None or not (value.startswith((_REBUILD_ALL, _REBUILD_DEFERRED))):
        return None
    return int(orjson.loads(value).get("reference", 0))


async def await_reference(table: Mapping[str, Any], watermark: int) -> bool:
    """Wait until this worker's replica of the reference table has applied the reference
    rows up to ``watermark``.

    The worker that asks for a rebuild has applied the change; the worker that owns a
    partition may replicate the global table a little later, and a rebuild on a stale
    replica would find nothing changed and never run again. False after
    ``REFERENCE_WAIT_S``: the caller asks again later rather than rebuilding on stale data.
    """
    deadline = time.monotonic() + REFERENCE_WAIT_S
    while applied(table) < watermark:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)  # replication of the global table: a condition, polled
    return True


class Dirty:
    """Reference kinds changed since the last rebuild, and snapshot reads not yet built.

    ``built`` names the entities whose projectors build items: those whose deferred
    snapshot reads a worker may have to ask for without having routed any of them.
    """

    def __init__(self, built: Collection[str] = (), *, reference_rows: str = "") -> None:
        # Nothing is dirty at start: the reference stage's owner learns from the reference
        # table whether a rebuild is owed (a worker that died between a reference change
        # and its debounced rebuild), once it owns ``reference_rows`` (``owner_check``).
        # (A rebuild-all at every start once hid records lost to offset bookkeeping at
        # rebalances, streams/offsets.py; it cost a medium worker 60 s to resume, not 7.5.)
        self.kinds: set[ReferenceKind] = set()
        self.last_change = 0.0
        self.reference_rows = reference_rows
        self.owner_check_due = False
        self.built = tuple(built)
        self.snapshot_pending: set[str] = set()
        self.last_snapshot_read = 0.0
        self.partitions_owned: set[Any] = set()
        # Counts the assignments that took partitions: what a process learnt of a
        # partition's records (``EntityAgent.scanned``) holds only while it kept it.
        self.generation = 0
        # Debezium's snapshot markers (source.snapshot) of the reads routed here: the
        # tables whose first read came and last has not, and whether the snapshot's very
        # first read came and its very last has not. Deferred builds wait while either is
        # open, so that a snapshot is built once, not each time the worker falls quiet.
        self.tables_open: set[str] = set()
        self.snapshot_open = False

    def mark(self, *kinds: ReferenceKind) -> None:
        self.kinds.update(kinds)
        self.last_change = time.monotonic()

    def mark_snapshot_read(self, entity: str) -> None:
        self.snapshot_pending.add(entity)
        self.last_snapshot_read = time.monotonic()

    def snapshot_marker(self, table: str, marker: str) -> None:
        """Note the marker of a snapshot read routed from ``table`` (once it is durable)."""
        if marker in ("first", "first_in_data_collection"):
            self.tables_open.add(table)
            self.snapshot_open = self.snapshot_open or marker == "first"
        elif marker in ("last", "last_in_data_collection"):
            self.tables_open.discard(table)
        if marker == "last":
            # The worker that reads the snapshot's last record asks for every entity's
            # build: the tables of an entity may have been routed by other workers.
            self.snapshot_open = False
            for entity in self.built:
                self.mark_snapshot_read(entity)

    def snapshot_build_due(self, now: float, quiet_s: float) -> bool:
        """Whether to ask for the deferred builds now: reads are pending, none came for
        ``quiet_s``, and no snapshot is open by its markers — unless none came for
        ``SNAPSHOT_MARKERS_WAIT_S``: a marker this worker never reads (the snapshot's
        first and last records routed by different workers, a snapshot cut short) must not
        hold the builds for ever. The quiet periods only batch the work: every read is
        built whatever the timing."""
        quiet_for = now - self.last_snapshot_read
        if not self.snapshot_pending or quiet_for < quiet_s:
            return False
        if self._markers_hold(quiet_for):
            return False
        if not (self.snapshot_open or self.tables_open):
            return True
        log.warning(
            "snapshot markers still open after %.0fs without a read (%s): building the "
            "deferred reads anyway",
            quiet_for,
            ", ".join(sorted(self.tables_open)) or "the snapshot's last record not read here",
        )
        self.tables_open.clear()
        self.snapshot_open = False
        return True

    def reference_build_due(self, now: float, quiet_s: float) -> bool:
        """Whether to ask for the rebuilds after reference changes now: kinds are dirty,
        none changed for ``quiet_s``, and no initial snapshot is open by its markers. A
        reference feed built in the middle of a snapshot is built from half its rows:
        categories whose ``url_path`` rows had not come yet got ids from their
        ``url_key``s, were sent, and were deleted again once the paths came (1,800 of the
        2,800 categories items of a medium sync). As ``snapshot_build_due``, markers this
        worker never reads hold the rebuilds only until nothing came for
        ``SNAPSHOT_MARKERS_WAIT_S``; every change is rebuilt whatever the timing."""
        if not self.kinds or now - self.last_change < quiet_s:
            return False
        return not self._markers_hold(now - max(self.last_change, self.last_snapshot_read))

    def _markers_hold(self, quiet_for: float) -> bool:
        """Whether Debezium's markers say a snapshot is open, and nothing has been quiet
        for ``SNAPSHOT_MARKERS_WAIT_S`` (``quiet_for``) to say they never will close here."""
        return bool(self.snapshot_open or self.tables_open) and quiet_for < SNAPSHOT_MARKERS_WAIT_S

    def assigned(self, partitions: set[Any]) -> None:
        """The worker owns these partitions now (it started, or a rebalance ended).

        A worker that routed snapshot reads (or projected forwards of them) and died, or
        lost the partitions, before its rebuild-deferred record leaves them unbuilt, and
        their new owner (or the same worker restarted) replays none of them: taking a
        partition marks every entity that builds items, so that their deferred reads are
        built once this worker's own reads have gone quiet (a control that finds nothing
        unbuilt costs a scan of the partition's records).
        """
        taken = partitions - self.partitions_owned
        self.partitions_owned = set(partitions)
        if taken:
            self.generation += 1
            for entity in self.built:
                self.mark_snapshot_read(entity)
        if any(tp[0] == self.reference_rows for tp in taken):
            self.owner_check_due = True  # the reference stage is this worker's now


def register_rebuilds(app: faust.App, topology: Topology, settings: Settings, dirty: Dirty) -> None:
    rebuilds = Rebuilds(app, topology, settings, dirty)

    @app.agent(topology.reference_control, concurrency=1)
    async def project_reference_feeds(stream: Any) -> None:
        async for event in stream.noack().events():
            await rebuilds.reference_feeds(event)
            await stream.ack(event)

    def after_assignment(_sender: Any, /, *args: Any, signal: Any, **_kwargs: Any) -> None:
        dirty.assigned(set(args[0]) if args else set())  # the argument: every TP now owned

    app.on_partitions_assigned.connect(after_assignment)
    interval = settings.streams.reference_debounce_s / 2
    app.timer(interval=interval)(rebuilds.after_snapshot_reads)
    app.timer(interval=interval)(rebuilds.after_reference_changes)


class Rebuilds:
    """The rebuilds of one worker: what asks for them, and the reference feeds' agent."""

    def __init__(
        self, app: faust.App, topology: Topology, settings: Settings, dirty: Dirty
    ) -> None:
        self.app = app
        self.topology = topology
        self.dirty = dirty
        self.reference = Reference(topology.reference_data, installation=topology.installation)
        self.partitions = range(settings.streams.partitions)
        self.debounce_s = settings.streams.reference_debounce_s
        self.guard = Guard(Stage.REFERENCE_FEED, topology.dlq[SOURCE_DLQ], feed=SOURCE_DLQ)

    async def reference_feeds(self, event: Any) -> None:
        """Rebuild the reference feeds a control record names; their items are durable
        before the state that says they were sent."""
        if not await await_reference(self.topology.reference, _reference_of(event.value)):
            log.warning("reference data not replicated yet; rebuilding the feeds later")
            await send_durably(self.topology.reference_control, [(b"*", event.value)])
            return
        kinds = _kinds(event.value)
        held: dict[str, Any] = {}
        outputs = Outputs()
        for reference_feed in self.topology.selection.reference_feeds:
            if not kinds & reference_feed.kinds:
                continue
            name = reference_feed.feed.name
            emitted = self.topology.reference_emitted.get(name) or {}
            built = self.guard.attempt(
                event, partial(rebuild_reference_feed, reference_feed, emitted, self.reference)
            )
            if isinstance(built, Failed):
                continue
            emits, held[name] = built
            ITEMS_BUILT.labels(name).inc(len(emits))
            for emit in emits:
                await outputs.send(event, *item_record(self.topology, emit))
        if not await outputs.settle(self.guard):
            with in_event(event):
                for name, now_held in held.items():
                    self.topology.reference_emitted[name] = now_held
        await self.guard.flush()
        await self.app.producer.flush()

    async def after_snapshot_reads(self) -> None:
        now = time.monotonic()
        if not self.dirty.snapshot_build_due(now, 2 * self.debounce_s):
            return
        quiet_for = now - self.dirty.last_snapshot_read
        entities, self.dirty.snapshot_pending = self.dirty.snapshot_pending, set()
        for entity in sorted(entities):
            topic = self.topology.entities[entity]
            control = rebuild_deferred(applied(self.topology.reference))
            await _control_every_partition(topic, control, self.partitions)
        log.info("snapshot reads quiet for %.1fs: building deferred %s", quiet_for, entities)

    async def after_reference_changes(self) -> None:
        dirty = self.dirty
        if dirty.owner_check_due:  # answered by the reference stage once its table is restored
            dirty.owner_check_due = False
            await send_durably(self.topology.reference_rows, [(b"*", owner_check())])
        due = dirty.reference_build_due(time.monotonic(), self.debounce_s)
        if not due or not self.reference.websites():
            return
        kinds, dirty.kinds = dirty.kinds, set()
        if armed("reference-applied-before-rebuild"):
            await self.app.consumer.commit()  # the rows acknowledged are not read again
            crash_point("reference-applied-before-rebuild")
        version = applied(self.topology.reference)  # what every partition's owner must have
        selection = self.topology.selection
        if any(kinds & reference_feed.kinds for reference_feed in selection.reference_feeds):
            control = orjson.dumps(
                {"control": "rebuild", "kinds": sorted(kinds), "reference": version}
            )
            await send_durably(self.topology.reference_control, [(b"*", control)])
        for projector in selection.projectors:
            if kinds & projector.rebuild_on:
                topic = self.topology.entities[projector.entity]
                await _control_every_partition(topic, rebuild_all(version), self.partitions)
        # Only once the rebuilds are durable: a worker killed before this point leaves the
        # table saying a rebuild is owed, and the next owner of the stage asks for it.
        done = rebuilt(version, self.topology.items)
        await send_durably(self.topology.reference_rows, [(b"*", done)])
        log.info("rebuilt after reference changes: %s", ", ".join(sorted(kinds)))


async def _control_every_partition(topic: Any, control: bytes, partitions: range) -> None:
    for partition in partitions:
        await send_durably(topic, [(b"*", control)], partition=partition)


def _reference_of(value: bytes) -> int:
    try:
        return int(orjson.loads(value).get("reference", 0))
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return 0


def _kinds(value: bytes) -> set[ReferenceKind]:
    """The kinds a rebuild control record names; every kind if it names none."""
    try:
        named = orjson.loads(value).get("kinds")
        return {ReferenceKind(kind) for kind in named} if named else set(ReferenceKind)
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return set(ReferenceKind)  # rebuilding more than needed is always safe
