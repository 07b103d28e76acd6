"""Row changes for unit tests: one factory, positions that always grow."""

from __future__ import annotations

import itertools
from typing import Any

from feeds.change import RowChange, SourcePosition

Row = dict[str, Any]
POSITIONS = itertools.count(1)  # also a handy source of unique ids


def change(
    table: str, op: str, before: Row | None = None, after: Row | None = None, snapshot: Any = None
) -> RowChange:
    """A change at the next binlog position (``snapshot`` set: a snapshot read)."""
    position = next(POSITIONS)
    return RowChange(
        table=table,
        op=op,  # type: ignore[arg-type]
        key={},
        before=before,
        after=after,
        position=SourcePosition("mariadb-bin.000001", position * 10, 0, None, snapshot),
        ts_ms=position,
    )


def insert(table: str, row: Row) -> RowChange:
    return change(table, "c", after=row)


def update(table: str, before: Row, **changed: Any) -> RowChange:
    return change(table, "u", before=before, after={**before, **changed})


def delete(table: str, row: Row) -> RowChange:
    return change(table, "d", before=row)
