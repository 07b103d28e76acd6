"""``feedsync estimate``: how many items a full sync sends, and how long it takes.

Per feed: the source entities (rows of the feed's main table) and the items they make
once multiplied by their scopes as the feed does (a product per store view of its
websites, a price per website and customer group, ...). The items are counted by the
SQL projection ``feedsync verify`` uses (feedsync/verify), inside a read-only
transaction, so the count is the feed's own rule and not a second formula that could
drift from it. The time is items ÷ a throughput measured on this install (the bench's
full sync of every feed, or ``--rate``), beside the replaced exporter's sizing formula:
records ÷ batch size * 0.5 s, one feed after another.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from connectors.database import connect
from feeds.feed import Feed
from feeds.registry import EXTENSIONS
from feedsync.settings import Settings
from feedsync.verify.projections import project

__all__ = ["FULL_SYNC_ITEMS_PER_S", "FeedEstimate", "adobe_seconds", "estimate"]

# bench/RESULTS.md, "All feeds, medium profile": 254,870 items of every feed in 721.5 s on
# this machine class (2 cores), from the connector's registration to the last request.
FULL_SYNC_ITEMS_PER_S = 353.0
ADOBE_SECONDS_PER_BATCH = 0.5

ENTITY_COUNTS: dict[str, str] = {
    "scopesWebsite": "SELECT COUNT(*) FROM store_website WHERE website_id > 0",
    "scopesCustomerGroup": "SELECT COUNT(*) FROM customer_group",
    "productAttributes": "SELECT COUNT(*) FROM eav_attribute WHERE entity_type_id = 4",
    "categories": "SELECT COUNT(*) FROM catalog_category_entity WHERE level >= 1",
    "categoryPermissions": "SELECT COUNT(*) FROM magento_catalogpermissions",
    "products": "SELECT COUNT(*) FROM catalog_product_entity",
    "prices": "SELECT COUNT(*) FROM catalog_product_entity",
    "variants": "SELECT COUNT(*) FROM catalog_product_super_link",
    "productOverrides": "SELECT COUNT(*) FROM catalog_product_entity",
    "inventoryStockStatus": "SELECT COUNT(*) FROM catalog_product_entity",
    "orders": "SELECT COUNT(*) FROM sales_order",
    **{feed: sql for extension in EXTENSIONS for feed, sql in extension.entity_counts.items()},
}


@dataclass(frozen=True)
class FeedEstimate:
    feed: str
    entities: int
    items: int
    batch_count: int
    feedsync_s: float  # at the throughput given
    adobe_s: float  # the exporter's formula

    @property
    def items_per_entity(self) -> float:
        return self.items / self.entities if self.entities else 0.0

    def summary(self) -> dict[str, Any]:
        return {**asdict(self), "items_per_entity": round(self.items_per_entity, 2)}


def adobe_seconds(items: int, batch_count: int) -> float:
    """The replaced exporter's sizing: records ÷ batch size * 0.5 s."""
    return math.ceil(items / batch_count) * ADOBE_SECONDS_PER_BATCH if items else 0.0


def estimate(
    settings: Settings, feeds: list[Feed], *, items_per_s: float = FULL_SYNC_ITEMS_PER_S
) -> list[FeedEstimate]:
    """Count each feed's entities and items in the database and time a full sync."""
    found = []
    connection = connect(settings)
    try:
        for feed in feeds:
            with connection.cursor() as cursor:
                cursor.execute(ENTITY_COUNTS[feed.name])
                (entities,) = cursor.fetchone() or (0,)
            items = len(
                project(connection, feed.name, installation=settings.streams.installation_id)
            )
            found.append(
                FeedEstimate(
                    feed=feed.name,
                    entities=int(entities),
                    items=items,
                    batch_count=feed.batch_count,
                    feedsync_s=items / items_per_s,
                    adobe_s=adobe_seconds(items, feed.batch_count),
                )
            )
    finally:
        connection.close()
    return found
