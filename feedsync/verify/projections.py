"""``project(connection, feed)``: what the receiver should hold for a feed, read from MariaDB.

The projection is deliberately independent of the stream workers (``feeds/``): it reads the
source tables with SQL, where the workers fold change events into state. Only the item id
contract (``feeds.item.item_id``) and each feed's declaration (``feeds.registry.FEEDS``: its
identity fields and removability) are shared, so that the two sides key the same items alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from feeds.extension import add_fields
from feeds.item import item_id
from feeds.registry import EXTENSIONS
from feedsync.errors import ConfigError
from feedsync.verify.attributes import PRODUCT_ATTRIBUTES_PROJECTION
from feedsync.verify.categories import CATEGORIES_PROJECTION
from feedsync.verify.orders import ORDERS_PROJECTION
from feedsync.verify.overrides import PRODUCT_OVERRIDES_PROJECTION
from feedsync.verify.permissions import CATEGORY_PERMISSIONS_PROJECTION
from feedsync.verify.prices import PRICES_PROJECTION
from feedsync.verify.products import project_products
from feedsync.verify.projection import FeedProjection, Payload
from feedsync.verify.scopes import project_customer_groups, project_websites
from feedsync.verify.stock import STOCK_PROJECTION
from feedsync.verify.variants import VARIANTS_PROJECTION

if TYPE_CHECKING:
    from pymysql.connections import Connection

__all__ = ["FEEDS", "FeedProjection", "feed_projection", "project"]


FEEDS: dict[str, FeedProjection] = {
    projection.name: projection
    for projection in (
        FeedProjection.of("scopesWebsite", project_websites),
        FeedProjection.of("scopesCustomerGroup", project_customer_groups),
        FeedProjection.of("products", project_products),
        PRODUCT_ATTRIBUTES_PROJECTION,
        CATEGORIES_PROJECTION,
        STOCK_PROJECTION,
        CATEGORY_PERMISSIONS_PROJECTION,
        PRICES_PROJECTION,
        VARIANTS_PROJECTION,
        PRODUCT_OVERRIDES_PROJECTION,
        ORDERS_PROJECTION,
        # The installed extensions' feeds, by their own SQL (feeds/extension.py).
        *(
            FeedProjection.of(name, build)
            for extension in EXTENSIONS
            for name, build in extension.verify.items()
        ),
    )
}
"""The feeds ``feedsync verify`` can check, by name: one projection per feed of
``feeds.registry.FEEDS``, whose declaration gives its identity fields and removability."""

# Fields the installed extensions add to feeds: verify expects them as the workers add them.
_FIELDS = [field for extension in EXTENSIONS for field in extension.fields]


def feed_projection(feed: str) -> FeedProjection:
    """The projection of a feed, or a ``ConfigError`` naming the feeds verify knows."""
    try:
        return FEEDS[feed]
    except KeyError:
        known = ", ".join(FEEDS)
        raise ConfigError(
            f"feedsync verify has no projection for feed {feed!r}",
            hint=f"use one of: {known}",
        ) from None


def project(
    connection: Connection[Any], feed: str, *, installation: str = ""
) -> dict[str, Payload]:
    """itemId → the payload the receiver should hold for ``feed`` (``deleted`` false, no
    ``modifiedAt``), computed from the database behind ``connection`` for the installation
    ``installation`` (settings ``streams.installation_id``: it names order UUIDs).

    Sets the session time zone to UTC (TIMESTAMP columns are formatted in the session zone)
    and reads inside one read-only consistent-snapshot transaction, so every query sees the
    same database state even while the source keeps changing. Starting that transaction
    commits any transaction the caller had open on the connection.
    """
    projection = feed_projection(feed)
    with connection.cursor() as cursor:
        cursor.execute("SET time_zone = '+00:00'")
        cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        try:
            payloads = projection.run(cursor, installation)
        finally:
            cursor.execute("ROLLBACK")
    payloads = [add_fields(feed, payload, _FIELDS) for payload in payloads]
    # A duplicated identity (catalog_product_entity.sku is not unique in the schema) keeps
    # the last row in build order, i.e. the highest entity_id.
    return {
        item_id([payload[field] for field in projection.identity]): payload for payload in payloads
    }
