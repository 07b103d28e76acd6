"""The expected ``variants`` items, computed with set-based SQL (docs/feeds.md, variants).

Four queries read every super link with both products, the super attributes, the children's
store-0 values of them and the store-0 option labels; the items (one per configurable parent
and linked child) are assembled in Python. Nothing here is shared with the stream workers.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

from feedsync.verify.projection import FeedProjection

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["VARIANTS_PROJECTION", "project_variants"]


def project_variants(cursor: Cursor) -> list[dict[str, Any]]:
    """Every expected ``variants`` payload (without ``modifiedAt``), by parent then child."""
    axes = _super_attributes(cursor)
    values = _child_values(cursor)
    labels = _store_zero_labels(cursor)
    cursor.execute(
        "SELECT l.parent_id, l.product_id, p.sku, c.sku FROM catalog_product_super_link l "
        "JOIN catalog_product_entity p ON p.entity_id = l.parent_id "
        "JOIN catalog_product_entity c ON c.entity_id = l.product_id "
        "WHERE p.type_id = 'configurable' AND p.sku IS NOT NULL AND c.sku IS NOT NULL "
        "ORDER BY l.parent_id, l.product_id"
    )
    payloads = []
    for parent_id, child_id, parent_sku, child_sku in cursor.fetchall():
        child_values = values.get(child_id, {})
        option_values = []
        for attribute_id, code in axes.get(parent_id, []):
            option_id = child_values.get(attribute_id)
            if option_id is None:
                continue
            uid = base64.b64encode(f"configurable/{attribute_id}/{option_id}".encode()).decode()
            option_values.append(
                {
                    "attributeCode": code,
                    "uid": uid,
                    "label": labels.get(option_id),
                    "valueIndex": option_id,
                }
            )
        payloads.append(
            {
                # the exporter's id: md5 of configurable/<parent SKU>/<child SKU>
                "id": hashlib.md5(  # noqa: S324 -- an id, as upstream's
                    f"configurable/{parent_sku}/{child_sku}".encode()
                ).hexdigest(),
                "optionValues": option_values,
                "parentId": parent_id,
                "productId": child_id,
                "parentSku": parent_sku,
                "productSku": child_sku,
                "deleted": False,
            }
        )
    return payloads


def _super_attributes(cursor: Cursor) -> dict[int, list[tuple[int, str]]]:
    """parent entity_id → (attribute id, code) of its super attributes that exist, by
    position then attribute id."""
    cursor.execute(
        "SELECT sa.product_id, sa.attribute_id, a.attribute_code "
        "FROM catalog_product_super_attribute sa "
        "JOIN eav_attribute a ON a.attribute_id = sa.attribute_id "
        "ORDER BY sa.product_id, sa.position, sa.attribute_id"
    )
    axes: dict[int, list[tuple[int, str]]] = {}
    for product_id, attribute_id, code in cursor.fetchall():
        axes.setdefault(product_id, []).append((attribute_id, code))
    return axes


def _child_values(cursor: Cursor) -> dict[int, dict[int, int | None]]:
    """child entity_id → attribute id → its store-0 ``catalog_product_entity_int`` value, for
    the attributes some configurable uses as a super attribute."""
    cursor.execute(
        "SELECT i.entity_id, i.attribute_id, i.value FROM catalog_product_entity_int i "
        "WHERE i.store_id = 0 AND i.attribute_id IN "
        "(SELECT attribute_id FROM catalog_product_super_attribute)"
    )
    values: dict[int, dict[int, int | None]] = {}
    for entity_id, attribute_id, value in cursor.fetchall():
        values.setdefault(entity_id, {})[attribute_id] = value
    return values


def _store_zero_labels(cursor: Cursor) -> dict[int, str | None]:
    """option id → its store-0 label."""
    cursor.execute("SELECT option_id, value FROM eav_attribute_option_value WHERE store_id = 0")
    return {option_id: label for option_id, label in cursor.fetchall()}


VARIANTS_PROJECTION = FeedProjection.of("variants", project_variants)
