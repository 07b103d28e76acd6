"""Decode: Debezium JSON envelopes become typed ``RowChange``s.

A tombstone (null value, emitted after every delete for log compaction) decodes to
``None`` and is skipped. Anything else that is not a well-formed envelope raises
``MalformedRecord`` (terminal), which the stream turns into a dead letter on
``feedsync.dlq.source`` with the raw bytes and coordinates, and goes on.
"""

from __future__ import annotations

import orjson

from feeds.change import Row, RowChange, SourcePosition
from feedsync.errors import TerminalError

__all__ = ["MalformedRecord", "decode"]

_OPS: frozenset[str] = frozenset({"c", "u", "d", "r"})


class MalformedRecord(TerminalError):
    """A source record that is not a Debezium change envelope; it will never decode."""

    code = "FS201"


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
    row_key = _decode_key(key)
    _check_key(source["table"], row_key, before if op == "d" else after)
    return RowChange(
        table=source["table"],
        op=op,
        key=row_key,
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


def _check_key(table: str, key: Row, row: Row | None) -> None:
    """The row image must carry its own primary key, as the record's key names it.

    A valid envelope whose row lacks its key (``after: {}``, a key column renamed by a
    schema upgrade, a null id) would otherwise reach the projectors and fail there, or
    be filed under the wrong entity.
    """
    assert row is not None  # checked by the caller
    for column, value in key.items():
        if column not in row:
            raise MalformedRecord(
                f"{table} row lacks its primary-key column {column!r}",
                hint="the table's schema may have changed; check the connector's capture",
            )
        if row[column] != value or value is None:
            raise MalformedRecord(
                f"{table} row has {column}={row[column]!r} but the record's key says {value!r}"
            )


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
