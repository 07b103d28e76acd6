"""A few bundle products (kits of standalone products), written after the downloadables from
their own random stream: every row of the steps before is the same with or without them.

Each bundle has two or three options (select, radio, checkbox, multi), titled at store 0 and,
for some, in the French store view; each option offers two to four standalone simple
products of the bundle's websites (its selections), with a quantity, whether the shopper may
change it, a price (fixed or a percent of the bundle's, meaningful for fixed-price bundles)
and, for some, a second website's price. Half the bundles are fixed-price, half dynamic
(``price_type``), with the other Magento_Bundle attributes (SKU, weight, price view,
shipment). Like Magento, the bundle is the relation parent of every product it offers.
"""

from __future__ import annotations

from connectors.magento.sample import fmt
from connectors.magento.sample.attributes import Attributes
from connectors.magento.sample.catalog import Catalog, Product
from connectors.magento.sample.context import Context, Seq
from connectors.magento.sample.fixed_ids import BUNDLE_ATTRIBUTE_IDS, PRODUCT_ATTRIBUTE_SET_ID
from connectors.magento.sample.product_rows import ProductWriter
from connectors.magento.sample.scopes import Scopes
from connectors.magento.sample.vocabulary import ADJECTIVES

_KITS = (
    ("Starter Kit", "Kit de démarrage", "Starterset"),
    ("Travel Set", "Set de voyage", "Reiseset"),
    ("Gift Box", "Coffret cadeau", "Geschenkbox"),
)
# (store-0 title, French title, option type) of the options a bundle may have.
_OPTIONS = (
    ("Main item", "Article principal", "select"),
    ("Accessory", "Accessoire", "radio"),
    ("Extras", "Suppléments", "checkbox"),
    ("Add-ons", "Options", "multi"),
)


def add_bundles(ctx: Context, scopes: Scopes, attrs: Attributes, catalog: Catalog) -> None:
    """Bundle products, a hundredth as many as the standalone ones (at least two)."""
    rng = ctx.rng("bundles")
    writer = ProductWriter(ctx, scopes, attrs, rng)
    t = ctx.tables
    ids = Seq(max(catalog.by_id) + 1)
    option_ids, value_ids, selection_ids = Seq(), Seq(), Seq()
    french = next((s[0] for s in scopes.stores if s[1] == "fr"), None)
    offered = [p for p in catalog.products if p.type_id == "simple" and p.parent_id is None]
    integer = t["catalog_product_entity_int"]
    for number in range(max(2, ctx.profile.standalone // 100)):
        eid = ids.next()
        fixed = number % 2 == 0
        adjective, kit = rng.choice(ADJECTIVES), rng.choice(_KITS)
        price = rng.randint(30, 200) * 100 + 99
        websites = (1,) if rng.random() < 0.6 else (1, 2)
        product = Product(
            eid,
            f"BN-{eid:06d}",
            "bundle",
            f"{adjective[0]} {kit[0]}",
            PRODUCT_ATTRIBUTE_SET_ID,
            price,
            price,
            0,
            websites,
        )
        writer.add(product, (adjective, kit, ("", "", "")))
        catalog.add(product)  # the storefront steps after this one give it URLs and media
        for code, value in (
            ("price_type", int(fixed)),
            ("sku_type", int(fixed)),
            ("weight_type", int(fixed)),
            ("price_view", rng.choice((0, 1))),
            ("shipment_type", 0),
        ):
            integer.add(None, BUNDLE_ATTRIBUTE_IDS[code], 0, eid, value)
        eligible = [p for p in offered if set(websites) <= set(p.websites)]
        children: set[int] = set()
        for position, (title, title_fr, kind) in enumerate(
            rng.sample(_OPTIONS, rng.randint(2, 3)), start=1
        ):
            option_id = option_ids.next()
            required = int(kind in ("select", "radio") or rng.random() < 0.3)
            t["catalog_product_bundle_option"].add(option_id, eid, required, position, kind)
            t["catalog_product_bundle_option_value"].add(value_ids.next(), option_id, 0, title, eid)
            if french is not None and rng.random() < 0.5:
                t["catalog_product_bundle_option_value"].add(
                    value_ids.next(), option_id, french, title_fr, eid
                )
            for order, child in enumerate(rng.sample(eligible, rng.randint(2, 4))):
                selection_id = selection_ids.next()
                children.add(child.entity_id)
                percent = fixed and rng.random() < 0.3
                amount = (
                    fmt.dec(rng.choice((5, 10, 15)), 0, 4)
                    if percent
                    else fmt.dec(child.price // 2 if fixed else 0, 2, 4)
                )
                t["catalog_product_bundle_selection"].add(
                    selection_id,
                    option_id,
                    eid,
                    child.entity_id,
                    order,
                    int(required == 1 and order == 0),
                    int(percent),
                    amount,
                    fmt.qty(rng.choice((1, 1, 2, 3))),
                    int(rng.random() < 0.4),
                )
                if fixed and not percent and 2 in websites and rng.random() < 0.4:
                    t["catalog_product_bundle_selection_price"].add(
                        selection_id, 2, 0, fmt.dec(child.price_w2 * 45 // 100, 2, 4), eid
                    )
        for child_id in sorted(children):
            t["catalog_product_relation"].add(eid, child_id)
