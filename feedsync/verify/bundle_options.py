"""The expected bundle entries of ``products`` items' ``optionsV2``, read with set-based SQL.

As the exporter's ``BundleProductOptionsQuery`` and ``BundleProductOptionValuesQuery`` read
them: every option of a bundle in each store view of the bundle's websites, labelled with
the store view's title else store 0's; its values the option's selections joined to the
product they offer, labelled with that product's name in the store view else at store 0,
priced with the website's selection price else the selection's own (the price type always
the selection's), with the id ``base64("bundle/<option>/<selection>/<whole qty>")``.
Options by position then id, values likewise. Written apart from the stream workers' code
(feeds/bundles.py) on purpose.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["BundleOptions"]


def _uid(option_id: Any, selection_id: Any, qty: Any) -> str:
    whole = 0 if qty is None else int(Decimal(str(qty)))
    return base64.b64encode(f"bundle/{option_id}/{selection_id}/{whole}".encode()).decode()


def _text(value: Any) -> str | None:
    """A DECIMAL column as its digits (the comparison reads numbers by value)."""
    return None if value is None else str(value)


@dataclass(frozen=True)
class BundleOptions:
    """The bundle entries of optionsV2 by (product, store view)."""

    by_view: dict[tuple[int, int], list[dict[str, Any]]]

    @classmethod
    def read(cls, cursor: Cursor) -> BundleOptions:
        values = _values_by_view(cursor)
        cursor.execute(
            "SELECT o.parent_id, s.store_id, o.option_id, o.required, o.position, o.type, "
            "COALESCE(st.title, dt.title) "
            "FROM catalog_product_bundle_option o "
            "JOIN catalog_product_entity p ON p.entity_id = o.parent_id "
            "AND p.type_id = 'bundle' "
            "JOIN catalog_product_website w ON w.product_id = o.parent_id "
            "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0 "
            "LEFT JOIN catalog_product_bundle_option_value st ON st.option_id = o.option_id "
            "AND st.parent_product_id = o.parent_id AND st.store_id = s.store_id "
            "LEFT JOIN catalog_product_bundle_option_value dt ON dt.option_id = o.option_id "
            "AND dt.parent_product_id = o.parent_id AND dt.store_id = 0 "
            "ORDER BY o.parent_id, s.store_id, o.position, o.option_id"
        )
        found: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for product_id, store_id, option_id, required, position, kind, label in cursor:
            found.setdefault((int(product_id), int(store_id)), []).append(
                {
                    "id": str(option_id),
                    "label": label,
                    "sortOrder": position,
                    "required": bool(required),
                    "renderType": kind,
                    "type": "bundle",
                    "swatchType": None,
                    "values": values.get((int(option_id), int(store_id)), []),
                }
            )
        return cls(found)

    def entries(self, entity_id: int, store_id: int) -> list[dict[str, Any]]:
        """The bundle's optionsV2 entries in the store view (empty for other products)."""
        return self.by_view.get((entity_id, store_id), [])


def _values_by_view(cursor: Cursor) -> dict[tuple[int, int], list[dict[str, Any]]]:
    """(option, store view) → its selections of products that exist, by position then id."""
    cursor.execute(
        "SELECT b.option_id, s.store_id, b.selection_id, b.position, b.is_default, "
        "b.selection_price_type, COALESCE(wp.selection_price_value, b.selection_price_value), "
        "b.selection_qty, b.selection_can_change_qty, c.sku, COALESCE(sn.value, dn.value) "
        "FROM catalog_product_bundle_selection b "
        "JOIN catalog_product_entity c ON c.entity_id = b.product_id "
        "JOIN store s ON s.store_id > 0 "
        "JOIN eav_attribute a ON a.attribute_code = 'name' AND a.entity_type_id = 4 "
        "LEFT JOIN catalog_product_entity_varchar sn ON sn.entity_id = c.entity_id "
        "AND sn.attribute_id = a.attribute_id AND sn.store_id = s.store_id "
        "LEFT JOIN catalog_product_entity_varchar dn ON dn.entity_id = c.entity_id "
        "AND dn.attribute_id = a.attribute_id AND dn.store_id = 0 "
        "LEFT JOIN catalog_product_bundle_selection_price wp "
        "ON wp.selection_id = b.selection_id AND wp.website_id = s.website_id "
        "ORDER BY b.option_id, s.store_id, b.position, b.selection_id"
    )
    values: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in cursor.fetchall():
        option_id, store_id, selection_id, position, is_default, price_type = row[:6]
        price, qty, can_change, sku, label = row[6:]
        values.setdefault((int(option_id), int(store_id)), []).append(
            {
                "id": _uid(option_id, selection_id, qty),
                "label": label,
                "sortOrder": position,
                "isDefault": bool(is_default),
                "colorHex": None,
                "imageUrl": None,
                "customSwatchValue": None,
                "qtyMutability": bool(can_change),
                "qty": _text(qty),
                "infoUrl": None,
                "sku": sku,
                "price": _text(price),
                "priceType": "percent" if price_type else "fixed",
            }
        )
    return values
