"""Every row of one product: entity, websites, EAV values per store, tier prices, relations.

Standalone products, configurable parents and their children all go through
:meth:`ProductWriter.add`, which draws from the "products" random stream in a fixed order:
the order of the calls below is part of the output.
"""

from __future__ import annotations

import random
from datetime import timedelta

from connectors.magento.sample import fmt
from connectors.magento.sample.attributes import Attributes
from connectors.magento.sample.catalog import Catalog, Product
from connectors.magento.sample.context import EPOCH, Context
from connectors.magento.sample.fixed_ids import (
    STATUS_DISABLED,
    STATUS_ENABLED,
    TAX_CLASS_TAXABLE_GOODS,
    VISIBILITY_BOTH,
    VISIBILITY_NOT_VISIBLE,
    VISIBILITY_SEARCH,
)
from connectors.magento.sample.scopes import Scopes
from connectors.magento.sample.vocabulary import SENTENCES

#: (adjective, noun, material) a product's name is built from, each as (en, fr, de).
Words = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


class ProductWriter:
    """Writes products' rows and collects them in a :class:`Catalog`."""

    def __init__(self, ctx: Context, scopes: Scopes, attrs: Attributes, rng: random.Random) -> None:
        self.t = ctx.tables
        self.scopes = scopes
        self.attrs = attrs
        self.attr_ids = attrs.ids
        self.rng = rng
        self.catalog = Catalog()
        self.created0 = EPOCH - timedelta(days=365)

    def add(self, prod: Product, words: Words) -> None:
        """Entity row, EAV values, websites, tier prices and relations of one product."""
        t = self.t
        rng = self.rng
        eid = prod.entity_id
        self.catalog.add(prod)
        created = self.created0 + timedelta(minutes=eid * 7 % 500_000)
        updated = created + timedelta(days=rng.randint(0, 200), seconds=rng.randint(0, 86_399))
        is_config = prod.type_id == "configurable"
        t["catalog_product_entity"].add(
            eid,
            prod.attribute_set_id,
            prod.type_id,
            prod.sku,
            int(is_config),
            int(is_config),
            fmt.ts(created),
            fmt.ts(min(updated, EPOCH)),
        )
        for website_id in prod.websites:
            t["catalog_product_website"].add(eid, website_id)
        self._varchars(prod, words)
        self._integers(prod)
        if prod.type_id not in ("configurable", "grouped"):  # they sell their children
            self._prices(prod)
        visible = prod.parent_id is None  # children are sold only through their configurable
        if visible and rng.random() < 0.1:
            news = EPOCH - timedelta(days=rng.randint(0, 60))
            dtime = t["catalog_product_entity_datetime"]
            dtime.add(None, self.attr_ids["news_from_date"], 0, eid, fmt.ts(news))
            dtime.add(
                None, self.attr_ids["news_to_date"], 0, eid, fmt.ts(news + timedelta(days=45))
            )
        if visible:
            self._texts(prod, words)
        if prod.parent_id is not None:
            t["catalog_product_relation"].add(prod.parent_id, eid)
            t["catalog_product_super_link"].add(None, eid, prod.parent_id)

    def _varchars(self, prod: Product, words: Words) -> None:
        a, rng, eid = self.attr_ids, self.rng, prod.entity_id
        adjective, noun, material = words
        is_child = prod.parent_id is not None
        visible = not is_child
        varchar = self.t["catalog_product_entity_varchar"]
        # Store 0 (admin/default) values.
        url_key = f"{fmt.slug(prod.name)}-{eid}"
        varchar.add(None, a["name"], 0, eid, prod.name)
        varchar.add(None, a["url_key"], 0, eid, url_key)
        if rng.random() < 0.8:
            image = f"/{prod.sku[0].lower()}/{prod.sku[1].lower()}/{url_key}.jpg"
            for code in ("image", "small_image", "thumbnail"):
                varchar.add(None, a[code], 0, eid, image)
        if visible and rng.random() < 0.5:
            varchar.add(None, a["meta_title"], 0, eid, f"Buy {prod.name}")
        if visible and rng.random() < 0.3:
            varchar.add(
                None, a["meta_description"], 0, eid, f"{prod.name} - {rng.choice(SENTENCES)[0]}"
            )
        if prod.type_id != "virtual" and rng.random() < 0.4:
            varchar.add(
                None,
                a["country_of_manufacture"],
                0,
                eid,
                rng.choice(("CN", "PT", "IT", "VN", "TR", "US", "DE")),
            )
        if rng.random() < 0.6:
            varchar.add(None, a["model_number"], 0, eid, f"M{rng.randint(10_000, 99_999)}")
        if prod.type_id not in ("configurable", "virtual") and rng.random() < 0.5:
            varchar.add(None, a["gtin"], 0, eid, f"{rng.randint(10**12, 10**13 - 1)}")
        # Store-view overrides: translated names (and url keys) in the French/German views, a
        # marketing name in the second website's English view.
        for store_id, locale in self.scopes.locale_stores:
            if rng.random() < (0.4 if visible else 0.25):
                idx = 1 if locale == "fr" else 2
                local = (
                    f"{noun[idx]} {adjective[idx]}"
                    if prod.type_id == "virtual"
                    else f"{noun[idx]} {adjective[idx]}, {material[idx]}"
                )
                if is_child:
                    local += " " + " ".join(
                        self.attrs.option_label[o]
                        for at, o in prod.options.items()
                        if at in (a["color"], a["size"], a["material"])
                    )
                varchar.add(None, a["name"], store_id, eid, local)
                varchar.add(None, a["url_key"], store_id, eid, f"{fmt.slug(local)}-{eid}")
        for store_id in self.scopes.plain_w2_stores:
            if visible and rng.random() < 0.2:
                varchar.add(None, a["name"], store_id, eid, f"{prod.name} Edition")

    def _integers(self, prod: Product) -> None:
        """Status, visibility, tax class and option values."""
        a, rng, eid = self.attr_ids, self.rng, prod.entity_id
        visible = prod.parent_id is None
        locale_stores = self.scopes.locale_stores
        integer = self.t["catalog_product_entity_int"]
        integer.add(
            None, a["status"], 0, eid, STATUS_DISABLED if rng.random() < 0.03 else STATUS_ENABLED
        )
        integer.add(
            None, a["visibility"], 0, eid, VISIBILITY_BOTH if visible else VISIBILITY_NOT_VISIBLE
        )
        integer.add(
            None,
            a["tax_class_id"],
            0,
            eid,
            0 if prod.type_id == "virtual" else TAX_CLASS_TAXABLE_GOODS,
        )
        if prod.type_id != "configurable":
            integer.add(None, a["quantity_and_stock_status"], 0, eid, 1)
        for aid, oid in prod.options.items():
            integer.add(None, aid, 0, eid, oid)
        if 2 in prod.websites and rng.random() < 0.03:
            # Disabled in the second website only: a website-scope value is written for every
            # store view of that website.
            for store_id in self.scopes.store_ids_by_website.get(2, []):
                integer.add(None, a["status"], store_id, eid, STATUS_DISABLED)
        if visible and locale_stores and rng.random() < 0.02:
            integer.add(None, a["visibility"], locale_stores[0][0], eid, VISIBILITY_SEARCH)

    def _prices(self, prod: Product) -> None:
        """Prices (website scope), weight, cost; special prices with windows; tier prices."""
        a, rng, eid = self.attr_ids, self.rng, prod.entity_id
        decimal = self.t["catalog_product_entity_decimal"]
        dtime = self.t["catalog_product_entity_datetime"]
        decimal.add(None, a["price"], 0, eid, fmt.price6(prod.price))
        if prod.type_id != "virtual":
            decimal.add(None, a["weight"], 0, eid, fmt.weight(prod.grams, 6))
        if rng.random() < 0.3:
            decimal.add(None, a["cost"], 0, eid, fmt.price6(prod.price * 55 // 100))
        if 2 in prod.websites and rng.random() < 0.25:
            prod.price_w2 = prod.price * rng.choice((90, 105, 110, 120)) // 100
            for store_id in self.scopes.store_ids_by_website.get(2, []):
                decimal.add(None, a["price"], store_id, eid, fmt.price6(prod.price_w2))
        if rng.random() < 0.15:
            special = prod.price * rng.choice((60, 70, 75, 80, 90)) // 100
            decimal.add(None, a["special_price"], 0, eid, fmt.price6(special))
            window = rng.choice(("past", "current", "current", "future", "open"))
            start = {"past": -60, "current": -10, "future": 30, "open": -5}[window]
            dtime.add(None, a["special_from_date"], 0, eid, fmt.ts(EPOCH + timedelta(days=start)))
            if window != "open":
                dtime.add(
                    None, a["special_to_date"], 0, eid, fmt.ts(EPOCH + timedelta(days=start + 30))
                )
        self._tier_prices(prod)

    def _tier_prices(self, prod: Product) -> None:
        rng = self.rng
        if rng.random() >= 0.1:
            return
        tier = self.t["catalog_product_entity_tier_price"]
        price = prod.price
        # All groups, all websites (website 0): buy 5+, pay 90%.
        tier.add(None, prod.entity_id, 1, 0, fmt.qty(5), fmt.price6(price * 90 // 100), 0, None)
        # Wholesale (group 2) on every website from qty 1.
        tier.add(None, prod.entity_id, 0, 2, fmt.qty(1), fmt.price6(price * 80 // 100), 0, None)
        if rng.random() < 0.5:
            # A percentage discount for an extra group in the main website.
            extra_group = self.scopes.customer_groups[-1]
            tier.add(None, prod.entity_id, 0, extra_group, fmt.qty(10), fmt.price6(0), 1, "15.00")
        if 2 in prod.websites and rng.random() < 0.5:
            tier.add(
                None,
                prod.entity_id,
                1,
                0,
                fmt.qty(3),
                fmt.price6(prod.price_w2 * 95 // 100),
                2,
                None,
            )

    def _texts(self, prod: Product, words: Words) -> None:
        """Descriptions for the products shoppers see, with translations."""
        a, rng, eid = self.attr_ids, self.rng, prod.entity_id
        adjective, noun, material = words
        text = self.t["catalog_product_entity_text"]
        sentence = rng.choice(SENTENCES)
        text.add(
            None,
            a["description"],
            0,
            eid,
            f"<p>{prod.name}. {sentence[0]} {rng.choice(SENTENCES)[0]}</p>",
        )
        text.add(None, a["short_description"], 0, eid, f"<p>{sentence[0]}</p>")
        for store_id, locale in self.scopes.locale_stores:
            if rng.random() < 0.25:
                idx = 1 if locale == "fr" else 2
                text.add(
                    None,
                    a["description"],
                    store_id,
                    eid,
                    f"<p>{noun[idx]}: {sentence[idx]}</p>",
                )
        if rng.random() < 0.2:
            text.add(
                None,
                a["meta_keyword"],
                0,
                eid,
                f"{noun[0].lower()}, {material[0].lower()}, {adjective[0].lower()}",
            )
        if prod.type_id != "virtual" and rng.random() < 0.2:
            text.add(
                None,
                a["care_instructions"],
                0,
                eid,
                f"Machine wash cold.\nDo not tumble dry.\n{material[0]} blend.",
            )
