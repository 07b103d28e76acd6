"""variants: one item per configurable parent and child it links (docs/feeds.md, variants).

Built on the parent's side: its super attributes and super links are its own rows, and each
linked child's sku and store-0 option values arrive as a summary forwarded by the child
(feeds/product_links.py). A child whose summary has not arrived, or that was deleted, has
no item; unlinking a child drops its item, which the generic diff then sends as deleted.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from feeds.feed import Feed
from feeds.product_links import super_attributes, variant_children
from feeds.projector import Payload, State
from feeds.reference import Reference

__all__ = ["VARIANTS", "build_variants", "option_uid", "variant_id"]

VARIANTS = Feed(
    name="variants",
    identity=("parentSku", "productSku"),
)
CONFIGURABLE = "configurable"
DEFAULT_STORE_ID = 0


def variant_id(parent_sku: str, child_sku: str) -> str:
    """The variant's ``id`` as the exporter makes it: the md5 of
    ``configurable/<parent SKU>/<child SKU>`` (ProductVariantDataExporter's ConfigurableId),
    so that a consumer of both sees the same variant under the same id."""
    return hashlib.md5(f"{CONFIGURABLE}/{parent_sku}/{child_sku}".encode()).hexdigest()  # noqa: S324 -- an id, as upstream's


def option_uid(attribute_id: int, option_id: int) -> str:
    """Magento's option uid: base64 of ``configurable/<attribute_id>/<option_id>``."""
    return base64.b64encode(f"{CONFIGURABLE}/{attribute_id}/{option_id}".encode()).decode()


def build_variants(state: State, reference: Reference) -> list[Payload]:
    """Every variants item of a configurable product; empty for other products and until the
    product's entity row has arrived."""
    entity = state.get("entity")
    if not entity or entity.get("type_id") != CONFIGURABLE or entity.get("sku") is None:
        return []
    parent_id = int(entity["entity_id"])
    axes = [
        (int(row["attribute_id"]), attribute)
        for row in super_attributes(state, parent_id)
        if (attribute := reference.attribute(row["attribute_id"])) is not None
    ]
    items = []
    for child in sorted(variant_children(state, parent_id), key=lambda c: int(c["id"])):
        if child.get("sku") is None:
            continue
        child_id = int(child["id"])
        values: dict[str, Any] = child.get("values") or {}
        items.append(
            {
                "id": variant_id(str(entity["sku"]), str(child["sku"])),
                "optionValues": [
                    _option_value(attribute_id, attribute, values.get(str(attribute_id)), reference)
                    for attribute_id, attribute in axes
                    if values.get(str(attribute_id)) is not None
                ],
                "parentId": parent_id,
                "productId": child_id,
                "parentSku": entity["sku"],
                "productSku": child["sku"],
                "deleted": False,
            }
        )
    return items


def _option_value(
    attribute_id: int, attribute: dict[str, Any], option: Any, reference: Reference
) -> Payload:
    """One super attribute's value for a child: the option it selects, labelled at store 0."""
    option_id = int(option)
    known = reference.option(option_id) or {}
    labels: dict[str, Any] = known.get("labels", {})
    return {
        "attributeCode": attribute["attribute_code"],
        "uid": option_uid(attribute_id, option_id),
        "label": labels.get(str(DEFAULT_STORE_ID)),
        "valueIndex": option_id,
    }
