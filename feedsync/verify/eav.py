"""Set-based reads of product EAV data: attribute metadata, values per store, option labels.

Each function reads one kind of row for *all* products at once; the projection resolves the
store-view fallback in Python. Values come back as the text MariaDB prints for DECIMAL and
DATETIME columns (``CAST(value AS CHAR)``), so no float or timezone conversion can creep in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = [
    "PRODUCT_ENTITY_TYPE_ID",
    "Attribute",
    "ProductValues",
    "ScopedValues",
    "load_option_labels",
    "load_product_attributes",
    "load_product_values",
    "pick",
]

# docs/feeds.md names entity type 4 (catalog_product) explicitly, as Magento fixes it in setup.
PRODUCT_ENTITY_TYPE_ID = 4

# backend_type → how the value column is selected. DECIMAL and DATETIME are read as text so
# the payload carries exactly what MariaDB prints ("1.500000", "2026-01-01 00:00:00").
_VALUE_EXPRESSIONS = {
    "varchar": "value",
    "text": "value",
    "int": "value",
    "decimal": "CAST(value AS CHAR)",
    "datetime": "CAST(value AS CHAR)",
}

T = TypeVar("T")
ScopedValues = dict[int, Any]
"""store_id → the value stored for that store (``None`` when the row holds NULL)."""
ProductValues = dict[int, dict[int, ScopedValues]]
"""entity_id → attribute_id → store_id → value."""


@dataclass(frozen=True, slots=True)
class Attribute:
    """The metadata of one product attribute that lives in a value table."""

    attribute_id: int
    code: str
    backend_type: str
    frontend_input: str | None
    user_defined: bool


def pick(scoped: Mapping[int, T] | None, store_id: int) -> T | None:
    """The value for a store view: its own value unless absent or NULL, else the store-0
    value, else None.

    This is ``COALESCE(store_view.value, default.value)``, the fallback pattern of
    shared/reference/magento-schema.md (A.0.3): a store-view row holding NULL falls through
    to store 0 just as a missing row does.
    """
    if not scoped:
        return None
    value = scoped.get(store_id)
    return value if value is not None else scoped.get(0)


def load_product_attributes(cursor: Cursor) -> dict[str, Attribute]:
    """Every product attribute stored in a value table, by attribute code.

    Static attributes (columns of ``catalog_product_entity``) are left out: their values are
    not per store and none of the EAV-sourced feed fields reads one.
    """
    cursor.execute(
        "SELECT attribute_id, attribute_code, backend_type, frontend_input, is_user_defined "
        "FROM eav_attribute WHERE entity_type_id = %s",
        (PRODUCT_ENTITY_TYPE_ID,),
    )
    attributes: dict[str, Attribute] = {}
    for attribute_id, code, backend_type, frontend_input, user_defined in cursor.fetchall():
        if backend_type in _VALUE_EXPRESSIONS:
            attributes[code] = Attribute(
                int(attribute_id), code, backend_type, frontend_input, bool(user_defined)
            )
    return attributes


def load_product_values(cursor: Cursor, attributes: Iterable[Attribute]) -> ProductValues:
    """The stored values of the given attributes for every product and store: one query per
    backend table, whatever the number of products."""
    by_type: dict[str, list[int]] = {}
    for attribute in attributes:
        by_type.setdefault(attribute.backend_type, []).append(attribute.attribute_id)
    values: ProductValues = {}
    for backend_type, ids in sorted(by_type.items()):
        placeholders = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT entity_id, attribute_id, store_id, {_VALUE_EXPRESSIONS[backend_type]} "
            f"FROM catalog_product_entity_{backend_type} WHERE attribute_id IN ({placeholders})",
            ids,
        )
        for entity_id, attribute_id, store_id, value in cursor.fetchall():
            values.setdefault(entity_id, {}).setdefault(attribute_id, {})[store_id] = value
    return values


def load_option_labels(cursor: Cursor) -> dict[int, ScopedValues]:
    """option_id → store_id → label, for the options of every product attribute."""
    cursor.execute(
        "SELECT v.option_id, v.store_id, v.value "
        "FROM eav_attribute_option_value v "
        "JOIN eav_attribute_option o ON o.option_id = v.option_id "
        "JOIN eav_attribute a ON a.attribute_id = o.attribute_id "
        "WHERE a.entity_type_id = %s",
        (PRODUCT_ENTITY_TYPE_ID,),
    )
    labels: dict[int, ScopedValues] = {}
    for option_id, store_id, label in cursor.fetchall():
        labels.setdefault(option_id, {})[store_id] = label
    return labels
