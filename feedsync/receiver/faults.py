"""Fault injection for the reference receiver, changeable at run time over HTTP."""

from __future__ import annotations

import random
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FaultPlan", "FaultRule"]


class FaultRule(BaseModel):
    """Answer matching requests with ``status`` at ``rate``, for ``duration_s`` from now.

    ``corrupt_body``: answer with ``status`` (200 when unset) and ``Content-Encoding: gzip``
    over a body that is not gzip, so a client that decodes the response (httpx reading
    ``.text``/``.json()``, or ``post`` itself, which reads the body) fails with a decoding
    error after the status arrived. The request's fate follows the status alone: with a
    2xx the batch was accepted, so its items are stored (less any ``reject_item_ids`` /
    ``reject_rate`` picks) exactly as without the fault; with any other status nothing is
    stored.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    feed: str | None = None  # None: every feed
    status: int | None = Field(None, ge=100, le=599)
    rate: float = Field(1.0, ge=0.0, le=1.0)
    retry_after: str | None = None
    latency_s: float = Field(0.0, ge=0.0)
    hang_s: float = Field(0.0, ge=0.0)  # sleep past the client's timeout
    reject_item_ids: tuple[str, ...] = ()  # 2xx, but these items listed as rejected
    reject_rate: float = Field(0.0, ge=0.0, le=1.0)  # random items listed as rejected
    corrupt_body: bool = False  # status as usual, but a body that claims gzip and is not
    # Only batches holding an item with all these field values (e.g. {"productId": 42}):
    # an endpoint that refuses one item's batches whatever else they carry.
    match: dict[str, Any] = Field(default_factory=dict)
    duration_s: float | None = Field(None, gt=0)
    times: int | None = Field(None, ge=1)  # answer this many requests, then retire


class FaultPlan:
    """The active rules; the first live rule matching a request decides its fault."""

    def __init__(self, seed: int = 0) -> None:
        self._rules: list[tuple[FaultRule, float | None, list[int]]] = []
        self._random = random.Random(seed)  # noqa: S311 - fault sampling, not crypto

    def set(self, rules: list[FaultRule]) -> None:
        now = time.monotonic()
        self._rules = [
            (rule, now + rule.duration_s if rule.duration_s else None, [0]) for rule in rules
        ]

    def describe(self) -> list[dict[str, Any]]:
        return [rule.model_dump() for rule, _, _ in self._live()]

    def pick(self, feed: str, items: list[dict[str, Any]] | None = None) -> FaultRule | None:
        for rule, _until, used in self._live():
            if rule.feed not in (None, feed):
                continue
            if rule.match and not any(_matches(item, rule.match) for item in items or ()):
                continue
            if self._random.random() >= rule.rate:
                continue
            used[0] += 1
            return rule
        return None

    def rejected(self, rule: FaultRule, item_ids: list[str]) -> list[str]:
        chosen = [i for i in item_ids if i in rule.reject_item_ids]
        if rule.reject_rate:
            chosen += [i for i in item_ids if self._random.random() < rule.reject_rate]
        return sorted(set(chosen))

    def _live(self) -> list[tuple[FaultRule, float | None, list[int]]]:
        now = time.monotonic()
        self._rules = [
            (rule, until, used)
            for rule, until, used in self._rules
            if (until is None or now < until) and (rule.times is None or used[0] < rule.times)
        ]
        return self._rules


def _matches(item: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return all(item.get(field) == value for field, value in wanted.items())
