"""A few grouped products (sets sold as their items), written after the bundles from their
own random stream: every row of the steps before is the same with or without them.

Each groups two to four standalone simple products of its websites, as Magento keeps them:
a ``super`` link (type 3) per item with its position and default quantity as link
attributes, and a relation row. A grouped product has no price of its own. The links are
written last (``add_grouped_links``), numbered after the related/up-sell/cross-sell ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.magento.sample import fmt
from connectors.magento.sample.attributes import Attributes
from connectors.magento.sample.catalog import Catalog, Product
from connectors.magento.sample.context import Context, Seq
from connectors.magento.sample.fixed_ids import PRODUCT_ATTRIBUTE_SET_ID
from connectors.magento.sample.product_rows import ProductWriter
from connectors.magento.sample.scopes import Scopes
from connectors.magento.sample.vocabulary import ADJECTIVES

_SETS = (
    ("Outfit", "Tenue", "Outfit"),
    ("Collection", "Collection", "Kollektion"),
    ("Essentials Set", "Set essentiel", "Basis-Set"),
)
GROUPED_LINK_TYPE = 3  # catalog_product_link_type "super"
# defaults.sql's catalog_product_link_attribute rows of the grouped links
POSITION_ATTRIBUTE, QTY_ATTRIBUTE = 4, 5


@dataclass
class GroupedItems:
    """Per grouped product, its items as (product id, position, default quantity)."""

    items: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)


def add_grouped(ctx: Context, scopes: Scopes, attrs: Attributes, catalog: Catalog) -> GroupedItems:
    """Grouped products, a hundredth as many as the standalone ones (at least two)."""
    rng = ctx.rng("grouped")
    writer = ProductWriter(ctx, scopes, attrs, rng)
    ids = Seq(max(catalog.by_id) + 1)
    offered = [p for p in catalog.products if p.type_id == "simple" and p.parent_id is None]
    grouped = GroupedItems()
    for _ in range(max(2, ctx.profile.standalone // 100)):
        eid = ids.next()
        adjective, kind = rng.choice(ADJECTIVES), rng.choice(_SETS)
        websites = (1,) if rng.random() < 0.6 else (1, 2)
        product = Product(
            eid,
            f"GR-{eid:06d}",
            "grouped",
            f"{adjective[0]} {kind[0]}",
            PRODUCT_ATTRIBUTE_SET_ID,
            0,
            0,
            0,
            websites,
        )
        writer.add(product, (adjective, kind, ("", "", "")))
        catalog.add(product)  # the storefront steps after this one give it URLs and media
        eligible = [p for p in offered if set(websites) <= set(p.websites)]
        chosen = rng.sample(eligible, rng.randint(2, 4))
        grouped.items[eid] = [
            (child.entity_id, position, rng.choice((0, 1, 1, 2)))
            for position, child in enumerate(chosen, start=1)
        ]
        for child in sorted(chosen, key=lambda p: p.entity_id):
            ctx.tables["catalog_product_relation"].add(eid, child.entity_id)
    return grouped


def add_grouped_links(ctx: Context, grouped: GroupedItems) -> None:
    """The grouped products' links and their position and quantity, numbered after the
    links already written."""
    links = ctx.tables["catalog_product_link"]
    link_id = max((int(row[0] or 0) for row in links.rows), default=0)
    for parent, items in grouped.items.items():
        for child, position, qty in items:
            link_id += 1
            links.add(link_id, parent, child, GROUPED_LINK_TYPE)
            ctx.tables["catalog_product_link_attribute_int"].add(
                None, POSITION_ATTRIBUTE, link_id, position
            )
            ctx.tables["catalog_product_link_attribute_decimal"].add(
                None, QTY_ATTRIBUTE, link_id, fmt.dec(qty, 0, 6)
            )
