"""Related, up-sell and cross-sell products: a few links from some products to others of
the same website, as a merchandiser sets them (its own random stream: every other row is
the same with or without these)."""

from __future__ import annotations

from connectors.magento.sample.catalog import Catalog
from connectors.magento.sample.context import Context

_SHARE = 0.15  # of the products visible on their own (no configurable children)
RELATED, UPSELL, CROSSSELL = 1, 4, 5


def add_product_links(ctx: Context, catalog: Catalog) -> None:
    """``catalog_product_link`` rows, ids in generation order."""
    rng = ctx.rng("product_links")
    rows = ctx.tables["catalog_product_link"]
    shown = [p for p in catalog.products if p.parent_id is None]
    in_website = {w: [p for p in shown if w in p.websites] for w in (1, 2)}
    link_id = 0
    for product in shown:
        if rng.random() >= _SHARE:
            continue
        # peers in its first website (so in a website they share)
        peers = [p for p in in_website[product.websites[0]] if p is not product]
        for link_type in (RELATED, UPSELL, CROSSSELL):
            for linked in rng.sample(peers, min(len(peers), rng.randint(0, 3))):
                link_id += 1
                rows.add(link_id, product.entity_id, linked.entity_id, link_type)
