"""The reference table's values, each stored with the sequence number of the write that
made it, so that every worker keeps the newest write of each key whatever order the
changelog brings them in.

One worker at a time writes the reference table: the owner of the one partition of
``<app id>.entity.reference-rows`` (streams/reference.py). Ownership moves at a rebalance,
and the old owner may still be finishing a batch: its writes can reach the changelog after
the new owner has re-applied the same rows and newer ones. Kafka keeps them in that order,
so applying the changelog as it comes would put an older value back on every worker (and
on every worker that recovers from the changelog later), and the feeds would be built from
it until that key changed again. The same happens to a writer that reads its own writes
back: the echo of a write can arrive after a newer one.

A write's sequence number is the offset of the reference row that caused it: one
partition, so offsets order every row whoever applied it. A changelog record older than
the value a worker holds is not applied. A deletion is stored as a value of ``None`` with
its sequence number (and read as absent), so that it, too, is ordered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import faust

__all__ = ["APPLIED", "ReferenceTable", "SequencedView", "applied", "newest_writes", "sequenced"]

# The key that holds the sequence number of the last reference row applied: a worker whose
# replica holds ``applied >= n`` has every write of rows up to ``n``, because the changelog
# brings one writer's records in the order it made them. (The source position a row
# carries is no such watermark: rows of different tables reach the writer interleaved.)
APPLIED = "applied"


def sequenced(seq: int, value: Any) -> dict[str, Any]:
    """The stored form of ``value`` (``None``: deleted) written by reference row ``seq``."""
    return {"seq": seq, "value": value}


def applied(table: Mapping[str, Any]) -> int:
    """The sequence number of the last reference row whose writes ``table`` holds."""
    return _seq(table.get(APPLIED))


def _seq(raw: Any) -> int:
    if isinstance(raw, dict) and "seq" in raw:
        return int(raw["seq"])
    return -1  # a value without one (None: never written) is older than any write


def _value(raw: Any) -> Any:
    if isinstance(raw, dict) and raw.keys() == {"seq", "value"}:
        return raw["value"]
    return raw


def newest_writes(batch: Iterable[Any], held: Mapping[Any, Any]) -> list[Any]:
    """The changelog events of ``batch`` that are not older than what ``held`` (or an
    earlier event of the batch) has for their key, in order."""
    newest: dict[Any, int] = {}
    kept = []
    for event in batch:
        key = event.key
        seq = _seq(event.value)
        current = newest[key] if key in newest else _seq(held.get(key))
        if seq >= current:  # equal: the same write again (a re-applied row), harmless
            newest[key] = seq
            kept.append(event)
    return kept


class ReferenceTable(faust.GlobalTable):
    """The global reference table: a changelog record older than the value held is not
    applied (see the module's docstring)."""

    def apply_changelog_batch(self, batch: Iterable[Any]) -> None:
        super().apply_changelog_batch(newest_writes(batch, self.data))


class SequencedView(Mapping[str, Any]):
    """The reference table as projectors and ``apply_reference`` read it: plain values,
    deleted keys absent."""

    def __init__(self, table: Mapping[str, Any]) -> None:
        self.table = table

    def __getitem__(self, key: str) -> Any:
        value = _value(self.table[key])
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        raw = self.table.get(key)
        value = _value(raw) if raw is not None else None
        return default if value is None else value

    def __iter__(self) -> Iterator[str]:
        return (key for key, raw in self.table.items() if _value(raw) is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)
