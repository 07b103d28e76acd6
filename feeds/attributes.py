"""productAttributes: one item per product attribute and store view (docs/feeds.md).

Built wholly from the reference data: ``eav_attribute`` + ``catalog_eav_attribute`` give the
attribute's metadata, ``eav_attribute_label`` its label per store view. The field mapping
follows Adobe's exporter (ProductMetadataQuery) except where that exporter reads a column whose
meaning contradicts the field name; the doc lists those. The options' labels are not sent: the
exporter stopped propagating ``attributeOptions`` (magento/commerce-data-export MDEE-882,
November 2024), so a service that reads its feeds does not expect them.

An attribute is exported once both of its metadata rows are present (the exporter joins
``catalog_eav_attribute`` too), so a half-arrived attribute is never sent with made-up flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from feeds.feed import Feed
from feeds.projector import ReferenceFeed
from feeds.reference import Reference, ReferenceKind

__all__ = [
    "PRODUCT_ATTRIBUTES",
    "PRODUCT_ATTRIBUTES_FEED",
    "StoreView",
    "build_product_attributes",
    "labels_by_attribute",
    "store_views",
]

PRODUCT_ENTITY_TYPE_ID = 4
PRODUCT_ATTRIBUTE_TYPE = "catalog_product"
SCOPE_GLOBAL = 1  # catalog_eav_attribute.is_global: 0 store view, 1 global, 2 website

PRODUCT_ATTRIBUTES = Feed(
    name="productAttributes",
    identity=("attributeCode", "storeViewCode"),
)

# The exporter's BooleanMetadataFormatter / NumericMetadataFormatter rules (CDE di.xml).
_BOOLEAN_CODES = frozenset(
    {
        "is_redeemable",
        "use_config_is_redeemable",
        "use_config_lifetime",
        "use_config_email_template",
        "use_config_allow_message",
        "allow_message",
        "has_options",
    }
)
_NUMERIC_INPUTS = frozenset({"price", "weight", "text"})
_NUMERIC_BACKENDS = frozenset({"decimal", "int"})
_NUMERIC_VALIDATIONS = frozenset({"validate-number", "validate-digits"})
_MULTI_INPUTS = frozenset({"multiselect", "multiline"})

# Payload field → catalog_eav_attribute flag column.
_CATALOG_FLAGS = {
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

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoreView:
    """A store view with the codes its items carry and its store group's root category."""

    store_id: int
    code: str
    store_code: str | None
    website_code: str | None
    root_category_id: int


def store_views(reference: Reference) -> list[StoreView]:
    """Every store view (store_id > 0) whose store group and website exist, by store_id.

    Deleting a website or group cascades its stores away without a binlog event, so a store
    whose parent is gone is treated as gone too.
    """
    groups, websites = reference.groups(), reference.websites()
    views = []
    for store in sorted(reference.stores().values(), key=lambda s: int(s["store_id"])):
        group = groups.get(str(store["group_id"]))
        website = websites.get(str(store["website_id"]))
        if int(store["store_id"]) > 0 and group is not None and website is not None:
            views.append(
                StoreView(
                    int(store["store_id"]),
                    store["code"],
                    group.get("code"),
                    website.get("code"),
                    int(group.get("root_category_id") or 0),
                )
            )
    return views


def build_product_attributes(reference: Reference) -> list[dict[str, Any]]:
    """Every productAttributes payload: product attributes by id, then store views by id."""
    catalog = reference.rows("catalog_eav_attribute")
    labels = labels_by_attribute(reference)
    views = store_views(reference)
    payloads = []
    for attribute in sorted(reference.attributes().values(), key=lambda a: int(a["attribute_id"])):
        attribute_id = str(attribute["attribute_id"])
        flags = catalog.get(attribute_id)
        if int(attribute["entity_type_id"]) != PRODUCT_ENTITY_TYPE_ID or flags is None:
            continue
        metadata = _metadata(attribute, flags)
        for view in views:
            store_id = str(view.store_id)
            label = labels.get(attribute_id, {}).get(store_id)
            payloads.append(
                {
                    "id": attribute_id,
                    "storeCode": view.store_code,
                    "websiteCode": view.website_code,
                    "storeViewCode": view.code,
                    **metadata,
                    "label": label if label is not None else attribute.get("frontend_label"),
                    "deleted": False,
                }
            )
    return payloads


def _metadata(attribute: Row, flags: Row) -> dict[str, Any]:
    """The store-independent fields of one attribute, in payload order."""
    code = attribute["attribute_code"]
    backend_type = attribute.get("backend_type")
    frontend_input = attribute.get("frontend_input")
    boolean = (frontend_input == "boolean" and backend_type == "int") or code in _BOOLEAN_CODES
    numeric = not boolean and (
        (frontend_input in _NUMERIC_INPUTS and backend_type in _NUMERIC_BACKENDS)
        or attribute.get("frontend_class") in _NUMERIC_VALIDATIONS
        or code == "required_options"
    )
    weight = flags.get("search_weight")
    return {
        "attributeCode": code,
        "attributeType": PRODUCT_ATTRIBUTE_TYPE,
        "dataType": backend_type,
        "multi": frontend_input in _MULTI_INPUTS,
        "frontendInput": frontend_input,
        "required": _flag(attribute, "is_required"),
        "unique": _flag(attribute, "is_unique"),
        "global": _int(flags.get("is_global")) == SCOPE_GLOBAL,
        **{field: _flag(flags, column) for field, column in _CATALOG_FLAGS.items()},
        "searchWeight": _search_weight(weight),
        "boolean": boolean,
        "systemAttribute": not _flag(attribute, "is_user_defined"),
        "numeric": numeric,
    }


def labels_by_attribute(reference: Reference) -> dict[str, dict[str, str | None]]:
    """attribute id → store id → store label, read in one pass over the label rows.

    ``eav_attribute_label`` has no unique key on (attribute, store): of duplicate rows the one
    with the highest ``attribute_label_id`` wins, whatever order the rows arrived in.
    """
    newest: dict[tuple[str, str], tuple[int, str | None]] = {}
    for row in reference.rows("eav_attribute_label").values():
        key = (str(row["attribute_id"]), str(row["store_id"]))
        label_id = int(row["attribute_label_id"])
        if key not in newest or label_id > newest[key][0]:
            newest[key] = (label_id, row.get("value"))
    labels: dict[str, dict[str, str | None]] = {}
    for (attribute_id, store_id), (_, value) in newest.items():
        labels.setdefault(attribute_id, {})[store_id] = value
    return labels


def _search_weight(value: Any) -> float | None:
    """The FLOAT column at its own (single) precision: the binlog carries the float32 bits
    (1.1 arrives as 1.100000023841858) where MariaDB prints 1.1; six significant digits agree.
    """
    return None if value is None else float(f"{float(value):.6g}")


def _flag(row: Row, column: str) -> bool:
    return bool(_int(row.get(column)))


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


PRODUCT_ATTRIBUTES_FEED = ReferenceFeed(
    PRODUCT_ATTRIBUTES,
    build_product_attributes,
    frozenset({ReferenceKind.ATTRIBUTES, ReferenceKind.SCOPES}),
)
