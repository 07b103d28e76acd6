"""The expected ``productAttributes`` items, read with set-based SQL
(docs/feeds.md, productAttributes).

Four queries read the store views, every product attribute with its catalog flags, every
attribute label and every option label; the items (one per attribute and store view) are
assembled in Python. Nothing here is shared with the stream workers' projection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from feedsync.verify.eav import PRODUCT_ENTITY_TYPE_ID
from feedsync.verify.projection import FeedProjection

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["PRODUCT_ATTRIBUTES_PROJECTION", "project_product_attributes"]

# Payload field → catalog_eav_attribute column holding the 0/1 flag.
_FLAG_COLUMNS = {
    "visible": "is_visible_on_front",
    "searchable": "is_searchable",
    "filterable": "is_filterable",
    "visibleInCompareList": "is_comparable",
    "visibleInListing": "used_in_product_listing",
    "sortable": "used_for_sort_by",
    "visibleInSearch": "is_visible_in_advanced_search",
    "filterableInSearch": "is_filterable_in_search",
    "usedForRules": "is_used_for_promo_rules",
}
_BOOLEAN_CODES = {
    "is_redeemable",
    "use_config_is_redeemable",
    "use_config_lifetime",
    "use_config_email_template",
    "use_config_allow_message",
    "allow_message",
    "has_options",
}


def project_product_attributes(cursor: Cursor) -> list[dict[str, Any]]:
    """Every expected payload, by attribute_id then store_id."""
    cursor.execute(
        "SELECT s.store_id, s.code, g.code, w.code FROM store s "
        "JOIN store_group g ON g.group_id = s.group_id "
        "JOIN store_website w ON w.website_id = s.website_id "
        "WHERE s.store_id > 0 ORDER BY s.store_id"
    )
    views = cursor.fetchall()
    labels = _attribute_labels(cursor)
    flag_columns = ", ".join(f"c.{column}" for column in _FLAG_COLUMNS.values())
    cursor.execute(
        "SELECT a.attribute_id, a.attribute_code, a.backend_type, a.frontend_input, "
        "a.frontend_label, a.frontend_class, a.is_required, a.is_unique, a.is_user_defined, "
        f"c.is_global, c.search_weight, {flag_columns} "
        "FROM eav_attribute a JOIN catalog_eav_attribute c ON c.attribute_id = a.attribute_id "
        "WHERE a.entity_type_id = %s ORDER BY a.attribute_id",
        (PRODUCT_ENTITY_TYPE_ID,),
    )
    payloads = []
    for row in cursor.fetchall():
        (attribute_id, code, backend, frontend, frontend_label, frontend_class) = row[:6]
        required, unique, user_defined, is_global, weight = row[6:11]
        boolean = (frontend == "boolean" and backend == "int") or code in _BOOLEAN_CODES
        numeric = not boolean and (
            (frontend in ("price", "weight", "text") and backend in ("decimal", "int"))
            or frontend_class in ("validate-number", "validate-digits")
            or code == "required_options"
        )
        common = {
            "attributeCode": code,
            "attributeType": "catalog_product",
            "dataType": backend,
            "multi": frontend in ("multiselect", "multiline"),
            "frontendInput": frontend,
            "required": bool(required),
            "unique": bool(unique),
            "global": is_global == 1,
            **{field: bool(flag) for field, flag in zip(_FLAG_COLUMNS, row[11:], strict=True)},
            "searchWeight": None if weight is None else float(f"{weight:.6g}"),
            "boolean": boolean,
            "systemAttribute": not user_defined,
            "numeric": numeric,
        }
        for store_id, view_code, store_code, website_code in views:
            store_label = labels.get(attribute_id, {}).get(store_id)
            payloads.append(
                {
                    "id": str(attribute_id),
                    "storeCode": store_code,
                    "websiteCode": website_code,
                    "storeViewCode": view_code,
                    **common,
                    "label": store_label if store_label is not None else frontend_label,
                    "deleted": False,
                }
            )
    return payloads


def _attribute_labels(cursor: Cursor) -> dict[int, dict[int, str | None]]:
    """attribute_id → store_id → label; of duplicate (attribute, store) rows the highest
    attribute_label_id wins (the table has no unique key on the pair)."""
    cursor.execute(
        "SELECT attribute_id, store_id, value FROM eav_attribute_label ORDER BY attribute_label_id"
    )
    labels: dict[int, dict[int, str | None]] = {}
    for attribute_id, store_id, value in cursor.fetchall():
        labels.setdefault(attribute_id, {})[store_id] = value
    return labels


PRODUCT_ATTRIBUTES_PROJECTION = FeedProjection.of("productAttributes", project_product_attributes)
