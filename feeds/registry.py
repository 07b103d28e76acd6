"""Every feed feedsync knows, by name, and how each is built."""

from __future__ import annotations

from feeds.attributes import PRODUCT_ATTRIBUTES_FEED
from feeds.catalog import CATALOG_PROJECTOR
from feeds.categories import CATEGORIES_FEED
from feeds.feed import Feed
from feeds.orders import ORDER_PROJECTOR, SALES_DOCUMENT_PROJECTOR
from feeds.permissions import CATEGORY_PERMISSIONS_FEED
from feeds.projector import EntityProjector, ReferenceFeed
from feeds.reference import ReferenceKind
from feeds.scopes import (
    SCOPES_CUSTOMER_GROUP,
    SCOPES_WEBSITE,
    build_customer_groups,
    build_websites,
)
from feeds.stock import STOCK_ITEM_PROJECTOR, STOCK_PROJECTOR

__all__ = ["FEEDS", "PROJECTORS", "REFERENCE_FEEDS"]

PROJECTORS: tuple[EntityProjector, ...] = (
    CATALOG_PROJECTOR,
    STOCK_ITEM_PROJECTOR,
    STOCK_PROJECTOR,
    SALES_DOCUMENT_PROJECTOR,
    ORDER_PROJECTOR,
)
"""Feeds built from an entity's state, one projector (and state table) per entity kind."""

REFERENCE_FEEDS: tuple[ReferenceFeed, ...] = (
    ReferenceFeed(SCOPES_WEBSITE, build_websites, frozenset({ReferenceKind.SCOPES})),
    ReferenceFeed(
        SCOPES_CUSTOMER_GROUP,
        build_customer_groups,
        frozenset({ReferenceKind.SCOPES, ReferenceKind.CUSTOMER_GROUPS}),
    ),
    PRODUCT_ATTRIBUTES_FEED,
    CATEGORIES_FEED,
    CATEGORY_PERMISSIONS_FEED,
)
"""Feeds built from the reference data alone."""

FEEDS: dict[str, Feed] = {
    feed.name: feed
    for feed in (
        *(reference_feed.feed for reference_feed in REFERENCE_FEEDS),
        *(feed for projector in PROJECTORS for feed in projector.feeds),
    )
}
