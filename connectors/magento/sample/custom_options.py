"""Custom options: what a shopper types in (an engraving, a logo file, a delivery date) or
picks (gift wrap, a warranty) when buying some of the products sold on their own.

A tenth of the products without configurable children (downloadables too) get one to four
options of the menu below, each of its own kind, with a title at store 0 and, now and then,
a translated title in a French or German store view; a shopper-input option has a price at
store 0 (fixed, or a percentage of the product's price) and sometimes another in a store
view, a selectable option's values likewise. Some options are optional, some have no
price. Draws come from the "custom_options" random stream only, and the rows are appended
after every other step's: every row written before is the same with or without them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from connectors.magento.sample.catalog import Catalog, Product
from connectors.magento.sample.context import Context, Seq
from connectors.magento.sample.fmt import money
from connectors.magento.sample.model import Table
from connectors.magento.sample.scopes import Scopes

_SHARE: Final = 0.1


@dataclass(frozen=True)
class _Kind:
    """One option of the menu: its type, titles (en, fr, de), SKU suffix and limits; the
    values (titles, SKU suffix) of a selectable one."""

    type: str
    titles: tuple[str, str, str]
    sku: str | None = None
    max_characters: int | None = None
    file_extension: str | None = None
    image_size: tuple[int, int] | None = None
    values: tuple[tuple[tuple[str, str, str], str], ...] = ()


_MENU: Final = (
    _Kind("field", ("Engraving", "Gravure", "Gravur"), "ENGRAVE", max_characters=20),
    _Kind("area", ("Gift message", "Message cadeau", "Grußbotschaft"), max_characters=250),
    _Kind(
        "file",
        ("Your logo", "Votre logo", "Ihr Logo"),
        "LOGO",
        file_extension="png, jpg",
        image_size=(800, 600),
    ),
    _Kind("date", ("Delivery date", "Date de livraison", "Liefertermin")),
    _Kind("time", ("Delivery time", "Heure de livraison", "Lieferzeit")),
    _Kind("date_time", ("Pick-up", "Retrait", "Abholung")),
    _Kind(
        "drop_down",
        ("Gift wrap", "Emballage cadeau", "Geschenkverpackung"),
        values=(
            (("Paper", "Papier", "Papier"), "PAPER"),
            (("Silk", "Soie", "Seide"), "SILK"),
            (("Wooden box", "Boîte en bois", "Holzkiste"), "BOX"),
        ),
    ),
    _Kind(
        "radio",
        ("Warranty", "Garantie", "Garantie"),
        values=(
            (("1 year", "1 an", "1 Jahr"), "W1"),
            (("2 years", "2 ans", "2 Jahre"), "W2"),
            (("3 years", "3 ans", "3 Jahre"), "W3"),
        ),
    ),
    _Kind(
        "checkbox",
        ("Extras", "Suppléments", "Extras"),
        values=(
            (("Spare batteries", "Piles de rechange", "Ersatzbatterien"), "BATT"),
            (("Carry case", "Étui", "Tasche"), "CASE"),
        ),
    ),
    _Kind(
        "multiple",
        ("Accessories", "Accessoires", "Zubehör"),
        values=(
            (("Strap", "Sangle", "Riemen"), "STRAP"),
            (("Stand", "Support", "Ständer"), "STAND"),
            (("Cleaning kit", "Kit de nettoyage", "Reinigungsset"), "CLEAN"),
        ),
    ),
)
_LOCALE_INDEX: Final = {"en": 0, "fr": 1, "de": 2}


def add_custom_options(ctx: Context, scopes: Scopes, catalog: Catalog) -> None:
    """Options, values, titles and prices for a tenth of the products shown on their own."""
    writer = _OptionWriter(ctx, scopes, ctx.rng("custom_options"))
    shown = (
        p
        for p in catalog.products
        if p.parent_id is None and p.type_id not in ("configurable", "grouped")
    )
    for product in shown:
        if writer.rng.random() < _SHARE:
            writer.add(product)


class _OptionWriter:
    def __init__(self, ctx: Context, scopes: Scopes, rng: random.Random) -> None:
        self.rng = rng
        self.t = ctx.tables
        self.scopes = scopes
        self.ids = {
            name: Seq() for name in ("option", "title", "price", "value", "vtitle", "vprice")
        }

    def add(self, product: Product) -> None:
        rng = self.rng
        stores = [s for s in self.scopes.stores if s[2] in product.websites]
        translating = [(s[0], s[5]) for s in stores if s[5] != "en"]
        for sort_order, kind in enumerate(rng.sample(_MENU, rng.randint(1, 4)), start=1):
            option_id = self.ids["option"].next()
            size_x, size_y = kind.image_size or (None, None)
            sku = f"{kind.sku}-{product.entity_id}" if kind.sku else None
            self.t["catalog_product_option"].add(
                option_id,
                product.entity_id,
                kind.type,
                int(rng.random() < 0.6),
                sku,
                kind.max_characters,
                kind.file_extension,
                size_x,
                size_y,
                sort_order * 10,
            )
            self._titles("catalog_product_option_title", "title", option_id, kind.titles)
            self._titles_in_views(
                "catalog_product_option_title", "title", option_id, kind.titles, translating
            )
            if kind.values:
                self._values(option_id, kind, product, translating, stores)
            elif rng.random() < 0.85:
                self._prices("catalog_product_option_price", "price", option_id, product, stores)

    def _values(
        self,
        option_id: int,
        kind: _Kind,
        product: Product,
        translating: list[tuple[int, str]],
        stores: list[tuple[int, str, int, int, str, str]],
    ) -> None:
        for sort_order, (titles, suffix) in enumerate(kind.values, start=1):
            value_id = self.ids["value"].next()
            self.t["catalog_product_option_type_value"].add(
                value_id, option_id, f"{suffix}-{product.entity_id}", sort_order
            )
            self._titles("catalog_product_option_type_title", "vtitle", value_id, titles)
            self._titles_in_views(
                "catalog_product_option_type_title", "vtitle", value_id, titles, translating
            )
            self._prices("catalog_product_option_type_price", "vprice", value_id, product, stores)

    def _titles(self, table: str, seq: str, owner: int, titles: tuple[str, str, str]) -> None:
        self.t[table].add(self.ids[seq].next(), owner, 0, titles[0])

    def _titles_in_views(
        self,
        table: str,
        seq: str,
        owner: int,
        titles: tuple[str, str, str],
        translating: list[tuple[int, str]],
    ) -> None:
        """A translated title in some of the product's French and German store views."""
        for store_id, locale in translating:
            if self.rng.random() < 0.5:
                self.t[table].add(
                    self.ids[seq].next(), owner, store_id, titles[_LOCALE_INDEX[locale]]
                )

    def _prices(
        self,
        table: str,
        seq: str,
        owner: int,
        product: Product,
        stores: list[tuple[int, str, int, int, str, str]],
    ) -> None:
        """A fixed price (a fraction of the product's) or a percentage at store 0; now and
        then another in one store view (a website-scoped catalog price)."""
        rows: Table = self.t[table]
        rng = self.rng
        for store_id in [0] + ([rng.choice(stores)[0]] if stores and rng.random() < 0.2 else []):
            if rng.random() < 0.25:
                rows.add(
                    self.ids[seq].next(),
                    owner,
                    store_id,
                    money(rng.randint(1, 20) * 500),
                    "percent",
                )
            else:
                cents = max(100, product.price // rng.choice((5, 10, 20)) // 100 * 100 + 99)
                rows.add(self.ids[seq].next(), owner, store_id, money(cents), "fixed")
