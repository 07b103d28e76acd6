"""``FeedProjection``: how verify computes one feed from the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["FeedProjection", "Payload"]

Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FeedProjection:
    """A feed's identity fields and its SQL projection (payloads without ``modifiedAt``)."""

    name: str
    identity: tuple[str, ...]
    build: Callable[[Cursor], list[Payload]]
    removable: bool = True  # False: items are never deleted downstream (orders)
