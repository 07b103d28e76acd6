"""The expected ``productOverrides`` items (docs/feeds.md, productOverrides).

The category grants come resolved from feedsync/verify/permissions.py; three more queries
read every product, its websites and its category links. A product gets, per website and
customer group, the most permissive grants of its categories in the website's store trees,
or the default (everything allowed) when it has none there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from feedsync.verify.permissions import ALLOW, CategoryGrants, load_category_grants
from feedsync.verify.projection import FeedProjection

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["PRODUCT_OVERRIDES_PROJECTION", "project_product_overrides"]

_FIELDS = ("displayable", "priceDisplayable", "addToCartAllowed")


def project_product_overrides(cursor: Cursor) -> list[dict[str, Any]]:
    """One payload per product, linked website (except admin) and customer group."""
    grants = load_category_grants(cursor)
    cursor.execute("SELECT product_id, website_id FROM catalog_product_website")
    websites: dict[int, set[int]] = {}
    for product_id, website_id in cursor.fetchall():
        if website_id in grants.websites:
            websites.setdefault(product_id, set()).add(website_id)
    cursor.execute("SELECT product_id, category_id FROM catalog_category_product")
    categories: dict[int, set[int]] = {}
    for product_id, category_id in cursor.fetchall():
        categories.setdefault(product_id, set()).add(category_id)

    cursor.execute("SELECT entity_id, sku FROM catalog_product_entity ORDER BY entity_id")
    payloads: list[dict[str, Any]] = []
    for product_id, sku in cursor.fetchall():
        linked = categories.get(product_id, set())
        for website_id in sorted(websites.get(product_id, set())):
            in_tree = linked & grants.trees.get(website_id, set())
            for group_id in sorted(grants.groups):
                payloads.append(
                    {
                        "productId": product_id,
                        "sku": sku,
                        "websiteCode": grants.websites[website_id],
                        "customerGroupCode": grants.groups[group_id],
                        **_allowed(grants, in_tree, (website_id, group_id)),
                        "deleted": False,
                    }
                )
    return payloads


def _allowed(
    grants: CategoryGrants, categories: set[int], scope: tuple[int, int]
) -> dict[str, bool]:
    if not categories:
        return dict.fromkeys(_FIELDS, True)
    resolved = [grants.grants(category_id, scope) for category_id in categories]
    return {
        field: any(per_category[i][0] == ALLOW for per_category in resolved)
        for i, field in enumerate(_FIELDS)
    }


PRODUCT_OVERRIDES_PROJECTION = FeedProjection.of("productOverrides", project_product_overrides)
