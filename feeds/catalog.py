"""The product entity with every feed built from it: products, prices, variants, overrides.

One state per product (keyed by ``entity_id``) serves three feeds, so a product's rows are
folded once and a change rebuilds all of its items together. The state is the products
feed's (feeds/products.py) with the price and configurable rows and the peer summaries of
feeds/product_links.py alongside; this module only composes the two:

- every change first goes through ``apply_product_change``, which folds the product's own
  tables and, for any other table, returns the state as it was (creating the empty product
  state the first time), then through ``apply_link_change``;
- a deleted entity row drops the whole state (``apply_product_change`` returns None), the
  tier prices, super attributes, links and summaries with it, as InnoDB cascades them;
- ``forwards`` are the peer exchange of feeds/product_links.py.
"""

from __future__ import annotations

from feeds.catalog_rules import CATALOG_RULE_PRICE_TABLE, apply_rule_price_change
from feeds.change import RowChange
from feeds.custom_options import CUSTOM_OPTION_SUMMARY_TABLE
from feeds.downloadable import SAMPLE_SUMMARY_TABLE
from feeds.downloadable_links import LINK_SUMMARY_TABLE
from feeds.grouped import GROUPED_LINK_SUMMARY
from feeds.media import GALLERY_VALUE_TABLE, MEDIA_SUMMARY_TABLE
from feeds.overrides import PRODUCT_OVERRIDES, build_overrides
from feeds.prices import PRICES, build_prices, next_price_change
from feeds.product_links import (
    LINK_TABLES,
    OWNER_COLUMNS,
    PEER_TABLES,
    PRODUCT_ENTITY,
    RELATION_TABLE,
    SUPER_LINK_TABLE,
    TIER_PRICE_TABLE,
    apply_link_change,
    link_forwards,
    link_keys,
)
from feeds.products import (
    ENTITY_KEY_COLUMN,
    PRODUCT_REBUILD_ON,
    PRODUCT_TABLES,
    PRODUCTS,
    apply_product_change,
    build_products,
    product_keys,
)
from feeds.projector import EntityProjector, Payload, State, fold_summary
from feeds.reference import Reference, ReferenceKind
from feeds.stock import STOCK_SUMMARY_TABLE
from feeds.urls import URL_REWRITE_TABLE
from feeds.variants import VARIANTS, build_variants

__all__ = ["CATALOG_PROJECTOR", "apply_catalog_change", "build_catalog", "catalog_keys"]


def catalog_keys(change: RowChange) -> list[str]:
    """The products a source row belongs to: its own product, or both ends of a link."""
    if change.table in LINK_TABLES:
        return link_keys(change)
    if change.table == CATALOG_RULE_PRICE_TABLE:
        return [str(change.row["product_id"])]
    return product_keys(change)


# The product's own tables a prices item is built from: its row (sku, type), websites,
# decimal and datetime values (price, special price and its window) and tier prices, and
# the relations that make its parents. Their newest change is the items' updatedAt.
PRICE_SOURCE_TABLES = frozenset(
    {
        "catalog_product_entity",
        "catalog_product_website",
        "catalog_product_entity_decimal",
        "catalog_product_entity_datetime",
        TIER_PRICE_TABLE,
        CATALOG_RULE_PRICE_TABLE,
        RELATION_TABLE,
        SUPER_LINK_TABLE,
    }
)


# Rows whose delete, reaching a product that holds nothing, must not create its state: the
# peers' forwards, and the rows Magento deletes after the product itself (its URL rewrites,
# which no foreign key cascades) or that arrive after its delete on their own topics.
_HELD_APART = frozenset(
    {
        *LINK_TABLES,
        *PEER_TABLES,
        STOCK_SUMMARY_TABLE,
        MEDIA_SUMMARY_TABLE,
        SAMPLE_SUMMARY_TABLE,
        GROUPED_LINK_SUMMARY,
        LINK_SUMMARY_TABLE,
        CUSTOM_OPTION_SUMMARY_TABLE,
        URL_REWRITE_TABLE,
        GALLERY_VALUE_TABLE,
        CATALOG_RULE_PRICE_TABLE,  # the indexer's rows outlive a product until it runs
    }
)


def apply_catalog_change(state: State | None, change: RowChange) -> State | None:
    """The product's state after one change (source row or forwarded summary); None when
    the product is gone."""
    if state is None and change.deleted and change.table in _HELD_APART:
        return None  # nothing held to drop; a gone peer must not conjure up a state
    products_state = apply_product_change(state, change)
    if products_state is None:
        return None
    current = apply_link_change(products_state, change)
    if change.table == STOCK_SUMMARY_TABLE:
        # Its SKUs' stock, by SKU: a late withdrawal for a SKU the product no longer has
        # cannot drop the current SKU's stock.
        current["stocks"] = fold_summary(current.get("stocks"), change, "sku")
    elif change.table == MEDIA_SUMMARY_TABLE:
        current["media"] = fold_summary(current.get("media"), change, "value_id")
    elif change.table == SAMPLE_SUMMARY_TABLE:
        current["samples"] = fold_summary(current.get("samples"), change, "sample_id")
    elif change.table == GROUPED_LINK_SUMMARY:
        current["grouped_links"] = fold_summary(current.get("grouped_links"), change, "link_id")
    elif change.table == LINK_SUMMARY_TABLE:
        current["downloadable_links"] = fold_summary(
            current.get("downloadable_links"), change, "link_id"
        )
    elif change.table == CUSTOM_OPTION_SUMMARY_TABLE:
        current["custom_options"] = fold_summary(current.get("custom_options"), change, "option_id")
    elif change.table == CATALOG_RULE_PRICE_TABLE:
        current = apply_rule_price_change(current, change)
    if change.table in PRICE_SOURCE_TABLES:
        # when the newest change of the product's price data was committed at the source
        current["prices_ms"] = max(int(current.get("prices_ms") or 0), change.ts_ms)
    return current


def build_catalog(state: State, reference: Reference) -> dict[str, list[Payload]]:
    return {
        PRODUCTS.name: build_products(state, reference),
        PRICES.name: build_prices(state, reference),
        VARIANTS.name: build_variants(state, reference),
        PRODUCT_OVERRIDES.name: build_overrides(state, reference),
    }


CATALOG_PROJECTOR = EntityProjector(
    entity=PRODUCT_ENTITY,
    feeds=(PRODUCTS, PRICES, VARIANTS, PRODUCT_OVERRIDES),
    tables=PRODUCT_TABLES | frozenset(LINK_TABLES) | {CATALOG_RULE_PRICE_TABLE},
    owners={
        **{t: (c,) for t, c in ENTITY_KEY_COLUMN.items()},
        **OWNER_COLUMNS,
        CATALOG_RULE_PRICE_TABLE: ("product_id",),
    },
    keys_of=catalog_keys,
    deleted_with=frozenset({"catalog_product_entity"}),
    apply=apply_catalog_change,
    build=build_catalog,
    forwards=link_forwards,
    # Prices and overrides are per website and customer group, prices in the website's time
    # zone (a SCOPES kind); overrides follow category permissions down the tree.
    rebuild_on=PRODUCT_REBUILD_ON
    | frozenset({ReferenceKind.SCOPES, ReferenceKind.CUSTOMER_GROUPS, ReferenceKind.PERMISSIONS}),
    next_change=next_price_change,
)
