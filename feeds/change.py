"""The change model every stage shares: one row changed in one table, and where.

Decode (``streams/decode.py``) builds ``RowChange``s from Debezium envelopes; the
projectors in ``feeds/`` consume them, and forwarded changes between entities are
``RowChange``s too (on pseudo-tables whose names start with ``@``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from feedsync.errors import TerminalError

__all__ = ["MalformedRow", "Op", "Row", "RowChange", "SourcePosition"]

Op = Literal["c", "u", "d", "r"]
Row = dict[str, Any]


class MalformedRow(TerminalError):
    """A row image feedsync cannot use: it lacks a column (or a value) it needs."""

    code = "FS202"


@dataclass(frozen=True, slots=True)
class SourcePosition:
    """Where in the binlog a change was read: orders changes and resumes streams."""

    file: str
    pos: int
    row: int
    gtid: str | None
    snapshot: str | None

    @property
    def version(self) -> int:
        """One integer that grows with the binlog position: file number, offset, row.

        Snapshot reads all carry the position the snapshot started at.
        """
        suffix = self.file.rsplit(".", 1)[-1]
        file_number = int(suffix) if suffix.isdigit() else 0
        return (file_number << 44) | (min(self.pos, (1 << 32) - 1) << 12) | min(self.row, 4095)


@dataclass(frozen=True, slots=True)
class RowChange:
    """One row changed in one table: the unit every projector consumes."""

    table: str
    op: Op
    key: Row
    before: Row | None
    after: Row | None
    position: SourcePosition
    ts_ms: int

    @property
    def row(self) -> Row:
        """The row as it is now (``after``), or as it was before a delete."""
        row = self.after if self.after is not None else self.before
        assert row is not None  # decode() guarantees one of them
        return row

    @property
    def deleted(self) -> bool:
        return self.op == "d"

    @property
    def forwarded(self) -> bool:
        """A change derived by another entity's projector, not read from the source."""
        return self.table.startswith("@")
