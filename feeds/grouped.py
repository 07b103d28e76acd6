"""Grouped products' items: the products a grouped product sells, each at its own price.

Magento links a grouped product to its items with ``catalog_product_link`` rows of type 3
(``super``), and keeps each item's position and default quantity as link attributes
(``catalog_product_link_attribute_int``/``_decimal``, keyed by the link alone). The link row
belongs to both products (feeds/product_links.py keeps it, and the item's SKU and websites
reach the grouped product as the summary every linked product sends); the attribute rows
name only the link, so a ``grouped_links`` entity per link folds the link with them and
forwards a summary, ``@grouped_link``, to the grouped product (``grouped_links`` in its
state). A link's delete takes its attributes (InnoDB cascades); the entity withdraws itself.
Which attribute is the position and which the quantity is reference data
(``catalog_product_link_attribute``).

The products feed's ``optionsV2`` entry is built here as the exporter's
``GroupedProductOptions`` (with ``ProductLinksQuery``) builds it: see ``grouped_options``.
"""

from __future__ import annotations

from typing import Any

from feeds.change import RowChange
from feeds.child_rows import fold_keyed, row_id
from feeds.product_links import PRODUCT_ENTITY
from feeds.projector import EntityProjector, State, owner_forwards
from feeds.reference import Reference
from feeds.stock_products import position_json, position_of

__all__ = ["GROUPED_LINKS_PROJECTOR", "GROUPED_LINK_SUMMARY", "grouped_options"]

LINK_TABLE = "catalog_product_link"
LINK_INT_TABLE = "catalog_product_link_attribute_int"
LINK_DECIMAL_TABLE = "catalog_product_link_attribute_decimal"
LINK_ATTRIBUTE_TABLE = "catalog_product_link_attribute"
GROUPED_LINK_SUMMARY = "@grouped_link"
GROUPED_LINK_TYPE = 3  # catalog_product_link_type "super"
GROUPED_TYPE = "grouped"
_KIND_OF_TABLE = {LINK_INT_TABLE: "int", LINK_DECIMAL_TABLE: "decimal"}


def _link_keys(change: RowChange) -> list[str]:
    """The link a row belongs to; of ``catalog_product_link``, only grouped links (before or
    after the change): related, up-sell and cross-sell links need no entity of their own."""
    rows = [row for row in (change.before, change.after) if row is not None]
    if change.table == LINK_TABLE and not any(
        row.get("link_type_id") == GROUPED_LINK_TYPE for row in rows
    ):
        return []
    return sorted({row_id(row, "link_id", change.table) for row in rows}, key=int)


def _attribute_value(row: dict[str, Any]) -> dict[str, Any]:
    return {"attribute": row.get("product_link_attribute_id"), "value": row.get("value")}


def apply_grouped_link_change(state: State | None, change: RowChange) -> State | None:
    """The link's state: ``link`` (its products and type; None until its row arrives),
    its attribute values by table (``int``, ``decimal``: value id → attribute and value;
    the two tables number their rows apart) and ``position``; None once nothing is left."""
    current: State = dict(state) if state else {"link": None, "int": {}, "decimal": {}}
    if change.table == LINK_TABLE:
        if change.deleted:
            return None  # its attribute values cascade away with it
        row = change.row
        current["link"] = {
            "product_id": int(row["product_id"]),
            "linked_product_id": int(row["linked_product_id"]),
            "link_type_id": int(row["link_type_id"]),
        }
    else:
        kind = _KIND_OF_TABLE[change.table]
        current[kind] = fold_keyed(current[kind], change, "value_id", _attribute_value)
    current["position"] = position_json(change)
    if current["link"] is None and not current["int"] and not current["decimal"]:
        return None
    return current


def _summary(state: State | None, link_id: str) -> dict[str, Any] | None:
    link = None if state is None else state.get("link")
    if state is None or link is None or link["link_type_id"] != GROUPED_LINK_TYPE:
        return None
    return {
        "link_id": link_id,
        "linked_product_id": link["linked_product_id"],
        "values": {
            str(held["attribute"]): held["value"]
            for kind in _KIND_OF_TABLE.values()
            for held in state[kind].values()
            if held["attribute"] is not None
        },
    }


def _grouped_product(state: State | None) -> set[str]:
    link = None if state is None else state.get("link")
    if link is None or link["link_type_id"] != GROUPED_LINK_TYPE:
        return set()
    return {str(link["product_id"])}


GROUPED_LINKS_PROJECTOR = EntityProjector(
    entity="grouped_links",
    feeds=(),
    tables=frozenset({LINK_TABLE, LINK_INT_TABLE, LINK_DECIMAL_TABLE}),
    keys_of=_link_keys,
    apply=apply_grouped_link_change,
    # The link's summary to its grouped product when it changed (or the product is new); a
    # withdrawal from a product it left, or had before it was deleted.
    forwards=owner_forwards(
        PRODUCT_ENTITY,
        GROUPED_LINK_SUMMARY,
        _summary,
        _grouped_product,
        "link_id",
        position_of=position_of,
    ),
    forwards_to=(PRODUCT_ENTITY,),
    build=lambda state, reference: {},
    rows_of_products={
        LINK_TABLE: "`product_id` IN ({ids}) OR `linked_product_id` IN ({ids})",
        **dict.fromkeys(
            (LINK_INT_TABLE, LINK_DECIMAL_TABLE),
            f"`link_id` IN (SELECT `link_id` FROM `{{db}}`.`{LINK_TABLE}` "
            "WHERE `product_id` IN ({ids}))",
        ),
    },
    deleted_with=frozenset({LINK_TABLE}),
)


def grouped_options(state: State, website_id: int, reference: Reference) -> list[dict[str, Any]]:
    """The grouped product's ``optionsV2`` entry in a store view of ``website_id``: none for
    other products, nor for a grouped product with no item in the website.

    As the exporter reads it: every item linked to the product that exists and is in the
    website, ``{id: its product id, sku, qty: the link's default quantity, sortOrder: the
    link's position, qtyMutability: true}``, by position then product id (the exporter's
    query has no order: the database's).
    """
    entity = state.get("entity") or {}
    if entity.get("type_id") != GROUPED_TYPE:
        return []
    codes = _link_attribute_codes(reference)
    products: dict[str, Any] = state.get("parent_summaries") or {}
    values = []
    for link in (state.get("grouped_links") or {}).values():
        item = products.get(str(link["linked_product_id"]))
        if item is None or website_id not in item.get("websites", []):
            continue
        by_code = {codes.get(a): v for a, v in link["values"].items()}
        values.append(
            {
                "id": int(link["linked_product_id"]),
                "label": None,
                "sortOrder": by_code.get("position"),
                "isDefault": None,
                "colorHex": None,
                "imageUrl": None,
                "customSwatchValue": None,
                "qtyMutability": True,
                "qty": by_code.get("qty"),
                "infoUrl": None,
                "sku": item.get("sku"),
                "price": None,
                "priceType": None,
            }
        )
    if not values:
        return []
    values.sort(key=lambda v: (int(v["sortOrder"] or 0), v["id"]))
    return [
        {
            "id": int(entity["entity_id"]),
            "label": None,
            "sortOrder": None,
            "required": None,
            "renderType": None,
            "type": GROUPED_TYPE,
            "swatchType": None,
            "values": values,
        }
    ]


def _link_attribute_codes(reference: Reference) -> dict[str, str]:
    """Attribute id → code of the grouped links' attributes (position, qty)."""
    return {
        str(row["product_link_attribute_id"]): str(row["product_link_attribute_code"])
        for row in reference.rows(LINK_ATTRIBUTE_TABLE).values()
        if int(row.get("link_type_id") or 0) == GROUPED_LINK_TYPE
    }
