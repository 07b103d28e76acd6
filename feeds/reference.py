"""Reference data every worker holds: scopes, customer groups, attribute metadata, options,
categories. It lives in a Faust global table; this module keeps the pure logic of how row
changes update it and how projectors read it.

Values are plain JSON (nested dict keys are strings) because the table's changelog is
JSON and a recovered table must look exactly like a live one. A value is replaced, never
mutated in place, so that every change reaches the changelog.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from enum import StrEnum
from typing import Any

from streams.decode import RowChange

__all__ = ["REFERENCE_TABLES", "Reference", "ReferenceKind", "apply_reference"]

Row = dict[str, Any]
VERSION_KEY = "version"


class ReferenceKind(StrEnum):
    SCOPES = "scopes"
    CUSTOMER_GROUPS = "customer_groups"
    ATTRIBUTES = "attributes"
    OPTIONS = "options"
    CATEGORIES = "categories"


# table -> (kind, the fields kept, the key column)
_COLLECTIONS: dict[str, tuple[ReferenceKind, str, tuple[str, ...]]] = {
    "store_website": (ReferenceKind.SCOPES, "website_id", ("website_id", "code", "name")),
    "store_group": (
        ReferenceKind.SCOPES,
        "group_id",
        ("group_id", "website_id", "code", "name", "root_category_id"),
    ),
    "store": (
        ReferenceKind.SCOPES,
        "store_id",
        ("store_id", "code", "website_id", "group_id", "name", "is_active"),
    ),
    "customer_group": (
        ReferenceKind.CUSTOMER_GROUPS,
        "customer_group_id",
        ("customer_group_id", "customer_group_code", "tax_class_id"),
    ),
    "eav_attribute": (
        ReferenceKind.ATTRIBUTES,
        "attribute_id",
        (
            "attribute_id",
            "entity_type_id",
            "attribute_code",
            "backend_type",
            "frontend_input",
            "frontend_label",
            "is_user_defined",
            "is_required",
            "is_unique",
        ),
    ),
    "catalog_eav_attribute": (ReferenceKind.ATTRIBUTES, "attribute_id", ()),  # all columns
    "catalog_category_entity": (
        ReferenceKind.CATEGORIES,
        "entity_id",
        ("entity_id", "parent_id", "path", "level", "position"),
    ),
}
_OPTION_TABLES = ("eav_attribute_option", "eav_attribute_option_value")
REFERENCE_TABLES = frozenset(_COLLECTIONS) | frozenset(_OPTION_TABLES)


def apply_reference(store: MutableMapping[str, Any], change: RowChange) -> ReferenceKind | None:
    """Apply one row change to the reference store; return what kind of data changed."""
    if change.table in _COLLECTIONS:
        kind = _apply_collection(store, change)
    elif change.table in _OPTION_TABLES:
        kind = _apply_option(store, change)
    else:
        return None
    version = change.position.version
    if version > int(store.get(VERSION_KEY, 0)):
        store[VERSION_KEY] = version
    return kind


def _collection_key(table: str) -> str:
    return f"rows:{table}"


def _apply_collection(store: MutableMapping[str, Any], change: RowChange) -> ReferenceKind:
    kind, key_column, fields = _COLLECTIONS[change.table]
    collection: dict[str, Row] = dict(store.get(_collection_key(change.table), {}))
    if change.before is not None:
        collection.pop(str(change.before[key_column]), None)
    if change.after is not None:
        row = change.after
        collection[str(row[key_column])] = {f: row.get(f) for f in fields} if fields else row
    store[_collection_key(change.table)] = collection
    return kind


def _apply_option(store: MutableMapping[str, Any], change: RowChange) -> ReferenceKind:
    """Options are kept one per key (``option:<id>``) with their labels per store."""
    row = change.row
    key = f"option:{row['option_id']}"
    option: Row = dict(store.get(key, {"labels": {}}))
    if change.table == "eav_attribute_option":
        if change.deleted:  # its labels cascade away with it, unseen in the binlog
            store.pop(key, None)
            return ReferenceKind.OPTIONS
        option["attribute_id"] = row["attribute_id"]
        option["sort_order"] = row.get("sort_order")
    else:
        labels = dict(option.get("labels", {}))
        if change.before is not None:
            labels.pop(str(change.before["store_id"]), None)
        if change.after is not None:
            labels[str(row["store_id"])] = row.get("value")
        option["labels"] = labels
    store[key] = option
    return ReferenceKind.OPTIONS


class Reference:
    """Read access to the reference store, in the terms projectors need."""

    def __init__(self, store: Mapping[str, Any]) -> None:
        self._store = store

    def rows(self, table: str) -> dict[str, Row]:
        rows: dict[str, Row] = self._store.get(_collection_key(table), {})
        return rows

    @property
    def version(self) -> int:
        return int(self._store.get(VERSION_KEY, 0))

    def websites(self) -> dict[str, Row]:
        return self.rows("store_website")

    def groups(self) -> dict[str, Row]:
        return self.rows("store_group")

    def stores(self) -> dict[str, Row]:
        return self.rows("store")

    def customer_groups(self) -> dict[str, Row]:
        return self.rows("customer_group")

    def attribute(self, attribute_id: int | str) -> Row | None:
        return self.rows("eav_attribute").get(str(attribute_id))

    def attributes(self) -> dict[str, Row]:
        return self.rows("eav_attribute")

    def option(self, option_id: int | str) -> Row | None:
        option: Row | None = self._store.get(f"option:{option_id}")
        return option

    def category(self, category_id: int | str) -> Row | None:
        return self.rows("catalog_category_entity").get(str(category_id))

    def option_label(self, option_id: int | str, store_id: int) -> str | None:
        option = self.option(option_id)
        if option is None:
            return None
        labels: dict[str, str | None] = option.get("labels", {})
        label = labels.get(str(store_id))
        return label if label is not None else labels.get("0")
