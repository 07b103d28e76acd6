"""``FeedProjection``: how verify computes one feed from the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from feeds.feed import Feed
from feeds.registry import FEEDS as DECLARED_FEEDS

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["FeedProjection", "Payload"]

Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FeedProjection:
    """A feed's SQL projection (payloads without ``modifiedAt``), for the feed declared in
    ``feeds/``.

    The projection is verify's own; only the declaration (``feeds.feed.Feed``: name,
    identity fields, removability) is taken from the feed, so that verify keys and judges
    items exactly as the pipeline does.
    """

    feed: Feed
    build: Callable[[Cursor], list[Payload]]
    # A projection whose payloads name the installation (order UUIDs): given its id.
    build_for: Callable[[Cursor, str], list[Payload]] | None = None

    @classmethod
    def of(cls, name: str, build: Callable[[Cursor], list[Payload]]) -> FeedProjection:
        """The projection ``build`` of the feed registered as ``name`` in
        ``feeds.registry.FEEDS``; a ``KeyError`` naming the feed if none is."""
        try:
            feed = DECLARED_FEEDS[name]
        except KeyError:
            raise KeyError(f"verify projects {name!r}, which feeds.registry.FEEDS lacks") from None
        return cls(feed, build)

    @classmethod
    def of_installation(
        cls, name: str, build_for: Callable[[Cursor, str], list[Payload]]
    ) -> FeedProjection:
        """``of`` for a projection that takes the installation id too."""
        return replace(cls.of(name, lambda cursor: build_for(cursor, "")), build_for=build_for)

    def run(self, cursor: Cursor, installation: str = "") -> list[Payload]:
        """The payloads, for the installation the settings name (``installation_id``)."""
        if self.build_for is not None:
            return self.build_for(cursor, installation)
        return self.build(cursor)

    @property
    def name(self) -> str:
        return self.feed.name

    @property
    def identity(self) -> tuple[str, ...]:
        """The payload fields whose values name an item (its id is their ``item_id``)."""
        return self.feed.identity

    @property
    def removable(self) -> bool:
        """False: items are never deleted downstream (orders), so received items the source
        no longer has are kept, not extra."""
        return self.feed.removable
