"""The product catalog: standalone simple and virtual products, then configurable families.

Standalone products come first, then each configurable followed by its children, so ids stay
grouped per family. Everything here draws from the "products" random stream.
"""

from __future__ import annotations

from connectors.magento.sample.attributes import Attributes
from connectors.magento.sample.catalog import Catalog, Product
from connectors.magento.sample.configurables import add_configurables
from connectors.magento.sample.context import Context, Seq
from connectors.magento.sample.fixed_ids import PRODUCT_ATTRIBUTE_SET_ID
from connectors.magento.sample.product_rows import ProductWriter
from connectors.magento.sample.scopes import Scopes
from connectors.magento.sample.vocabulary import ADJECTIVES, MATERIALS, NOUNS, VIRTUAL_NOUNS


def add_products(ctx: Context, scopes: Scopes, attrs: Attributes) -> Catalog:
    """Write every product's rows; return the catalog for the steps that refer to products."""
    writer = ProductWriter(ctx, scopes, attrs, ctx.rng("products"))
    ids = Seq()
    _standalone(ctx, writer, ids)
    add_configurables(writer, ids, ctx.profile)
    return writer.catalog


def _standalone(ctx: Context, writer: ProductWriter, ids: Seq) -> None:
    """Simple products, the last twentieth of them virtual (gift cards, warranties...)."""
    p = ctx.profile
    a, rng, option_ids = writer.attr_ids, writer.rng, writer.attrs.option_ids
    standalone_virtual = max(1, p.standalone // 20)
    for i in range(p.standalone):
        virtual = i >= p.standalone - standalone_virtual
        eid = ids.next()
        adjective, noun = (
            rng.choice(ADJECTIVES),
            rng.choice(VIRTUAL_NOUNS if virtual else NOUNS),
        )
        material = rng.choice(MATERIALS)
        name = f"{adjective[0]} {noun[0]}" if virtual else f"{adjective[0]} {material[0]} {noun[0]}"
        roll = rng.random()
        websites = (1,) if roll < 0.45 else (1, 2) if roll < 0.95 else (2,)
        price = rng.randint(5, 300) * 100 + rng.choice((0, 49, 95, 99))
        prod = Product(
            eid,
            f"{'VRT' if virtual else 'SKU'}-{eid:06d}",
            "virtual" if virtual else "simple",
            name,
            PRODUCT_ATTRIBUTE_SET_ID,
            price,
            price,
            0 if virtual else rng.randint(100, 3000),
            websites,
        )
        if not virtual:
            prod.options[a["manufacturer"]] = rng.choice(option_ids[a["manufacturer"]])
            if rng.random() < 0.6:
                prod.options[a["color"]] = rng.choice(option_ids[a["color"]])
            if rng.random() < 0.4:
                prod.options[a["material"]] = option_ids[a["material"]][MATERIALS.index(material)]
            if rng.random() < 0.3:
                prod.options[a["pattern"]] = rng.choice(option_ids[a["pattern"]])
        writer.add(prod, (adjective, noun, material))
