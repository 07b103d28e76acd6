"""Every feed feedsync knows, by name."""

from __future__ import annotations

from feeds.feed import Feed
from feeds.products import PRODUCTS
from feeds.scopes import SCOPES_CUSTOMER_GROUP, SCOPES_WEBSITE

__all__ = ["FEEDS"]

FEEDS: dict[str, Feed] = {
    feed.name: feed for feed in (SCOPES_WEBSITE, SCOPES_CUSTOMER_GROUP, PRODUCTS)
}
