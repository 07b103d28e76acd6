"""The expected configurable entries of ``products`` items' ``optionsV2``, read with SQL.

As the exporter's ``ConfigurableProductDataExporter`` ``Query\\ProductOptionQuery`` and
``Query\\ProductOptionValueQuery`` read them, with its ``getPossibleAttributeValues``
filter: per configurable product, store view of its websites and super attribute known to
``eav_attribute`` and ``catalog_eav_attribute``, an entry labelled by the store view's
``eav_attribute_label`` (the newest row) else the ``frontend_label``, with
``additional_data`` as its swatch type; its values the attribute's options that a
super-link child selects at store 0, the child's status in the store view (else store 0's)
not 2. A value's label and swatch are the store view's, else store 0's. Entries by
position then attribute id, values by sort order then option id. Written apart from the
stream workers' code (feeds/configurable_options.py) on purpose.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["ConfigurableOptions"]

_SWATCH_MEDIA = "attribute/swatch"


def _uid(attribute_id: Any, option_id: Any) -> str:
    return base64.b64encode(f"configurable/{attribute_id}/{option_id}".encode()).decode()


@dataclass(frozen=True)
class ConfigurableOptions:
    """Entries by (product, store view), values without the media URL yet; see ``entries``."""

    entries_by_view: dict[tuple[int, int], list[dict[str, Any]]]
    values: dict[tuple[int, int, int], list[tuple[Any, ...]]]

    @classmethod
    def read(cls, cursor: Cursor) -> ConfigurableOptions:
        cursor.execute(
            "SELECT sa.product_id, s.store_id, sa.attribute_id, a.attribute_code, sa.position, "
            "c.additional_data, COALESCE(l.value, a.frontend_label) "
            "FROM catalog_product_super_attribute sa "
            "JOIN catalog_product_entity p ON p.entity_id = sa.product_id "
            "AND p.type_id = 'configurable' "
            "JOIN eav_attribute a ON a.attribute_id = sa.attribute_id "
            "JOIN catalog_eav_attribute c ON c.attribute_id = sa.attribute_id "
            "JOIN catalog_product_website w ON w.product_id = sa.product_id "
            "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0 "
            "LEFT JOIN eav_attribute_label l ON l.attribute_label_id = ("
            "SELECT MAX(n.attribute_label_id) FROM eav_attribute_label n "
            "WHERE n.attribute_id = sa.attribute_id AND n.store_id = s.store_id) "
            "ORDER BY sa.product_id, s.store_id, sa.position, sa.attribute_id"
        )
        entries: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for (
            product_id,
            store_id,
            attribute_id,
            code,
            position,
            swatches,
            label,
        ) in cursor.fetchall():
            entries.setdefault((int(product_id), int(store_id)), []).append(
                {
                    "id": code,
                    "label": label,
                    "sortOrder": position,
                    "required": None,
                    "renderType": None,
                    "type": "configurable",
                    "swatchType": swatches,
                    "values": int(attribute_id),  # replaced by ``entries``
                }
            )
        return cls(entries, _values(cursor))

    def entries(self, entity_id: int, store_id: int, media_root: str) -> list[dict[str, Any]]:
        """The product's configurable entries in the store view (``media_root``: its media
        base URL)."""
        found = []
        for entry in self.entries_by_view.get((entity_id, store_id), []):
            values = self.values.get((entity_id, store_id, entry["values"]), [])
            found.append({**entry, "values": [_value(row, media_root) for row in values]})
        return found


def _values(cursor: Cursor) -> dict[tuple[int, int, int], list[tuple[Any, ...]]]:
    """(parent, store view, attribute) → its selected options' rows, in sort order then id."""
    cursor.execute(
        "SELECT DISTINCT sl.parent_id, s.store_id, sa.attribute_id, o.option_id, o.sort_order, "
        "COALESCE(vs.value, vd.value), "
        "IF(ws.value IS NULL, wd.type, ws.type), IF(ws.value IS NULL, wd.value, ws.value) "
        "FROM catalog_product_super_link sl "
        "JOIN catalog_product_super_attribute sa ON sa.product_id = sl.parent_id "
        "JOIN catalog_product_entity child ON child.entity_id = sl.product_id "
        "JOIN catalog_product_entity_int ci ON ci.entity_id = sl.product_id "
        "AND ci.attribute_id = sa.attribute_id AND ci.store_id = 0 "
        "JOIN eav_attribute_option o ON o.option_id = ci.value "
        "AND o.attribute_id = sa.attribute_id "
        "JOIN store s ON s.store_id > 0 "
        "LEFT JOIN eav_attribute st ON st.attribute_code = 'status' AND st.entity_type_id = 4 "
        "LEFT JOIN catalog_product_entity_int sd ON sd.entity_id = sl.product_id "
        "AND sd.attribute_id = st.attribute_id AND sd.store_id = 0 "
        "LEFT JOIN catalog_product_entity_int ss ON ss.entity_id = sl.product_id "
        "AND ss.attribute_id = st.attribute_id AND ss.store_id = s.store_id "
        "LEFT JOIN eav_attribute_option_value vd ON vd.option_id = o.option_id "
        "AND vd.store_id = 0 "
        "LEFT JOIN eav_attribute_option_value vs ON vs.option_id = o.option_id "
        "AND vs.store_id = s.store_id "
        "LEFT JOIN eav_attribute_option_swatch wd ON wd.option_id = o.option_id "
        "AND wd.store_id = 0 "
        "LEFT JOIN eav_attribute_option_swatch ws ON ws.option_id = o.option_id "
        "AND ws.store_id = s.store_id "
        "WHERE (st.attribute_id IS NULL OR IF(ss.value_id IS NULL, sd.value, ss.value) <> 2) "
        "ORDER BY sl.parent_id, s.store_id, sa.attribute_id, o.sort_order, o.option_id"
    )
    values: dict[tuple[int, int, int], list[tuple[Any, ...]]] = {}
    for parent_id, store_id, attribute_id, *row in cursor.fetchall():
        values.setdefault((int(parent_id), int(store_id), int(attribute_id)), []).append(
            (attribute_id, *row)
        )
    return values


def _value(row: tuple[Any, ...], media_root: str) -> dict[str, Any]:
    attribute_id, option_id, sort_order, label, kind, swatch = row
    kind = None if kind is None else int(kind)
    return {
        "id": _uid(attribute_id, option_id),
        "label": label,
        "sortOrder": sort_order,
        "isDefault": None,
        "colorHex": swatch if kind == 1 else None,
        "imageUrl": f"{media_root}{_SWATCH_MEDIA}{swatch}" if kind == 2 and swatch else None,
        "customSwatchValue": swatch if kind not in (None, 0, 1, 2) else None,
        "qtyMutability": None,
        "qty": None,
        "infoUrl": None,
        "sku": None,
        "price": None,
        "priceType": None,
    }
