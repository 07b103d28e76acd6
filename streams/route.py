"""Route: decode every source record and send it where it is applied.

The ``route`` agent reads every captured table's topic. Each record is decoded (a
malformed one becomes a dead letter); reference data (scopes, attributes, categories, ...)
goes to ``<app id>.entity.reference-rows`` (streams/reference.py applies it), and entity
rows are re-keyed onto ``<app id>.entity.<entity>`` of every projector they belong to. A
record that fails is dead-lettered whole, nothing of it sent, and the stream goes on.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import faust

from feeds.change import RowChange
from feeds.engine import targets
from feeds.projector import Forward
from feeds.reference import REFERENCE_TABLES
from streams.batches import ack_all, drain
from streams.codec import dump_change
from streams.decode import decode
from streams.guard import Failed, Guard, Outputs, source_header
from streams.letters import SOURCE_DLQ, Stage
from streams.metrics import RECORDS_IN
from streams.rebuild import SNAPSHOT_MARKERS, Dirty
from streams.topology import DRAIN_LINGER_S, Topology

__all__ = ["register_route"]

log = logging.getLogger("feedsync.route")
ROUTE_BATCH = 500


def register_route(app: faust.App, topology: Topology, dirty: Dirty) -> None:
    router = Router(topology, dirty)

    @app.agent(topology.source, concurrency=1)
    async def route(stream: Any) -> None:  # faust's StreamT lacks noack_take
        async for events in drain(stream, ROUTE_BATCH, DRAIN_LINGER_S):
            await router.run_batch(events)
            await ack_all(stream, events)


class Router:
    """Decodes, applies reference data and re-keys one batch at a time."""

    def __init__(self, topology: Topology, dirty: Dirty) -> None:
        self.topology = topology
        self.dirty = dirty
        self.projectors = topology.selection.projectors
        self.route_guard = Guard(Stage.ROUTE, topology.dlq[SOURCE_DLQ], feed=SOURCE_DLQ)

    async def run_batch(self, events: list[Any]) -> None:
        RECORDS_IN.labels("route").inc(len(events))
        outputs = Outputs()
        snapshot_reads: set[str] = set()
        markers: list[tuple[str, str]] = []
        for event in events:
            await self._route(event, outputs, snapshot_reads, markers)
        await outputs.settle(self.route_guard)
        # Only now: the control record that builds them must come after the reads, and a
        # settle held up by Kafka must not pass for a quiet snapshot.
        for entity in snapshot_reads:
            self.dirty.mark_snapshot_read(entity)
        for table, marker in markers:
            self.dirty.snapshot_marker(table, marker)
        await self.route_guard.flush()

    async def _route(
        self,
        event: Any,
        outputs: Outputs,
        snapshot_reads: set[str],
        markers: list[tuple[str, str]],
    ) -> None:
        routed = self.route_guard.attempt(event, partial(self._decode, event))
        if routed is None or isinstance(routed, Failed):
            return
        change, forwards = routed
        if change.position.snapshot in SNAPSHOT_MARKERS:
            markers.append((change.table, change.position.snapshot))
        if change.table not in REFERENCE_TABLES and not forwards:
            return
        value, origin = dump_change(change), source_header(event.message)
        if change.table in REFERENCE_TABLES:  # applied by one worker: streams/reference.py
            topic = self.topology.reference_rows
            await outputs.send(event, topic, change.table.encode(), value, headers=origin)
        for forward in forwards:
            if change.position.snapshot is not None:
                snapshot_reads.add(forward.entity)
            topic = self.topology.entities[forward.entity]
            await outputs.send(event, topic, forward.key.encode(), value, headers=origin)

    def _decode(self, event: Any) -> tuple[RowChange, list[Forward]] | None:
        change = decode(event.message.key, event.message.value)
        if change is None:
            return None  # a tombstone: compaction's business, not ours
        return change, list(targets(self.projectors, change))
