"""Row changes re-keyed onto internal topics travel as JSON."""

from __future__ import annotations

from typing import Any

import orjson

from feeds.change import RowChange, SourcePosition

__all__ = ["dump_change", "load_change"]


def dump_change(change: RowChange) -> bytes:
    return orjson.dumps(change)  # orjson serialises (slotted) dataclasses natively


def load_change(value: bytes) -> RowChange:
    data: dict[str, Any] = orjson.loads(value)
    return RowChange(
        table=data["table"],
        op=data["op"],
        key=data["key"],
        before=data["before"],
        after=data["after"],
        position=SourcePosition(**data["position"]),
        ts_ms=data["ts_ms"],
    )
