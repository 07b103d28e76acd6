"""``run(settings, feed)``: project the feed from MariaDB, read the receiver, compare."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from connectors.database import connect
from feeds import clock
from feedsync.settings import Settings
from feedsync.verify.compare import DEFAULT_EXAMPLES, Report, compare
from feedsync.verify.projections import feed_projection, project
from feedsync.verify.receiver import receiver_items, receiver_url

__all__ = ["run"]

# Feeds whose item ids hold a product's SKU.
_SKU_FEEDS = frozenset(
    {"products", "prices", "productOverrides", "variants", "inventoryStockStatus"}
)


def run(settings: Settings, feed: str, *, examples: int = DEFAULT_EXAMPLES) -> Report:
    """Check that the receiver holds exactly what the database projects for ``feed``.

    Meaningful when the pipeline is idle (DESIGN.md, Guarantees): items still in flight show
    up as stale or missing. Raises ``ConfigError`` for a feed verify does not know, before
    touching the database.
    """
    projection = feed_projection(feed)
    clock.set_offset(settings.streams.clock_offset_s)  # "now" is the workers' (prices)
    connection = connect(settings)
    try:
        expected = project(connection, feed, installation=settings.streams.installation_id)
        warnings = _shared_skus(connection) if feed in _SKU_FEEDS else ()
    finally:
        connection.close()
    # Read the receiver after the database: an item delivered in between shows as stale
    # rather than extra, and a re-run after the pipeline settles clears it either way.
    url, token = receiver_url(settings), settings.receiver.bearer_token
    received = receiver_items(url, feed, bearer_token=token)
    report = compare(
        expected,
        received,
        feed=feed,
        identity=projection.identity,
        examples=examples,
        removable=projection.removable,
    )
    return replace(report, source_warnings=warnings)


def _shared_skus(connection: Any) -> tuple[str, ...]:
    """A warning naming SKUs held by more than one product, if any. Magento keeps SKUs
    unique in its code, not its schema; items of such a SKU follow whichever of its products
    changed last, which this check cannot tell, so they may show as stale or missing."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sku, GROUP_CONCAT(entity_id ORDER BY entity_id) FROM catalog_product_entity "
            "GROUP BY sku HAVING COUNT(*) > 1 ORDER BY sku"
        )
        shared = cursor.fetchall()
    if not shared:
        return ()
    examples = "; ".join(f"{sku} → products {ids}" for sku, ids in shared[:3])
    return (
        f"{len(shared)} SKUs are held by more than one product ({examples}): Magento requires "
        "unique SKUs; their items follow whichever product changed last, so they may show "
        "as stale or missing here. Give each product its own SKU.",
    )
