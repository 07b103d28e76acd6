"""The dead-letter record written to ``feedsync.dlq.<feed>`` (and ``feedsync.dlq.source``)."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import orjson

from feeds.item import FeedItem

__all__ = ["DeadLetter", "DeadLetterStatus", "SourceCoordinates", "dlq_topic"]

SOURCE_DLQ = "source"


def dlq_topic(feed: str, namespace: str = "feedsync") -> str:
    return f"{namespace}.dlq.{feed}"


class DeadLetterStatus(StrEnum):
    NEEDS_ATTENTION = "needs_attention"  # terminal: not retried until the item changes
    WILL_RETRY = "will_retry"  # transient: re-driven on a schedule


@dataclass(frozen=True)
class SourceCoordinates:
    """Where the failed records were read from."""

    topic: str
    partition: int
    offsets: tuple[int, ...]


@dataclass(frozen=True)
class DeadLetter:
    """Everything needed to understand a failure and to replay it."""

    feed: str
    status: DeadLetterStatus
    error_class: str
    message: str
    first_failure: float
    last_failure: float
    attempts: int = 1
    items: tuple[FeedItem, ...] = ()
    raw: bytes | None = None  # a source record that did not decode
    raw_key: bytes | None = None
    http_status: int | None = None
    response_excerpt: str = ""
    request_id: str | None = None
    coordinates: SourceCoordinates | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> bytes:
        data = asdict(self)
        data["status"] = self.status.value
        data["items"] = [orjson.loads(item.to_record()) for item in self.items]
        data["raw"] = _b64(self.raw)
        data["raw_key"] = _b64(self.raw_key)
        return orjson.dumps(data)

    @classmethod
    def from_record(cls, value: bytes) -> DeadLetter:
        data = orjson.loads(value)
        coordinates = data.get("coordinates")
        return cls(
            feed=data["feed"],
            status=DeadLetterStatus(data["status"]),
            error_class=data["error_class"],
            message=data["message"],
            first_failure=data["first_failure"],
            last_failure=data["last_failure"],
            attempts=data["attempts"],
            items=tuple(FeedItem.from_record(orjson.dumps(i)) for i in data["items"]),
            raw=_unb64(data.get("raw")),
            raw_key=_unb64(data.get("raw_key")),
            http_status=data.get("http_status"),
            response_excerpt=data.get("response_excerpt", ""),
            request_id=data.get("request_id"),
            coordinates=(
                SourceCoordinates(
                    coordinates["topic"], coordinates["partition"], tuple(coordinates["offsets"])
                )
                if coordinates
                else None
            ),
            extra=data.get("extra", {}),
        )


def _b64(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode()


def _unb64(value: str | None) -> bytes | None:
    return None if value is None else base64.b64decode(value)
