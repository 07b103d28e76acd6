"""Project: one agent per projector folds re-keyed changes into entity records and sends
the items and forwards they produce.

The rules are the pure engine's (feeds/engine.py); this module only moves records. Each
batch of ``<app id>.entity.<entity>`` takes three passes:

1. every change is folded into its entity (``Projection.step``, not yet built, its peers
   not yet told); a change that raises is dead-lettered and leaves the entity as it was;
2. every entity the batch touched tells its peers once what its steps did
   (``Projection.forwards``, a delete on its own), and every entity the batch touched or a
   control record named is rebuilt once; if either raises, the entity's changes of the
   batch are folded again one by one, each told and built at once, and those that fail
   are dead-lettered while the others stand;
3. each entity's forwards and items are sent as soon as it is built; only once Kafka has
   every one are the entity records written (their ``emitted`` hashes say what went out)
   and the batch acknowledged.

Snapshot reads, and the changes other entities forward from theirs, are folded but not
built until the snapshot is over (a ``rebuild-deferred`` control record, streams/rebuild.py,
asked for by whoever sent them once they are durable); their records say so (``unbuilt``),
so the worker that owns the partition when that record comes builds them, whoever folded
them, and a rebuild-all leaves them to it. Entities whose items change by the clock (a
price window opening) are rebuilt when due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import faust
import orjson

from feeds import clock
from feeds.engine import Emit, EntityRecord, Projection, Step
from feeds.projector import Forward, State
from feeds.reference import Reference
from streams.batches import ack_all, drain
from streams.codec import dump_change, load_change
from streams.crash import crash_point
from streams.guard import Failed, Guard, Outputs, send_durably
from streams.items import item_record
from streams.letters import SOURCE_DLQ, Stage
from streams.metrics import ITEMS_BUILT, RECORDS_IN
from streams.rebuild import (
    Dirty,
    await_reference,
    clock_of,
    is_rebuild_deferred,
    rebuild_entity,
    reference_needed,
    watermark_of,
)
from streams.sequenced import applied
from streams.store import partition_items, read_raw, write_raw
from streams.topology import DRAIN_LINGER_S, Topology

__all__ = ["register_projectors"]

log = logging.getLogger("feedsync.project")
PROJECT_BATCH = 1000
WRITE_CHUNK = 250  # entities built, sent and written together
CLOCK_TICK_S = 1.0


def register_projectors(app: faust.App, topology: Topology, dirty: Dirty) -> None:
    reference = Reference(topology.reference_data, installation=topology.installation)
    running = frozenset(topology.items)
    for projector in topology.selection.projectors:
        EntityAgent(app, topology, Projection(projector, reference, running), dirty).register()


@dataclass
class _Work:
    """What one batch does to one entity."""

    base: EntityRecord | None  # the record as the batch found it
    record: EntityRecord | None
    carrier: Any  # the event the record's write belongs to (its partition)
    steps: list[tuple[Any, Any]] = field(default_factory=list)  # (event, change) folded
    forwards: list[Forward] = field(default_factory=list)
    emits: list[Emit] = field(default_factory=list)
    build: bool = False
    # The state the entity's peers were last told of (``Projection.forwards``): the base's,
    # until a delete is told, or the batch's steps are, at its end (``EntityAgent._tell``).
    told: State | None = None

    def take(self, step: Step) -> None:
        self.record = step.record
        self.forwards += step.forwards
        self.emits += step.emits
        if _state_of(step.record) is None:  # a delete: its step told it (``_fold``)
            self.told = None


class EntityAgent:
    """The agent of one projector, and what it remembers between batches."""

    def __init__(
        self, app: faust.App, topology: Topology, projection: Projection, dirty: Dirty
    ) -> None:
        self.app = app
        self.dirty = dirty
        self.topology = topology
        self.projection = projection
        self.entity = projection.projector.entity
        self.table = topology.state[self.entity]
        self.topic = topology.entities[self.entity]
        self.guard = Guard(Stage.PROJECT, topology.dlq[SOURCE_DLQ], feed=SOURCE_DLQ)
        # Entities whose items change with the clock: key -> (when, partition). Refilled by
        # every build, and by the deferred build a worker asks for on every partition it
        # takes (streams/rebuild.py, ``Dirty.assigned``), which a restart is too.
        self.scheduled: dict[str, tuple[float, int]] = {}
        # Partitions whose unbuilt entities this process has built since it took them
        # (partition -> ``Dirty.generation`` at the scan), none folded since: a later
        # rebuild-deferred on one finds nothing to build and skips the scan of its records
        # (0.4 s per products partition on medium). Every worker start asks for one on
        # every partition; a worker killed soon after its start leaves its round ahead of
        # the next worker's changes, which paid for each round again.
        self.scanned: dict[int, int] = {}
        self.writes = Outputs()  # the batch's record writes in flight

    def register(self) -> None:
        async def project(stream: Any) -> None:
            async for events in drain(stream, PROJECT_BATCH, DRAIN_LINGER_S):
                await self.run_batch(events)
                await ack_all(stream, events)

        async def rebuild_when_due() -> None:
            now = clock.now()  # the clock the builds read (feeds/clock.py)
            due = [(k, w, p) for k, (w, p) in self.scheduled.items() if w <= now]
            for key, when, partition in due:
                self.scheduled.pop(key, None)
                entity = [(key.encode(), rebuild_entity(when))]
                await send_durably(self.topic, entity, partition=partition)

        project.__name__ = project.__qualname__ = f"project_{self.entity}"
        self.app.agent(self.topic, concurrency=1)(project)
        rebuild_when_due.__name__ = rebuild_when_due.__qualname__ = f"clock_{self.entity}"
        self.app.timer(interval=CLOCK_TICK_S)(rebuild_when_due)

    async def run_batch(self, events: list[Any]) -> None:
        RECORDS_IN.labels("project").inc(len(events))
        events = await self._with_reference_replicated(events)
        works: dict[str, _Work] = {}
        for event in events:
            self._take(works, event)
        # In chunks, so that a batch that rebuilds thousands of entities (a rebuild-all, the
        # end of a snapshot) holds the old and new records of only a chunk at a time.
        keys = list(works)
        for start in range(0, len(keys), WRITE_CHUNK):
            chunk = {key: works.pop(key) for key in keys[start : start + WRITE_CHUNK]}
            outputs = Outputs()
            deferred: set[str] = set()  # entities sent snapshot-read forwards, to build later
            for key, work in chunk.items():
                self._tell(key, work)
                if work.build and work.record is not None:
                    self._build(key, work)
                await self._send(work, outputs, deferred)
            refused = await outputs.settle(self.guard)
            if refused:  # records not written may stay unbuilt: the next control scans
                self.scanned.clear()
            for entity in deferred:  # durable now: their build is asked for after them
                self.dirty.mark_snapshot_read(entity)
            crash_point("items-durable-before-state")
            if await self._write(chunk, refused):
                crash_point("state-written-before-durable")
        # The records written are durable before the acks; an event whose record Kafka
        # refused is dead-lettered (re-driven, it is folded again), as a refused output is.
        await self.writes.settle(self.guard)
        await self.guard.flush()
        crash_point("state-written-before-ack")

    async def _with_reference_replicated(self, events: list[Any]) -> list[Any]:
        """The batch's events, once the reference data its rebuild records ask for has
        reached this worker; if it has not in time, those records are asked again later."""
        needed = max((watermark_of(e.value) or 0 for e in events), default=0)
        if not needed or await await_reference(self.topology.reference, needed):
            return events
        later = [e for e in events if watermark_of(e.value) is not None]
        for event in later:
            record = [(b"*", event.value)]
            await send_durably(self.topic, record, partition=event.message.partition)
        return [e for e in events if watermark_of(e.value) is None]

    # ---- pass 1: fold ------------------------------------------------------------------

    def _take(self, works: dict[str, _Work], event: Any) -> None:
        value, partition = event.value, event.message.partition
        rebuilding_all = reference_needed(value) is not None
        scanned = self.scanned.get(partition) == self.dirty.generation
        if scanned and is_rebuild_deferred(value):
            log.debug("%s: partition %d has nothing unbuilt", self.entity, partition)
            return
        if rebuilding_all or is_rebuild_deferred(value):
            # A rebuild-deferred builds the partition's unbuilt entities: those the table
            # holds and the snapshot reads this batch folded before it, which the table does
            # not hold yet. A rebuild-all rebuilds the built ones; the unbuilt wait for their
            # own build, which comes after it, on reference data at least as new.
            before = len(works)
            for work in works.values():
                record = work.record
                if record is not None and record.unbuilt and record.partition == partition:
                    work.build = work.build or not rebuilding_all
            for key, raw in list(partition_items(self.table, partition)):
                value = orjson.loads(raw) if raw else None
                if (
                    not value
                    or _partition_of(value) != partition
                    or EntityRecord.is_tombstone(value)
                ):
                    continue
                if _unbuilt(value) != rebuilding_all:
                    self._work(works, key, event).build = True
                elif not rebuilding_all and key not in self.scheduled:
                    # A worker that took the partition (or restarted) knows nothing of its
                    # entities' clocks: a built one learns its next change here.
                    self._schedule_record(key, EntityRecord.from_json(value))
            if not rebuilding_all:
                self.scanned[partition] = self.dirty.generation
            log.info(
                "%s: %s %d entities of partition %d (reference rows applied to %d)",
                self.entity,
                "rebuilding" if rebuilding_all else "building the snapshot reads of",
                len(works) - before,
                partition,
                applied(self.topology.reference),
            )
            return
        folded = self.guard.attempt(event, partial(self._fold, works, event))
        if folded is None or isinstance(folded, Failed):
            return
        key, step, change = folded
        work = works[key]
        work.steps.append((event, change))
        work.take(step)
        work.carrier = event
        if step.record is None or step.record.tombstone:  # gone: its deletions are in the
            work.build = False  # step (or were, before), nothing to build
            return
        # Snapshot reads, and the changes other entities forwarded from theirs, wait for
        # the snapshot to be over (their senders ask for the build once they are durable).
        if change.position.snapshot is not None and not work.build:
            work.record = replace(step.record, unbuilt=True)
            self.scanned.pop(partition, None)
            return
        work.build = True

    def _fold(self, works: dict[str, _Work], event: Any) -> tuple[str, Step, Any] | None:
        """The step a change makes (pure but for the entity's work entry, which a clock
        rebuild marks for building, with its clock moved to the boundary passed)."""
        key = event.key.decode()
        work = self._work(works, key, event)
        clock = clock_of(event.value)
        if clock is not None:  # the clock changed the items: a newer version, by its clock
            if work.record is not None and clock > work.record.clock:
                work.record = replace(work.record, clock=clock)
            work.build = True
            return None
        change = load_change(event.value)
        step = self.projection.step(
            key, work.record, change, partition=event.message.partition, build=False, forward=False
        )
        if _state_of(step.record) is None:
            # A delete is told on its own, after what came before it: the peers it names
            # are those of the state just before it (``Projection.forwards``).
            before = _state_of(work.record)
            told = () if before is work.told else self.projection.forwards(key, work.told, before)
            step = replace(step, forwards=told + self.projection.forwards(key, before, None))
        return key, step, change

    def _work(self, works: dict[str, _Work], key: str, event: Any) -> _Work:
        work = works.get(key)
        if work is None:
            raw = read_raw(self.table, key)
            record = EntityRecord.from_json(orjson.loads(raw)) if raw else None
            work = works[key] = _Work(record, record, event, told=_state_of(record))
        return work

    # ---- pass 2: tell, build ------------------------------------------------------------

    def _tell(self, key: str, work: _Work) -> None:
        """The forwards of the batch's steps of ``key``, worked out once: from the state
        its peers were told of to the one the batch leaves (``Projection.forwards``). If
        that raises, its changes are folded again one by one, as when a build raises."""
        now = _state_of(work.record)
        if now is work.told:
            return
        told = self.guard.capture(lambda: self.projection.forwards(key, work.told, now))
        if isinstance(told, Exception):
            self._refold_one_by_one(key, work, told)
        else:
            work.forwards += told
        work.told = _state_of(work.record)

    def _build(self, key: str, work: _Work) -> None:
        record = work.record
        assert record is not None
        built = self.guard.capture(lambda: self.projection.rebuild(record))
        if isinstance(built, Exception):
            self._refold_one_by_one(key, work, built)
        else:
            work.take(built)
        if work.record is not None and work.record.unbuilt:
            work.record = replace(work.record, unbuilt=False)
        self._schedule(key, work)

    def _refold_one_by_one(self, key: str, work: _Work, error: Exception) -> None:
        """The batch's changes of ``key`` again, each built at once; the failing ones are
        dead-lettered. With no change to blame (a rebuild after a reference change), the
        rebuild itself is, and the entity keeps its record and items as they were."""
        context = {"entity": self.entity, "key": key}
        if not work.steps:
            self.guard.park(work.carrier, error, context=context)
            work.record, work.forwards, work.emits = work.base, [], []
            work.told = _state_of(work.base)
            return
        redone = _Work(base=work.base, record=work.base, carrier=work.carrier)
        for event, change in work.steps:
            fold = partial(
                self.projection.step, key, redone.record, change, partition=event.message.partition
            )
            step = self.guard.attempt(event, fold, context=context)
            if not isinstance(step, Failed):
                redone.take(step)
                redone.carrier = event
        work.record, work.forwards, work.emits = redone.record, redone.forwards, redone.emits
        work.carrier = redone.carrier
        work.told = _state_of(work.record)  # each step told its own

    def _schedule(self, key: str, work: _Work) -> None:
        if work.record is not None:
            self._schedule_record(key, work.record)

    def _schedule_record(self, key: str, record: EntityRecord) -> None:
        when = self.guard.capture(
            lambda: self.projection.projector.next_change(record.state, self.projection.reference)
        )
        if when is None or isinstance(when, Exception):
            self.scheduled.pop(key, None)  # an error: the entity's next change rebuilds it
        else:
            self.scheduled[key] = (when, record.partition)

    # ---- pass 3: send, then write ------------------------------------------------------

    async def _send(self, work: _Work, outputs: Outputs, deferred: set[str]) -> None:
        """Send an entity's forwards and items, and let go of them."""
        for forward in work.forwards:
            topic = self.topology.entities[forward.entity]
            value = dump_change(forward.change)
            await outputs.send(work.carrier, topic, forward.key.encode(), value)
            if forward.change.position.snapshot is not None:
                deferred.add(forward.entity)
        committed = [c.ts_ms for _e, c in work.steps if c.position.snapshot is None and c.ts_ms]
        for emit in work.emits:
            if committed:  # the items this batch's source changes made: their latency
                emit = replace(emit, source_ms=max(committed))  # noqa: PLW2901
            ITEMS_BUILT.labels(emit.feed.name).inc()
            await outputs.send(work.carrier, *item_record(self.topology, emit))
        work.forwards, work.emits, work.steps = [], [], []

    async def _write(self, works: dict[str, _Work], refused: set[int]) -> int:
        """The records, once Kafka holds what they say was sent; not those whose outputs
        Kafka refused (their changes are dead letters now, and a rebuild resends). How
        many changed."""
        written = 0
        for key, work in works.items():
            if id(work.carrier) in refused or work.record == work.base:
                continue
            written += 1
            value = (
                None if work.record is None else orjson.dumps(work.record.to_json(), option=_JSON)
            )
            self.writes.add(work.carrier, await write_raw(self.table, key, value, work.carrier))
        return written


# What faust's JSON codec wrote, so that records of either stay readable.
_JSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z


def _state_of(record: EntityRecord | None) -> State | None:
    """The state a record gives its projector's ``forwards``: None when there is none."""
    return None if record is None or record.tombstone else record.state


def _unbuilt(raw: dict[str, Any]) -> bool:
    return bool(raw.get("unbuilt"))


def _partition_of(raw: dict[str, Any]) -> int | None:
    partition = raw.get("partition")
    return partition if isinstance(partition, int) else None
