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
from streams.dlq.record import SOURCE_DLQ, Stage
from streams.faust_compat import in_event
from streams.guard import Failed, Guard, Outputs
from streams.rebuild import Dirty
from streams.topology import Topology

__all__ = ["register_route"]

log = logging.getLogger("feedsync.route")
ROUTE_BATCH = 500
_DELETED = object()


def register_route(app: faust.App, topology: Topology, dirty: Dirty) -> None:
    projectors = topology.selection.projectors
    route_guard = Guard(Stage.ROUTE, topology.dlq[SOURCE_DLQ], feed=SOURCE_DLQ)
    reference_guard = Guard(Stage.REFERENCE, topology.dlq[SOURCE_DLQ], feed=SOURCE_DLQ)

    def routed(event: Any) -> tuple[RowChange, list[Forward]] | None:
        change = decode(event.message.key, event.message.value)
        if change is None:
            return None  # a tombstone: compaction's business, not ours
        return change, list(targets(projectors, change))

    @app.agent(topology.source, concurrency=1)
    async def route(stream: Any) -> None:  # faust's StreamT lacks noack_take
        async for events in stream.noack_take(ROUTE_BATCH, within=0.2):
            outputs = Outputs()
            for event in events:
                result = route_guard.attempt(event, partial(routed, event))
                if result is None or isinstance(result, Failed):
                    continue
                change, forwards = result
                if change.table in REFERENCE_TABLES:
                    update = reference_guard.attempt(
                        event, partial(_reference_update, topology.reference, change)
                    )
                    if isinstance(update, Failed):
                        continue
                    kind, writes = update
                    with in_event(event):
                        _write(topology.reference, writes)
                    if kind is not None:
                        dirty.mark(kind)
                if not forwards:
                    continue
                value = dump_change(change)
                for forward in forwards:
                    if change.position.snapshot is not None:
                        dirty.mark_snapshot_read(forward.entity)
                    topic = topology.entities[forward.entity]
                    await outputs.send(event, topic, forward.key.encode(), value)
            await outputs.settle(route_guard)
            await route_guard.flush()
            await reference_guard.flush()
            for event in events:
                await stream.ack(event)


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
