"""The expected grouped entry of ``products`` items' ``optionsV2``, read with set-based SQL.

As the exporter's ``GroupedProductOptions`` and ``ProductLinksQuery`` read it: a grouped
product's links of type 3 (``super``) to products that exist, in the store view's website
with the grouped product, each item ``{id: its product id, sku, qty, sortOrder,
qtyMutability: true}`` with its link attributes ``qty`` and ``position`` (named in
``catalog_product_link_attribute``), by position then id; no entry without an item. Written
apart from the stream workers' code (feeds/grouped.py) on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["GroupedOptions"]


@dataclass(frozen=True)
class GroupedOptions:
    """The grouped entry's values by (product, website)."""

    by_website: dict[tuple[int, int], list[dict[str, Any]]]

    @classmethod
    def read(cls, cursor: Cursor) -> GroupedOptions:
        cursor.execute(
            "SELECT l.product_id, pw.website_id, c.entity_id, c.sku, q.value, pos.value "
            "FROM catalog_product_link l "
            "JOIN catalog_product_entity p ON p.entity_id = l.product_id "
            "AND p.type_id = 'grouped' "
            "JOIN catalog_product_entity c ON c.entity_id = l.linked_product_id "
            "JOIN catalog_product_website pw ON pw.product_id = p.entity_id "
            "JOIN catalog_product_website cw ON cw.product_id = c.entity_id "
            "AND cw.website_id = pw.website_id "
            "LEFT JOIN catalog_product_link_attribute qa ON qa.link_type_id = 3 "
            "AND qa.product_link_attribute_code = 'qty' "
            "LEFT JOIN catalog_product_link_attribute_decimal q ON q.link_id = l.link_id "
            "AND q.product_link_attribute_id = qa.product_link_attribute_id "
            "LEFT JOIN catalog_product_link_attribute pa ON pa.link_type_id = 3 "
            "AND pa.product_link_attribute_code = 'position' "
            "LEFT JOIN catalog_product_link_attribute_int pos ON pos.link_id = l.link_id "
            "AND pos.product_link_attribute_id = pa.product_link_attribute_id "
            "WHERE l.link_type_id = 3 "
            "ORDER BY l.product_id, pw.website_id, COALESCE(pos.value, 0), c.entity_id"
        )
        found: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for product_id, website_id, item_id, sku, qty, position in cursor.fetchall():
            found.setdefault((int(product_id), int(website_id)), []).append(
                {
                    "id": str(item_id),
                    "label": None,
                    "sortOrder": position,
                    "isDefault": None,
                    "colorHex": None,
                    "imageUrl": None,
                    "customSwatchValue": None,
                    "qtyMutability": True,
                    "qty": None if qty is None else str(qty),
                    "infoUrl": None,
                    "sku": sku,
                    "price": None,
                    "priceType": None,
                }
            )
        return cls(found)

    def entries(self, entity_id: int, website_id: int) -> list[dict[str, Any]]:
        """The grouped product's optionsV2 entry in a store view of the website, if any."""
        values = self.by_website.get((entity_id, website_id))
        if not values:
            return []
        return [
            {
                "id": str(entity_id),
                "label": None,
                "sortOrder": None,
                "required": None,
                "renderType": None,
                "type": "grouped",
                "swatchType": None,
                "values": values,
            }
        ]
