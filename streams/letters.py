"""The dead-letter record written to ``feedsync.dlq.<feed>`` (and ``feedsync.dlq.source``)."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

import orjson

from feeds.item import FeedItem
from feedsync.errors import ErrorClass

__all__ = [
    "SOURCE_DLQ",
    "DeadLetter",
    "DeadLetterStatus",
    "SourceCoordinates",
    "Stage",
    "dlq_topic",
]

SOURCE_DLQ = "source"  # letters of the stages before delivery: route, reference, project


def dlq_topic(feed: str, namespace: str = "feedsync") -> str:
    return f"{namespace}.dlq.{feed}"


class DeadLetterStatus(StrEnum):
    NEEDS_ATTENTION = "needs_attention"  # terminal: not retried until the item changes
    WILL_RETRY = "will_retry"  # transient: re-driven on a schedule

    @classmethod
    def of(cls, error_class: ErrorClass) -> DeadLetterStatus:
        """Transient failures are re-driven; anything else waits for a change or a person."""
        return cls.WILL_RETRY if error_class is ErrorClass.TRANSIENT else cls.NEEDS_ATTENTION


class Stage(StrEnum):
    """Where in the pipeline a record failed."""

    ROUTE = "route"  # decoding and re-keying a source record
    REFERENCE = "reference"  # applying a source record to the reference data
    PROJECT = "project"  # folding a change into an entity and building its items
    REFERENCE_FEED = "reference_feed"  # rebuilding a feed built from reference data alone
    DELIVER = "deliver"  # sending items to the feed's endpoint
    REDRIVE = "redrive"  # sending dead-lettered items again


@dataclass(frozen=True)
class SourceCoordinates:
    """Where the failed records were read from."""

    topic: str
    partition: int
    offsets: tuple[int, ...]
    key: str | None = None  # the record's key, as text (keys are JSON or ids)


@dataclass(frozen=True)
class DeadLetter:
    """Everything needed to understand a failure and to replay it."""

    feed: str
    stage: Stage
    status: DeadLetterStatus
    error_class: ErrorClass
    error: str  # the exception's type, e.g. EndpointRejected, KeyError
    message: str
    first_failure: float
    last_failure: float
    attempts: int = 1  # requests that failed, live and re-driven
    redrives: int = 0  # re-drive rounds that failed again (the give-up counts these)
    items: tuple[FeedItem, ...] = ()
    raw: bytes | None = None  # a source record that did not decode
    raw_key: bytes | None = None
    http_status: int | None = None
    response_excerpt: str = ""
    request_id: str | None = None
    coordinates: SourceCoordinates | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    error_code: str = ""  # FS1xx/2xx/3xx (feedsync/errors.py), "" in letters written before

    def to_record(self) -> bytes:
        data = asdict(self)
        data["status"] = self.status.value
        data["stage"] = self.stage.value
        data["error_class"] = self.error_class.value
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
            stage=Stage(data["stage"]),
            status=DeadLetterStatus(data["status"]),
            error_class=ErrorClass(data["error_class"]),
            error=data["error"],
            message=data["message"],
            first_failure=data["first_failure"],
            last_failure=data["last_failure"],
            attempts=data["attempts"],
            redrives=data.get("redrives", 0),
            items=tuple(FeedItem.from_record(orjson.dumps(i)) for i in data["items"]),
            raw=_unb64(data.get("raw")),
            raw_key=_unb64(data.get("raw_key")),
            http_status=data.get("http_status"),
            response_excerpt=data.get("response_excerpt", ""),
            request_id=data.get("request_id"),
            coordinates=(
                SourceCoordinates(
                    coordinates["topic"],
                    coordinates["partition"],
                    tuple(coordinates["offsets"]),
                    coordinates.get("key"),
                )
                if coordinates
                else None
            ),
            extra=data.get("extra", {}),
            error_code=data.get("error_code", ""),
        )


def _b64(value: bytes | None) -> str | None:
    return None if value is None else base64.b64encode(value).decode()


def _unb64(value: str | None) -> bytes | None:
    return None if value is None else base64.b64decode(value)
