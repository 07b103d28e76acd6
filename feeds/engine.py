"""The projection engine: pure functions from an entity's record and a change to what to send.

Every driver runs these and nothing else: the stream workers (``streams/project.py``),
the offline parity check and every unit test. A driver owns the storage and the I/O;
the engine owns the rules:

- ``Projection.step``: fold one change into an entity's record; say which items to
  emit (the entity's changed items, or every item it had, deleted, when it is gone) and
  which changes to forward to other entities.
- ``Projection.rebuild``: rebuild an entity's items from its record alone (a reference
  change, a clock tick, a deferred snapshot read).
- ``rebuild_reference_feed``: rebuild a feed that is built from reference data alone.

Nothing here mutates its inputs or performs I/O, so a driver that catches an exception
from a step has changed nothing and can dead-letter the change and go on.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from feeds.change import RowChange
from feeds.feed import Feed, Held, changed_items
from feeds.item import ItemVersion
from feeds.projector import EntityProjector, Forward, Payload, ReferenceFeed, State
from feeds.reference import Reference

__all__ = [
    "Emit",
    "Emitted",
    "EntityRecord",
    "Projection",
    "Step",
    "rebuild_reference_feed",
    "targets",
]

Emitted = dict[str, dict[str, Held]]  # feed -> item id -> [identity, hash] last emitted


@dataclass(frozen=True, slots=True)
class EntityRecord:
    """What a worker keeps per entity: the projector's state and the engine's bookkeeping.

    - ``state``: the projector's own state (plain JSON, never mutated in place);
    - ``version``: the newest position among the entity's own rows folded into it;
    - ``forwarded``: the newest position among the changes other entities forwarded to it
      (kept apart from ``version``: see ``ItemVersion``);
    - ``builds``: how many builds have emitted items, the tie-breaking last part of their
      ``ItemVersion`` (deletions count as one);
    - ``clock``: the last time boundary a clock-driven rebuild passed (epoch seconds);
    - ``partition``: the partition the entity lives on (a rebuild of one partition reads it);
    - ``emitted``: per feed, the ``[identity, hash]`` of every item last emitted, so that a
      rebuild sends only what changed and a deleted entity can delete every item it had;
    - ``unbuilt``: changes were folded in since the last build (snapshot reads wait for the
      snapshot to go quiet). Kept in the record, not in a worker's memory, so that whoever
      owns the partition when the build is asked for (after a restart or a rebalance)
      finds it.
    - ``gone``: the source position of the change that deleted the entity (the delete of a
      row of the projector's ``deleted_with`` tables; 0: never deleted). A deleted entity
      keeps a record (a *tombstone*: empty state, nothing emitted) so that changes from
      before its delete cannot bring it back: its source tables arrive on separate topics,
      so a row of the deleted entity can come after the delete, and a replay after a
      rebalance folds its creation again. Brought back, it would build its old items again
      and delete them again with a version that outranks another entity that built the same
      items since (a SKU re-created). Its own rows at or before ``gone`` are ignored for
      good, also once the entity lives again; changes forwarded by peers are not (a peer's
      forward can carry the snapshot's position, the same as every snapshot read), and
      without its own rows they build nothing. An entity that a peer's forward alone empties
      keeps no record, as before.
    """

    state: State
    version: int = 0
    partition: int = 0
    emitted: Emitted = field(default_factory=dict)
    clock: int = 0
    unbuilt: bool = False
    gone: int = 0
    forwarded: int = 0
    builds: int = 0

    @property
    def tombstone(self) -> bool:
        """Deleted, and nothing folded in since."""
        return self.gone > 0 and not self.state

    @staticmethod
    def is_tombstone(value: Mapping[str, Any]) -> bool:
        """``tombstone`` of a record as ``to_json`` wrote it, without reading it whole (a
        rebuild of a partition looks at every record of the table)."""
        return bool(value.get("gone")) and not value.get("state")

    def to_json(self) -> dict[str, Any]:
        value = {
            "state": self.state,
            "version": self.version,
            "partition": self.partition,
            "emitted": self.emitted,
            "clock": self.clock,
        }
        if self.unbuilt:
            value["unbuilt"] = True
        if self.gone:
            value["gone"] = self.gone
        if self.forwarded:
            value["forwarded"] = self.forwarded
        if self.builds:
            value["builds"] = self.builds
        return value

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> EntityRecord:
        if "state" not in value:  # written before records had their own shape
            bookkeeping = ("version", "partition", "emitted")
            state = {k: v for k, v in value.items() if k not in bookkeeping}
            return cls(
                state=state,
                version=int(value.get("version", 0)),
                partition=int(value.get("partition", 0)),
                emitted=value.get("emitted", {}),
            )
        return cls(
            state=value["state"],
            version=int(value["version"]),
            partition=int(value["partition"]),
            emitted=value["emitted"],
            clock=int(value.get("clock", 0)),
            unbuilt=bool(value.get("unbuilt", False)),
            gone=int(value.get("gone", 0)),
            forwarded=int(value.get("forwarded", 0)),
            builds=int(value.get("builds", 0)),
        )


@dataclass(frozen=True, slots=True)
class Emit:
    """One item to write to a feed's items topic."""

    feed: Feed
    item_id: str
    payload: Payload
    version: ItemVersion
    source_ms: int = 0  # the commit time of the change that made it (FeedItem.source_ms)

    @property
    def deleted(self) -> bool:
        return bool(self.payload.get("deleted"))


@dataclass(frozen=True, slots=True)
class Step:
    """The outcome of one step or rebuild: the record to keep (None: the entity is gone,
    forget it), the items to emit and the changes to forward."""

    record: EntityRecord | None
    emits: tuple[Emit, ...] = ()
    forwards: tuple[Forward, ...] = ()


def targets(projectors: Collection[EntityProjector], change: RowChange) -> Iterator[Forward]:
    """The entities a source change belongs to, as (entity, key, change)."""
    for projector in projectors:
        if change.table in projector.tables:
            for key in projector.keys_of(change):
                yield Forward(projector.entity, key, change)


@dataclass(frozen=True)
class Projection:
    """The rules of one projector, against the reference data as it is now.

    ``running`` names the feeds this worker sends; a feed of the projector it does not run
    keeps what it held, so that a worker running some feeds never deletes the others'.
    """

    projector: EntityProjector
    reference: Reference
    running: frozenset[str]

    def step(
        self,
        key: str,
        record: EntityRecord | None,
        change: RowChange,
        *,
        partition: int,
        build: bool = True,
        forward: bool = True,
    ) -> Step:
        """Fold ``change`` into the entity ``key``; build its items unless ``build`` is off
        (the driver then rebuilds it later, once, e.g. at the end of a batch or snapshot),
        and work out its forwards unless ``forward`` is off (the driver then asks
        ``forwards`` once for several steps: see there)."""
        deleted_with = self.projector.deleted_with
        # A record written before tombstones were limited to ``deleted_with`` may hold one
        # for an entity of independent rows: it holds nothing off.
        gone = record.gone if record is not None and deleted_with else 0
        position = change.position.version
        if gone and position <= gone and not change.forwarded:
            return Step(record)  # its own row, from before its delete: see EntityRecord.gone
        if record is not None and record.tombstone:
            record = None  # deleted before, alive again: a new life, its old items all gone
        before = record.state if record is not None else None
        state = self.projector.apply(before, change)
        forwards = self.forwards(key, before, state) if forward else ()
        own, by_peer = (0, position) if change.forwarded else (position, 0)
        if state is None:
            if record is None:
                return Step(None, (), forwards)
            # The delete's own position first: neither a reference change nor a peer's
            # change seen meanwhile may make these deletions outrank a re-creation of the
            # same items by another entity (a SKU deleted and created again).
            source = max(record.version, own)
            forwarded = max(record.forwarded, by_peer)
            others = max(self.reference.version, forwarded)
            builds = record.builds + 1
            deleted = ItemVersion(source, others, record.clock, builds)
            deletions = self._deletions(record, deleted)
            # Only the delete of its own row that deletes the whole entity has a position to
            # hold its own rows against: a peer's forward can carry the snapshot's (which
            # its own snapshot reads share), and a state emptied by the delete of one of
            # several independent rows says only that the other rows have not come yet.
            deletes_entity = change.table in deleted_with and not change.forwarded
            gone_at = max(position, gone) if deletes_entity else gone
            if not gone_at:
                return Step(None, deletions, forwards)
            tombstone = EntityRecord(
                {}, source, partition, gone=gone_at, forwarded=forwarded, builds=builds
            )
            return Step(tombstone, deletions, forwards)
        source = max(record.version if record else 0, own)
        forwarded = max(record.forwarded if record else 0, by_peer)
        emitted = record.emitted if record is not None else {}
        clock = record.clock if record is not None else 0
        builds = record.builds if record is not None else 0
        updated = EntityRecord(
            state, source, partition, emitted, clock, gone=gone, forwarded=forwarded, builds=builds
        )
        if not build:
            return Step(updated, (), forwards)
        built = self.rebuild(updated)
        return Step(built.record, built.emits, forwards)

    def forwards(self, key: str, before: State | None, after: State | None) -> tuple[Forward, ...]:
        """The changes the entity's peers must hear of after its state went from ``before``
        to ``after`` (None: no state, or deleted).

        The projectors' forwards compare summaries of the two states, so several steps in
        a row can be told at once, from the first ``before`` to the last ``after``: what a
        peer holds in the end is the same as if each step had been told (a summary that
        changed and changed back tells it nothing; a peer linked and unlinked meanwhile hears
        nothing). A delete is told on its own, from the state just before it: its forwards
        name the peers that state had."""
        return tuple(self.projector.forwards(before, after, key))

    def rebuild(self, record: EntityRecord) -> Step:
        """The entity's items now, minus those unchanged since they were last emitted."""
        if record.tombstone:
            return Step(record)
        if not any(feed.name in self.running for feed in self.projector.feeds):
            # None of its feeds is this worker's: it only folds and forwards (a products
            # worker keeps its SKUs' stock for their inStock, and sends no stock items).
            return Step(record)
        payloads = self.projector.build(record.state, self.reference)
        others = max(self.reference.version, record.forwarded)
        builds = record.builds + 1
        version = ItemVersion(record.version, others, record.clock, builds)
        emits: list[Emit] = []
        held: Emitted = {n: ids for n, ids in record.emitted.items() if n not in self.running}
        for feed in self.projector.feeds:
            if feed.name not in self.running:
                continue
            previous = record.emitted.get(feed.name, {})
            items, now_held = changed_items(feed, previous, payloads.get(feed.name, []))
            if not feed.removable:  # never sent as deleted: keep holding what went out
                items = [(i, p) for i, p in items if not p.get("deleted")]
                now_held = {**previous, **now_held}
            emits += [Emit(feed, item_id, payload, version) for item_id, payload in items]
            if now_held:
                held[feed.name] = now_held
        if not emits:  # nothing went out: the count stays, and so do the versions
            return Step(replace(record, emitted=held))
        return Step(replace(record, emitted=held, builds=builds), tuple(emits))

    def _deletions(self, record: EntityRecord, version: ItemVersion) -> tuple[Emit, ...]:
        """Every item the entity had, deleted (InnoDB cascades took its rows unseen)."""
        emits: list[Emit] = []
        for feed in self.projector.feeds:
            if feed.name not in self.running or not feed.removable:
                continue
            items, _ = changed_items(feed, record.emitted.get(feed.name, {}), [])
            emits += [Emit(feed, item_id, payload, version) for item_id, payload in items]
        return tuple(emits)


def rebuild_reference_feed(
    reference_feed: ReferenceFeed, emitted: Mapping[str, Held], reference: Reference
) -> tuple[tuple[Emit, ...], dict[str, Held]]:
    """A reference feed's changed items and the ids it now holds."""
    feed = reference_feed.feed
    items, held = changed_items(feed, emitted, reference_feed.build(reference))
    version = ItemVersion(reference.version, reference.version)
    return tuple(Emit(feed, item_id, payload, version) for item_id, payload in items), held
