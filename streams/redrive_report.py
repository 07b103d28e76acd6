"""What the scheduled re-drive did: per feed, its last re-drive and its counts since the
worker started, kept in ``<app id>.redrive-report`` (compacted, one record per feed).

The re-drive agent writes the feed's report after each dead letter it re-drives;
``feedsync dlq list`` and ``feedsync status`` read the newest report of each feed, so an
operator can tell whether the re-drive runs, how much it sent and how much still fails
without reading worker logs. The counts restart with the worker (a new ``since``): they
describe that worker's re-drive, not the topic's history, which ``dlq list`` shows.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import orjson

__all__ = ["RedriveCounts", "RedriveReport", "redrive_report_topic"]


def redrive_report_topic(namespace: str = "feedsync") -> str:
    return f"{namespace}.redrive-report"


@dataclass(frozen=True)
class RedriveCounts:
    """One re-drive of a dead letter, or the sum of several."""

    letters: int = 0
    items: int = 0  # items the letters held
    answered: int = 0  # delivered, or found answered for already (not sent over a newer one)
    failed_again: int = 0  # in a new will-retry letter
    gave_up: int = 0  # in a new needs-attention letter (give-up reached, or refused for good)

    def __add__(self, other: RedriveCounts) -> RedriveCounts:
        return RedriveCounts(
            self.letters + other.letters,
            self.items + other.items,
            self.answered + other.answered,
            self.failed_again + other.failed_again,
            self.gave_up + other.gave_up,
        )


@dataclass(frozen=True)
class RedriveReport:
    feed: str
    since: float  # when this worker's re-drive of the feed started counting
    last_at: float | None = None  # when it last re-drove a letter
    last: RedriveCounts = field(default_factory=RedriveCounts)
    total: RedriveCounts = field(default_factory=RedriveCounts)

    def after(self, run: RedriveCounts, *, at: float | None = None) -> RedriveReport:
        """This report once ``run`` is done."""
        when = time.time() if at is None else at
        return replace(self, last_at=when, last=run, total=self.total + run)

    def to_record(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def from_record(cls, value: bytes) -> RedriveReport:
        data: dict[str, Any] = orjson.loads(value)
        last_at = data.get("last_at")
        return cls(
            feed=str(data["feed"]),
            since=float(data["since"]),
            last_at=float(last_at) if last_at is not None else None,
            last=RedriveCounts(**data.get("last", {})),
            total=RedriveCounts(**data.get("total", {})),
        )
