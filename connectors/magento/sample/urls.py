"""Storefront addresses: the base URLs in core_config_data and the url_rewrite rows.

Magento's URL rewrite module writes, for every product a shopper can open (visibility other
than "Not Visible Individually") and every store view of its websites, a canonical row
``<url key>.html`` -> ``catalog/product/view/id/<id>``, with the url key the store view sees;
with "use categories path" also one row per category the product is in; a permanent redirect
from the old path when a url key changes; and one row per category and store view. Draws come
from the "url_rewrites" random stream only, after every other step has written its rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Final

from connectors.magento.sample import fmt
from connectors.magento.sample.catalog import Catalog
from connectors.magento.sample.categories import Category
from connectors.magento.sample.context import Context, Seq
from connectors.magento.sample.fixed_ids import (
    DEFAULT_CATEGORY_ID,
    PRODUCT_ATTRIBUTE_IDS,
    SECOND_ROOT_CATEGORY_ID,
    VISIBILITY_NOT_VISIBLE,
)
from connectors.magento.sample.model import Table, eav_values
from connectors.magento.sample.scopes import Scopes
from connectors.magento.sample.vocabulary import ADJECTIVES

#: Base URLs: the main website's (default scope) and the second website's own.
MAIN_BASE_URL: Final = "http://shop.example/"
SECOND_BASE_URL: Final = "http://second.example/"
#: The media base URL of one store view of the main website (its other views keep Magento's
#: default, ``{{unsecure_base_url}}media/``).
CDN_MEDIA_URL: Final = "http://cdn.example/media/"

# The root category of each store group: group 1's from defaults.sql, group 2's from scopes.
_GROUP_ROOTS: Final = {1: DEFAULT_CATEGORY_ID, 2: SECOND_ROOT_CATEGORY_ID}
_CATEGORY_PATHS_PER_PRODUCT: Final = 2


def add_base_urls(ctx: Context, scopes: Scopes) -> None:
    """Write the base URLs: default scope, the second website, one main-website store view."""
    config = ctx.tables["core_config_data"]
    # Fresh ids above the scopes step's rows and defaults.sql's config_id 1.
    ids = Seq(max((int(str(row[0])) for row in config.rows), default=1) + 1)
    config.add(ids.next(), "default", 0, "web/unsecure/base_url", MAIN_BASE_URL)
    config.add(ids.next(), "websites", 2, "web/unsecure/base_url", SECOND_BASE_URL)
    extra_main = [s for s in scopes.stores[1:] if s[2] == 1]
    cdn_store = next((s for s in extra_main if s[1] == "fr"), extra_main[0] if extra_main else None)
    if cdn_store is not None:
        config.add(ids.next(), "stores", cdn_store[0], "web/unsecure/base_media_url", CDN_MEDIA_URL)


class _Rewrites:
    """url_rewrite rows with explicit ids; (request_path, store_id) stays unique."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.ids = Seq()
        self.taken: set[tuple[str, int]] = set()

    def add(
        self,
        entity: tuple[str, int],
        request: str,
        target: str,
        store_id: int,
        *,
        redirect: int = 0,
        metadata: str | None = None,
    ) -> bool:
        """Write one row unless its request path is taken in the store view (then False)."""
        if (request, store_id) in self.taken:
            return False
        self.taken.add((request, store_id))
        entity_type, entity_id = entity
        self.table.add(
            self.ids.next(),
            entity_type,
            entity_id,
            request,
            target,
            redirect,
            store_id,
            None,
            int(redirect == 0),
            metadata,
        )
        return True


def add_url_rewrites(
    ctx: Context, scopes: Scopes, categories: list[Category], catalog: Catalog
) -> None:
    """Write the product rows (canonical, category paths, redirects), then the category rows.

    Products come first so that a category path can never take a product's canonical path.
    """
    rng = ctx.rng("url_rewrites")
    a = PRODUCT_ATTRIBUTE_IDS
    t = ctx.tables
    url_keys = eav_values(t["catalog_product_entity_varchar"], (a["url_key"],))[a["url_key"]]
    visibility = eav_values(t["catalog_product_entity_int"], (a["visibility"],))[a["visibility"]]
    by_id = {c.entity_id: c for c in categories}
    product_categories: dict[int, list[Category]] = {}
    for _link_id, category_id, product_id, _position in t["catalog_category_product"].rows:
        product_categories.setdefault(int(str(product_id)), []).append(by_id[int(str(category_id))])
    rewrites = _Rewrites(t["url_rewrite"])
    for prod in catalog.products:
        eid = prod.entity_id
        with_categories = rng.random() < 1 / 3
        renamed = rng.random() < 0.05
        canonical: list[tuple[int, str]] = []
        for store_id, group_id in _store_views(scopes, prod.websites):
            shown = visibility.get((eid, store_id), visibility.get((eid, 0)))
            if shown is None or shown == VISIBILITY_NOT_VISIBLE:
                continue
            key = str(url_keys.get((eid, store_id)) or url_keys[eid, 0])
            request = f"{key}.html"
            target = f"catalog/product/view/id/{eid}"
            if rewrites.add(("product", eid), request, target, store_id):
                canonical.append((store_id, request))
            if not with_categories:
                continue
            in_tree = [
                c for c in product_categories.get(eid, []) if c.tree_root == _GROUP_ROOTS[group_id]
            ]
            for c in in_tree[:_CATEGORY_PATHS_PER_PRODUCT]:
                rewrites.add(
                    ("product", eid),
                    f"{c.url_path}/{key}.html",
                    f"{target}/category/{c.entity_id}",
                    store_id,
                    metadata=json.dumps({"category_id": str(c.entity_id)}, separators=(",", ":")),
                )
        if renamed and canonical:
            # The url key before a rename: another adjective in front of today's key.
            old = f"{fmt.slug(rng.choice(ADJECTIVES)[0])}-{url_keys[eid, 0]}.html"
            for store_id, request in canonical:
                rewrites.add(("product", eid), old, request, store_id, redirect=301)
    for store_id, group_id in _store_views(scopes, (1, 2)):
        for c in categories:
            if c.url_path and c.tree_root == _GROUP_ROOTS[group_id]:
                target = f"catalog/category/view/id/{c.entity_id}"
                rewrites.add(("category", c.entity_id), f"{c.url_path}.html", target, store_id)


def _store_views(scopes: Scopes, websites: tuple[int, ...]) -> Iterator[tuple[int, int]]:
    """(store_id, group_id) of every store view of the websites, in store id order."""
    for store_id, _code, website_id, group_id, _name, _locale in scopes.stores:
        if website_id in websites:
            yield store_id, group_id
