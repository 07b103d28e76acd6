"""Decode: Debezium JSON envelopes become typed ``RowChange``s.

A tombstone (null value, emitted after every delete for log compaction) decodes to
``None`` and is skipped. Anything else that is not a well-formed envelope raises
``MalformedRecord`` (terminal), which the stream turns into a dead letter on
``feedsync.dlq.source`` with the raw bytes and coordinates, and goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import orjson

from feedsync.errors import TerminalError

__all__ = ["MalformedRecord", "Op", "RowChange", "SourcePosition", "decode"]

Op = Literal["c", "u", "d", "r"]
_OPS: frozenset[str] = frozenset({"c", "u", "d", "r"})
Row = dict[str, Any]


class MalformedRecord(TerminalError):
    """A source record that is not a Debezium change envelope; it will never decode."""


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


def decode(key: bytes | None, value: bytes | None) -> RowChange | None:
    """Decode one source record; ``None`` for a tombstone; ``MalformedRecord`` otherwise."""
    if value is None:
        return None
    envelope = _json_object(value, "value")
    if "payload" in envelope and "schema" in envelope:
        raise MalformedRecord(
            "value carries a {schema, payload} wrapper",
            hint="set value.converter.schemas.enable=false on the connector",
        )
    op = envelope.get("op")
    if op not in _OPS:
        raise MalformedRecord(f"unknown op {op!r}; expected one of c, u, d, r")
    before, after = envelope.get("before"), envelope.get("after")
    if not _row_or_none(before) or not _row_or_none(after):
        raise MalformedRecord("before/after must be objects or null")
    if (op == "d" and before is None) or (op != "d" and after is None):
        raise MalformedRecord(f"op {op!r} without the row image it needs")
    source = envelope.get("source")
    if not isinstance(source, dict) or not isinstance(source.get("table"), str):
        raise MalformedRecord("envelope has no source.table")
    return RowChange(
        table=source["table"],
        op=op,
        key=_decode_key(key),
        before=before,
        after=after,
        position=SourcePosition(
            file=str(source.get("file") or ""),
            pos=_int(source.get("pos")),
            row=_int(source.get("row")),
            gtid=source.get("gtid") if isinstance(source.get("gtid"), str) else None,
            snapshot=_snapshot_flag(source.get("snapshot")),
        ),
        ts_ms=_int(source.get("ts_ms")),
    )


def _decode_key(key: bytes | None) -> Row:
    return {} if key is None else _json_object(key, "key")


def _json_object(raw: bytes, what: str) -> Row:
    try:
        decoded = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedRecord(f"{what} is not JSON: {exc}") from None
    if not isinstance(decoded, dict):
        raise MalformedRecord(f"{what} is JSON {type(decoded).__name__}, not an object")
    return decoded


def _row_or_none(row: object) -> bool:
    return row is None or isinstance(row, dict)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _snapshot_flag(value: object) -> str | None:
    if value in (None, "false", False):
        return None
    return str(value)
