"""The whole projection stage in memory: the engine driven without Kafka.

``MemoryPipeline`` folds source changes exactly as the workers do (reference data, re-key,
step, forward, rebuild after reference changes) and keeps, per feed, the items it emitted
as a receiver would hold them. The unit tests and the offline parity check
(tests/support/offline.py) run on it, so they test the engine production runs. It builds
each entity at once rather than deferring snapshot reads: deferral changes when items go
out, never which.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Iterable
from typing import Any

import orjson

from feeds.change import RowChange
from feeds.engine import Emit, EntityRecord, Projection, rebuild_reference_feed, targets
from feeds.feed import Held
from feeds.projector import EntityProjector, Forward, Payload, ReferenceFeed, State
from feeds.reference import REFERENCE_TABLES, Reference, ReferenceKind, apply_reference

__all__ = ["MemoryPipeline"]


class MemoryPipeline:
    """A reference store, one record map per projector, and the items each feed received.

    ``strict`` (for unit tests) also checks that ``apply`` never mutates the state it is
    given and that every state stays plain JSON; ``forwarded`` records every forward and
    ``emitted`` every item emitted, in order.
    """

    def __init__(
        self,
        projectors: Iterable[EntityProjector],
        reference_feeds: Iterable[ReferenceFeed] = (),
        *,
        strict: bool = False,
        installation: str = "",
    ) -> None:
        self.store: dict[str, Any] = {}
        self.reference = Reference(self.store, installation=installation)
        projectors = tuple(projectors)
        self.reference_feeds = tuple(reference_feeds)
        running = frozenset(
            [f.name for p in projectors for f in p.feeds]
            + [r.feed.name for r in self.reference_feeds]
        )
        self.projections = {p.entity: Projection(p, self.reference, running) for p in projectors}
        self.records: dict[str, dict[str, EntityRecord]] = {p.entity: {} for p in projectors}
        self.reference_emitted: dict[str, dict[str, Held]] = {}
        self.received: dict[str, dict[str, Payload]] = {feed: {} for feed in running}
        self.strict = strict
        self.forwarded: list[Forward] = []
        self.emitted: list[Emit] = []

    @property
    def states(self) -> dict[str, dict[str, State]]:
        """Entity → key → the projector's state, for every entity not deleted."""
        return {
            entity: {key: r.state for key, r in records.items() if not r.tombstone}
            for entity, records in self.records.items()
        }

    def feed(self, changes: Iterable[RowChange]) -> None:
        """Fold source changes, then rebuild what the reference changes among them touch."""
        dirty: set[ReferenceKind] = set()
        for change in changes:
            if change.table in REFERENCE_TABLES:
                kind = apply_reference(self.store, change)
                if kind is not None:
                    dirty.add(kind)
            for target in targets([p.projector for p in self.projections.values()], change):
                self._fold(target)
        if dirty:
            self.rebuild(dirty)

    def rebuild(self, kinds: Iterable[ReferenceKind] = tuple(ReferenceKind)) -> None:
        """What the workers do after reference changes of ``kinds``."""
        kinds = set(kinds)
        for reference_feed in self.reference_feeds:
            if kinds & reference_feed.kinds:
                name = reference_feed.feed.name
                emits, held = rebuild_reference_feed(
                    reference_feed, self.reference_emitted.get(name, {}), self.reference
                )
                self.reference_emitted[name] = held
                self._receive(emits)
        for entity, projection in self.projections.items():
            if kinds & projection.projector.rebuild_on:
                records = self.records[entity]
                for key, record in list(records.items()):
                    step = projection.rebuild(record)
                    assert step.record is not None
                    records[key] = step.record
                    self._receive(step.emits)

    def items(self, feed: str) -> dict[str, Payload]:
        """itemId → payload of every item ``feed`` holds now, as a receiver would."""
        return dict(self.received[feed])

    def _fold(self, first: Forward) -> None:
        queue = deque([first])
        while queue:
            target = queue.popleft()
            if target.entity not in self.projections:
                continue  # forwarded to a projector this pipeline leaves out (self.forwarded)
            projection = self.projections[target.entity]
            records = self.records[target.entity]
            record = records.get(target.key)
            untouched = copy.deepcopy(record) if self.strict else None
            step = projection.step(target.key, record, target.change, partition=0)
            if self.strict:
                assert record == untouched, "apply mutated the state it was given"
                state = step.record.state if step.record else None
                assert state is None or orjson.loads(orjson.dumps(state)) == state, "not JSON"
            self.forwarded += step.forwards
            queue.extend(step.forwards)
            if step.record is None:
                records.pop(target.key, None)
            else:
                records[target.key] = step.record
            self._receive(step.emits)

    def _receive(self, emits: Iterable[Emit]) -> None:
        for emit in emits:
            self.emitted.append(emit)
            held = self.received[emit.feed.name]
            if emit.deleted:
                held.pop(emit.item_id, None)
            else:
                held[emit.item_id] = emit.payload
