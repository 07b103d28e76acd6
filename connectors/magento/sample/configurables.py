"""Configurable families: a parent product, its super attributes, and one child per combination.

A family varies along one or two axes (color x size, color x material, size or color alone);
each child is a simple product carrying one option of every axis, and the parent carries no
price of its own. Families draw from the "products" stream, right after the standalone products.
"""

from __future__ import annotations

from connectors.magento.sample import fmt
from connectors.magento.sample.attributes import APPAREL_SET_ID
from connectors.magento.sample.catalog import Product
from connectors.magento.sample.context import Seq
from connectors.magento.sample.product_rows import ProductWriter, Words
from connectors.magento.sample.profiles import Profile
from connectors.magento.sample.vocabulary import ADJECTIVES, COLORS, MATERIALS, NOUNS, SIZES


def add_configurables(writer: ProductWriter, ids: Seq, profile: Profile) -> None:
    """Write the profile's families, numbering products on from ``ids``."""
    families = _Families(writer, ids, profile.children_per_configurable)
    for _ in range(profile.configurables):
        families.add()


class _Families:
    def __init__(self, writer: ProductWriter, ids: Seq, children: int) -> None:
        self.writer = writer
        self.attr_ids = writer.attr_ids
        self.attrs = writer.attrs
        self.rng = writer.rng
        self.ids = ids
        self.k = children
        self.super_attribute_ids = Seq()
        self.super_label_ids = Seq()

    def add(self) -> None:
        """One parent, its super attributes, then its children."""
        a, rng = self.attr_ids, self.rng
        adjective, noun, material = (
            rng.choice(ADJECTIVES),
            rng.choice(NOUNS),
            rng.choice(MATERIALS),
        )
        words = (adjective, noun, material)
        axes = self._axes()
        websites = (1,) if rng.random() < 0.5 else (1, 2)
        eid = self.ids.next()
        name = f"{adjective[0]} {material[0]} {noun[0]}"
        parent = Product(
            eid, f"CFG-{eid:06d}", "configurable", name, APPAREL_SET_ID, 0, 0, 0, websites
        )
        parent.options[a["manufacturer"]] = rng.choice(self.attrs.option_ids[a["manufacturer"]])
        parent.super_attributes = [aid for aid, _ in axes]
        base_price = rng.randint(15, 250) * 100 + rng.choice((0, 95, 99))
        combos: list[list[tuple[int, int]]] = [[]]
        for aid, options in axes:
            combos = [[*combo, (aid, oid)] for combo in combos for oid in options]
        self.writer.add(parent, words)
        self._super_attributes(parent)
        for combo in combos:
            self._child(parent, combo, base_price, words)

    def _axes(self) -> list[tuple[int, list[int]]]:
        """(attribute id, option ids) per axis, the option counts multiplying to k children."""
        a, rng, option_ids, k = self.attr_ids, self.rng, self.attrs.option_ids, self.k
        # Color x size when k factors over the option lists, else a single axis.
        pairs = [
            (c, k // c)
            for c in range(2, k)
            if k % c == 0 and c <= len(COLORS) and k // c <= len(SIZES)
        ]
        if pairs and rng.random() < 0.75:
            n_colors, n_sizes = rng.choice(pairs)
            second = a["size"] if rng.random() < 0.8 or n_sizes > len(MATERIALS) else a["material"]
            return [
                (a["color"], rng.sample(option_ids[a["color"]], n_colors)),
                (second, option_ids[second][:n_sizes]),
            ]
        if k <= len(SIZES) and rng.random() < 0.5:
            return [(a["size"], option_ids[a["size"]][:k])]
        return [(a["color"], rng.sample(option_ids[a["color"]], k))]

    def _super_attributes(self, parent: Product) -> None:
        """The axes as super attributes, labelled in store 0 and sometimes per store view."""
        t = self.writer.t
        labels_table = t["catalog_product_super_attribute_label"]
        for position, aid in enumerate(parent.super_attributes):
            super_id = self.super_attribute_ids.next()
            t["catalog_product_super_attribute"].add(super_id, parent.entity_id, aid, position)
            labels = self.attrs.labels_i18n[aid]
            labels_table.add(self.super_label_ids.next(), super_id, 0, 0, labels[0])
            for store_id, locale in self.writer.scopes.locale_stores:
                if self.rng.random() < 0.1:
                    labels_table.add(
                        self.super_label_ids.next(),
                        super_id,
                        store_id,
                        0,
                        labels[1] if locale == "fr" else labels[2],
                    )

    def _child(
        self, parent: Product, combo: list[tuple[int, int]], base_price: int, words: Words
    ) -> None:
        """The simple product for one combination of options, some a little dearer."""
        a, rng = self.attr_ids, self.rng
        cid = self.ids.next()
        values = [self.attrs.option_label[oid] for _aid, oid in combo]
        price = base_price + rng.choice((0, 0, 0, 500, 1000))
        child = Product(
            cid,
            f"{parent.sku}-{'-'.join(fmt.slug(x) for x in values)}",
            "simple",
            f"{parent.name}-{'-'.join(values)}",
            APPAREL_SET_ID,
            price,
            price,
            rng.randint(150, 1500),
            parent.websites,
            parent_id=parent.entity_id,
        )
        child.options = dict(combo)
        child.options[a["manufacturer"]] = parent.options[a["manufacturer"]]
        parent.child_ids.append(child.entity_id)
        self.writer.add(child, words)
