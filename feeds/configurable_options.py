"""Configurable products' entries of ``optionsV2``: the attributes a shopper picks a variant
by, with the options some enabled child selects, and their swatches.

As the exporter's ``ConfigurableProductDataExporter\\Model\\Provider\\Product\\Options``
builds them from ``Query\\ProductOptionQuery`` and ``Query\\ProductOptionValueQuery``: per
super attribute of a configurable (its own ``catalog_product_super_attribute`` rows), an
entry ``{id: attribute_code, type: "configurable", label, sortOrder: position, swatchType,
values}``, entries by position (then attribute id). The attribute must be known with its
``catalog_eav_attribute`` row (the query joins both); its label is the store view's
``eav_attribute_label``, else the attribute's ``frontend_label``; ``swatchType`` is
``catalog_eav_attribute.additional_data`` as stored (the JSON object Magento_Swatches keeps
there, ``swatch_input_type`` and all; null for an attribute without swatches).

Values: the attribute's options that a super-link child selects by its store-0 value, the
child enabled in the store view (its status there, else store 0's, not 2: the exporter's
``getPossibleAttributeValues``). Each ``{id: base64("configurable/<attribute>/<option>"),
label (the store view's, else store 0's), sortOrder, colorHex, imageUrl,
customSwatchValue}``; the swatch is the store view's if it has a value, else store 0's, and
its type decides the field: 1 (visual color) ``colorHex``, 2 (visual image) ``imageUrl``
(the store view's media URL, ``attribute/swatch`` and the stored path), any type but 0
(text), 1 and 2 ``customSwatchValue``. Values go by the option's sort order, then id (the
exporter's query has no order: the database's).

The children arrive as summaries (feeds/product_links.py: their store-0 and store-view int
values), options, labels and swatches from the reference data (feeds/reference.py), whose
change rebuilds every product.
"""

from __future__ import annotations

from typing import Any

from feeds.attributes import labels_by_attribute
from feeds.product_links import super_attributes, variant_children
from feeds.projector import Payload, State
from feeds.reference import Reference
from feeds.variants import option_uid

__all__ = ["configurable_options"]

CONFIGURABLE = "configurable"  # the product type, and the entries' type
PRODUCT_ENTITY_TYPE_ID = 4
DEFAULT_STORE_ID = 0
STATUS_CODE = "status"
STATUS_DISABLED = 2
# Magento_Swatches' Swatch::SWATCH_TYPE_* (eav_attribute_option_swatch.type)
SWATCH_TEXT, SWATCH_COLOR, SWATCH_IMAGE = 0, 1, 2
SWATCH_MEDIA_PATH = "attribute/swatch"  # Magento_Swatches' Helper\Media::getSwatchMediaPath


def configurable_options(
    state: State, reference: Reference, store_id: int, media_url: str
) -> list[Payload]:
    """A configurable product's ``optionsV2`` entries in one store view (``media_url``: its
    media base URL); none for other products."""
    entity = state.get("entity")
    if not entity or entity.get("type_id") != CONFIGURABLE:
        return []
    product_id = int(entity["entity_id"])
    rows = super_attributes(state, product_id)
    if not rows:
        return []
    catalog = reference.rows("catalog_eav_attribute")
    labels = labels_by_attribute(reference)
    selected = _selected_options(state, reference, product_id, store_id)
    entries = []
    for row in rows:
        attribute_id = str(row["attribute_id"])
        attribute, flags = reference.attribute(attribute_id), catalog.get(attribute_id)
        if attribute is None or flags is None:
            continue
        label = labels.get(attribute_id, {}).get(str(store_id))
        entries.append(
            {
                "id": attribute["attribute_code"],
                "label": attribute.get("frontend_label") if label is None else label,
                "sortOrder": row["position"],
                "required": None,
                "renderType": None,
                "type": CONFIGURABLE,
                "swatchType": flags.get("additional_data"),
                "values": _values(
                    int(attribute_id),
                    selected.get(attribute_id, set()),
                    reference,
                    store_id,
                    media_url,
                ),
            }
        )
    return entries


def _selected_options(
    state: State, reference: Reference, product_id: int, store_id: int
) -> dict[str, set[int]]:
    """attribute id → the option ids the product's children enabled in the store view
    select (their store-0 values)."""
    status_id = _status_attribute(reference)
    selected: dict[str, set[int]] = {}
    for child in variant_children(state, product_id):
        values: dict[str, Any] = child.get("values") or {}
        if status_id is not None:
            scoped: dict[str, Any] = child.get("scoped_values") or {}
            own = f"{status_id}:{store_id}"
            status = scoped[own] if own in scoped else values.get(status_id)
            if status is None or int(status) == STATUS_DISABLED:
                continue
        for attribute_id, value in values.items():
            if value is not None:
                selected.setdefault(attribute_id, set()).add(int(value))
    return selected


def _status_attribute(reference: Reference) -> str | None:
    """The id of the products' ``status`` attribute (without it, the exporter filters no
    child by status)."""
    for attribute in reference.attributes().values():
        if (
            attribute["attribute_code"] == STATUS_CODE
            and int(attribute["entity_type_id"]) == PRODUCT_ENTITY_TYPE_ID
        ):
            return str(attribute["attribute_id"])
    return None


def _values(
    attribute_id: int, option_ids: set[int], reference: Reference, store_id: int, media_url: str
) -> list[Payload]:
    """The selected options that are options of the attribute, by sort order then id."""
    found = []
    for option_id in option_ids:
        option = reference.option(option_id)
        if option is None or str(option.get("attribute_id")) != str(attribute_id):
            continue
        found.append((int(option.get("sort_order") or 0), option_id, option))
    values = []
    for sort_order, option_id, option in sorted(found, key=lambda f: (f[0], f[1])):
        kind, swatch = _swatch(option, store_id)
        values.append(
            {
                "id": option_uid(attribute_id, option_id),
                "label": reference.option_label(option_id, store_id),
                "sortOrder": sort_order,
                "isDefault": None,
                "colorHex": swatch if kind == SWATCH_COLOR else None,
                "imageUrl": (
                    f"{media_url}{SWATCH_MEDIA_PATH}{swatch}"
                    if kind == SWATCH_IMAGE and swatch is not None
                    else None
                ),
                "customSwatchValue": (
                    swatch if kind not in (None, SWATCH_TEXT, SWATCH_COLOR, SWATCH_IMAGE) else None
                ),
                "qtyMutability": None,
                "qty": None,
                "infoUrl": None,
                "sku": None,
                "price": None,
                "priceType": None,
            }
        )
    return values


def _swatch(option: dict[str, Any], store_id: int) -> tuple[int | None, Any]:
    """(type, value) of the option's swatch in the store view: its own when it has a value,
    else store 0's; (None, None) without either."""
    swatches: dict[str, list[Any]] = option.get("swatches") or {}
    own = swatches.get(str(store_id))
    found = own if own is not None and own[1] is not None else swatches.get(str(DEFAULT_STORE_ID))
    if found is None:
        return None, None
    return (None if found[0] is None else int(found[0])), found[1]
