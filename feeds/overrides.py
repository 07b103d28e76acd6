"""productOverrides: what category permissions let each customer group do with a product,
per website (docs/feeds.md, productOverrides).

Built from the product state of feeds/products.py (its entity row, website links and
category links) and the category permissions in the reference data. A product is visible,
priced and buyable for a group when at least one of its categories in the website's tree
allows it, as Magento's product permission index takes the most permissive of the product's
categories; a product in none of the website's categories gets the configuration default.
"""

from __future__ import annotations

from collections.abc import Sequence

from feeds.feed import Feed
from feeds.permissions import ALLOW, GRANTS, PermissionIndex, permission_index
from feeds.products import ProductState
from feeds.projector import Payload
from feeds.reference import Reference

__all__ = ["PRODUCT_OVERRIDES", "build_overrides"]

PRODUCT_OVERRIDES = Feed(
    name="productOverrides",
    identity=("sku", "websiteCode", "customerGroupCode"),
)
# payload field per grant, in GRANTS order.
_FIELDS = ("displayable", "priceDisplayable", "addToCartAllowed")


def build_overrides(state: ProductState, reference: Reference) -> list[Payload]:
    """One item per website of the product (except admin) and customer group; empty until
    the product's entity row has arrived."""
    entity = state.get("entity")
    if not entity:
        return []
    index = permission_index(reference)
    # Links to deleted categories (or to a deleted category's subtree) cascaded away unseen.
    categories = [c for c in state["categories"] if index.path_of(c) is not None]
    websites = sorted({int(w) for w in state["websites"]} & set(index.websites))
    items: list[Payload] = []
    for website_id in websites:
        in_tree = [c for c in categories if index.in_website(c, website_id)]
        for group_id, group_code in sorted(index.customer_groups.items()):
            allowed = _allowed(index, in_tree, website_id, group_id)
            items.append(
                {
                    "productId": int(entity["entity_id"]),
                    "sku": entity["sku"],
                    "websiteCode": index.websites[website_id],
                    "customerGroupCode": group_code,
                    **dict(zip(_FIELDS, allowed, strict=True)),
                    "deleted": False,
                }
            )
    return items


def _allowed(
    index: PermissionIndex, categories: Sequence[str], website_id: int, group_id: int
) -> list[bool]:
    """Per grant: does any of the categories allow it? With no category, the default (allow).

    The dependent denials carry over: a category that hides itself hides its prices too, so a
    product whose every category hides it has no category that shows its price either.
    """
    if not categories:
        return [True] * len(GRANTS)
    allowed = [False] * len(GRANTS)
    for category_id in categories:
        decisions = index.resolve(category_id, website_id, group_id)
        allowed = [a or d.value == ALLOW for a, d in zip(allowed, decisions, strict=True)]
        if all(allowed):
            break
    return allowed
