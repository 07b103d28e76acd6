"""Route: decode every source record, keep the reference data, re-key entity rows.

The ``route`` agent reads every captured table's topic. Each record is decoded (a
malformed one becomes a dead letter), applied to the global reference table if it is
reference data (scopes, attributes, categories, ...), and re-keyed onto
``<app id>.entity.<entity>`` of every projector it belongs to. A record that fails at any
of these steps is dead-lettered whole, with nothing of it applied, and the stream goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, MutableMapping
from functools import partial
from typing import Any

import faust

from feeds.change import RowChange
from feeds.engine import targets
from feeds.projector import Forward
from feeds.reference import REFERENCE_TABLES, ReferenceKind, apply_reference
from streams.codec import dump_change
from streams.decode import decode
from streams.faust_compat import in_event
from streams.guard import Failed, Guard, Outputs, source_header
from streams.letters import SOURCE_DLQ, Stage
from streams.rebuild import Dirty
from streams.topology import Topology

__all__ = ["register_route"]

log = logging.getLogger("feedsync.route")
ROUTE_BATCH = 500
_DELETED = object()


def register_route(app: faust.App, topology: Topology, dirty: Dirty) -> None:
    router = Router(topology, dirty)

    @app.agent(topology.source, concurrency=1)
    async def route(stream: Any) -> None:  # faust's StreamT lacks noack_take
        async for events in stream.noack_take(ROUTE_BATCH, within=0.2):
            await router.run_batch(events)
            for event in events:
                await stream.ack(event)


class Router:
    """Decodes, applies reference data and re-keys one batch at a time."""

    def __init__(self, topology: Topology, dirty: Dirty) -> None:
        self.topology = topology
        self.dirty = dirty
        self.projectors = topology.selection.projectors
        self.route_guard = Guard(Stage.ROUTE, topology.dlq[SOURCE_DLQ], feed=SOURCE_DLQ)
        self.reference_guard = Guard(Stage.REFERENCE, topology.dlq[SOURCE_DLQ], feed=SOURCE_DLQ)

    async def run_batch(self, events: list[Any]) -> None:
        outputs = Outputs()
        for event in events:
            await self._route(event, outputs)
        await outputs.settle(self.route_guard)
        await self.route_guard.flush()
        await self.reference_guard.flush()

    async def _route(self, event: Any, outputs: Outputs) -> None:
        routed = self.route_guard.attempt(event, partial(self._decode, event))
        if routed is None or isinstance(routed, Failed):
            return
        change, forwards = routed
        if change.table in REFERENCE_TABLES and not self._apply_reference(event, change):
            return
        if not forwards:
            return
        value, origin = dump_change(change), source_header(event.message)
        for forward in forwards:
            if change.position.snapshot is not None:
                self.dirty.mark_snapshot_read(forward.entity)
            topic = self.topology.entities[forward.entity]
            await outputs.send(event, topic, forward.key.encode(), value, headers=origin)

    def _decode(self, event: Any) -> tuple[RowChange, list[Forward]] | None:
        change = decode(event.message.key, event.message.value)
        if change is None:
            return None  # a tombstone: compaction's business, not ours
        return change, list(targets(self.projectors, change))

    def _apply_reference(self, event: Any, change: RowChange) -> bool:
        """Apply a reference row to the global table, whole or not at all."""
        update = self.reference_guard.attempt(
            event, partial(_reference_update, self.topology.reference, change)
        )
        if isinstance(update, Failed):
            return False
        kind, writes = update
        with in_event(event):
            _write(self.topology.reference, writes)
        if kind is not None:
            self.dirty.mark(kind)
        return True


class _Scratch(MutableMapping[str, Any]):
    """The reference table as ``apply_reference`` sees it, with its writes held back, so
    that a change that fails half-way leaves the table as it was."""

    def __init__(self, table: Mapping[str, Any]) -> None:
        self.table = table
        self.writes: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key in self.writes:
            value = self.writes[key]
            if value is _DELETED:
                raise KeyError(key)
            return value
        return self.table[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.writes[key] = value

    def __delitem__(self, key: str) -> None:
        self[key]
        self.writes[key] = _DELETED

    def __iter__(self) -> Iterator[str]:
        keys = {*self.table.keys(), *self.writes}
        return iter(k for k in keys if self.writes.get(k) is not _DELETED)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _reference_update(
    table: Mapping[str, Any], change: RowChange
) -> tuple[ReferenceKind | None, dict[str, Any]]:
    scratch = _Scratch(table)
    kind = apply_reference(scratch, change)
    return kind, scratch.writes


def _write(table: MutableMapping[str, Any], writes: Mapping[str, Any]) -> None:
    for key, value in writes.items():
        if value is _DELETED:
            table.pop(key, None)
        else:
            table[key] = value
