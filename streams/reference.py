"""The reference stage: one worker applies reference rows to the global reference table.

Reference rows (scopes, attribute metadata, options, categories, ...) are merged into
shared keys (an option holds its attribute and every store's label), so two workers
writing the table would overwrite each other's changes with what their replicas held.
The route stage therefore sends every reference row to ``<app id>.entity.reference-rows``,
one partition: its owner alone applies them, in order, and marks what kind of data changed.
Two control records come the same way (streams/rebuild.py): ``rebuilt`` notes in the
table how far the rebuilds reference changes asked for are durable, and ``owner-check``,
sent by a worker that took the stage, asks for a rebuild of everything if they lag.
Every worker (the owner too) reads the table through faust's replication of its changelog;
each value carries the offset of the row that wrote it, so that a late or echoed write
never puts an older value back (streams/sequenced.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, MutableMapping
from functools import partial
from typing import Any

import faust

from feeds.change import RowChange
from feeds.reference import ReferenceKind, apply_reference
from streams.codec import load_change
from streams.faust_compat import in_event
from streams.guard import Failed, Guard
from streams.letters import SOURCE_DLQ, Stage
from streams.metrics import RECORDS_IN
from streams.rebuild import REBUILT, Dirty, rebuild_owed, reference_control
from streams.sequenced import APPLIED, SequencedView, sequenced
from streams.topology import STAGE_LINGER_S, Topology

__all__ = ["register_reference"]

log = logging.getLogger("feedsync.reference")
REFERENCE_BATCH = 500
_DELETED = object()


def register_reference(app: faust.App, topology: Topology, dirty: Dirty) -> None:
    table = topology.reference
    guard = Guard(Stage.REFERENCE, topology.dlq[SOURCE_DLQ], feed=SOURCE_DLQ)

    running = frozenset(topology.items)

    @app.agent(topology.reference_rows, concurrency=1)
    async def apply_reference_rows(stream: Any) -> None:
        read = SequencedView(table)
        async for events in stream.noack_take(REFERENCE_BATCH, within=STAGE_LINGER_S):
            RECORDS_IN.labels("reference").inc(len(events))
            for event in events:
                control = guard.attempt(event, partial(reference_control, event.value))
                if isinstance(control, Failed):
                    continue
                if control is not None:
                    _on_control(table, dirty, running, event, control)
                    continue
                update = guard.attempt(event, partial(_reference_update, read, event.value))
                if isinstance(update, Failed):
                    continue
                kind, writes = update
                with in_event(event):
                    _write(table, writes, seq=event.message.offset)
                if kind is not None:
                    dirty.mark(kind)
            await guard.flush()
            await app.producer.flush()  # the table's changelog, before the acks
            for event in events:
                await stream.ack(event)


def _on_control(
    table: MutableMapping[str, Any],
    dirty: Dirty,
    running: frozenset[str],
    event: Any,
    control: dict[str, Any],
) -> None:
    """``rebuilt``: the rebuilds asked for are durable, note how far. ``owner-check``: this
    worker took the stage, and the table is restored: ask for whatever rebuild is owed."""
    kind = control.get("control")
    if kind == "rebuilt":
        done = {k: control.get(k) for k in ("through", "feeds", "version")}
        with in_event(event):
            table[REBUILT] = sequenced(event.message.offset, done)
    elif kind == "owner-check":
        if rebuild_owed(table, running):
            log.info("reference stage taken: its rebuilds lag behind it, rebuilding all")
            dirty.mark(*ReferenceKind)
        else:
            log.info("reference stage taken: its rebuilds are up to date")


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
    table: Mapping[str, Any], value: bytes
) -> tuple[ReferenceKind | None, dict[str, Any]]:
    change: RowChange = load_change(value)
    scratch = _Scratch(table)
    kind = apply_reference(scratch, change)
    return kind, scratch.writes


def _write(table: MutableMapping[str, Any], writes: Mapping[str, Any], *, seq: int) -> None:
    for key, value in writes.items():
        table[key] = sequenced(seq, None if value is _DELETED else value)
    table[APPLIED] = sequenced(seq, seq)  # last: a replica that has it has the writes before
