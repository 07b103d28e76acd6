"""Reference data every worker holds: scopes, customer groups, attribute metadata, options,
categories. It lives in a Faust global table; this module keeps the pure logic of how row
changes update it and how projectors read it.

Values are plain JSON (nested dict keys are strings) because the table's changelog is
JSON and a recovered table must look exactly like a live one. A value is replaced, never
mutated in place, so that every change reaches the changelog.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from enum import StrEnum
from typing import Any

from feeds.change import MalformedRow, RowChange

__all__ = [
    "REFERENCE_TABLES",
    "Reference",
    "ReferenceKind",
    "apply_reference",
    "reference_tables",
]

Row = dict[str, Any]
VERSION_KEY = "version"
TIMEZONE_PATH = "general/locale/timezone"


class ReferenceKind(StrEnum):
    SCOPES = "scopes"
    CUSTOMER_GROUPS = "customer_groups"
    ATTRIBUTES = "attributes"
    OPTIONS = "options"
    CATEGORIES = "categories"  # the category tree: a category added, moved or deleted
    CATEGORY_VALUES = "category_values"  # anything else about a category
    STOCKS = "stocks"
    PERMISSIONS = "permissions"


# table -> (kind, the key column(s), the fields kept; () keeps every column)
_COLLECTIONS: dict[str, tuple[ReferenceKind, str | tuple[str, ...], tuple[str, ...]]] = {
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
            "frontend_class",
            "is_user_defined",
            "is_required",
            "is_unique",
        ),
    ),
    "catalog_eav_attribute": (ReferenceKind.ATTRIBUTES, "attribute_id", ()),  # all columns
    "eav_attribute_label": (
        ReferenceKind.ATTRIBUTES,
        "attribute_label_id",
        ("attribute_label_id", "attribute_id", "store_id", "value"),
    ),
    # which link attribute is a grouped product's item position or default quantity
    "catalog_product_link_attribute": (ReferenceKind.ATTRIBUTES, "product_link_attribute_id", ()),
    "catalog_category_entity": (ReferenceKind.CATEGORIES, "entity_id", ()),
    "inventory_source": (ReferenceKind.STOCKS, "source_code", ("source_code", "name", "enabled")),
    "inventory_stock": (ReferenceKind.STOCKS, "stock_id", ("stock_id", "name")),
    "inventory_source_stock_link": (ReferenceKind.STOCKS, "link_id", ()),
    "inventory_stock_sales_channel": (ReferenceKind.STOCKS, ("type", "code"), ()),
    "magento_catalogpermissions": (ReferenceKind.PERMISSIONS, "permission_id", ()),
    "core_config_data": (ReferenceKind.SCOPES, "config_id", ()),
    "tax_class": (ReferenceKind.SCOPES, "class_id", ("class_id", "class_name", "class_type")),
}
_OPTION_TABLES = (
    "eav_attribute_option",
    "eav_attribute_option_value",
    "eav_attribute_option_swatch",
)
CATEGORY_VALUE_TABLES = tuple(
    f"catalog_category_entity_{backend}"
    for backend in ("varchar", "int", "decimal", "text", "datetime")
)
_TABLES_OF_KIND: dict[ReferenceKind, frozenset[str]] = {
    kind: frozenset(table for table, (of_kind, _, _) in _COLLECTIONS.items() if of_kind is kind)
    for kind in ReferenceKind
}
_TABLES_OF_KIND[ReferenceKind.OPTIONS] = frozenset(_OPTION_TABLES)
# A category row's other columns (not its place in the tree) are category values too.
_TABLES_OF_KIND[ReferenceKind.CATEGORY_VALUES] = frozenset(
    {*CATEGORY_VALUE_TABLES, "catalog_category_entity"}
)
REFERENCE_TABLES = frozenset().union(*_TABLES_OF_KIND.values())


def reference_tables(kinds: Iterable[ReferenceKind]) -> frozenset[str]:
    """The source tables whose rows change reference data of these kinds."""
    return frozenset().union(*(_TABLES_OF_KIND[kind] for kind in kinds))


# Columns every builder relies on: NOT NULL in Magento's schema, so a row without one (a
# column renamed by an upgrade, a broken record) is refused here, before it is kept and
# breaks every build that reads it. Primary keys are checked at decode already.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "store_website": ("website_id", "code"),
    "store_group": ("group_id", "website_id", "root_category_id"),
    "store": ("store_id", "code", "website_id", "group_id"),
    "customer_group": ("customer_group_id", "customer_group_code"),
    "eav_attribute": ("attribute_id", "entity_type_id", "attribute_code", "backend_type"),
    "catalog_eav_attribute": ("attribute_id",),
    "eav_attribute_label": ("attribute_id", "store_id"),
    "catalog_category_entity": ("entity_id", "path"),
    "inventory_source": ("source_code",),
    "inventory_stock": ("stock_id",),
    "inventory_source_stock_link": ("stock_id", "source_code"),
    "inventory_stock_sales_channel": ("type", "code", "stock_id"),
    "magento_catalogpermissions": ("category_id",),
    "core_config_data": ("scope", "scope_id", "path"),
    "tax_class": ("class_id", "class_name"),
    "eav_attribute_option": ("option_id", "attribute_id"),
    "eav_attribute_option_value": ("option_id", "store_id"),
    "eav_attribute_option_swatch": ("option_id", "store_id", "type"),
    **{table: ("entity_id", "attribute_id", "store_id") for table in CATEGORY_VALUE_TABLES},
}


def apply_reference(store: MutableMapping[str, Any], change: RowChange) -> ReferenceKind | None:
    """Apply one row change to the reference store; return what kind of data changed.

    Raises ``MalformedRow`` for a row that lacks a column the builders rely on."""
    for image in (change.before, change.after):
        if image is not None:
            _check_required(change.table, image)
    if change.table in _COLLECTIONS:
        kind = _apply_collection(store, change)
    elif change.table in _OPTION_TABLES:
        kind = _apply_option(store, change)
    elif change.table in CATEGORY_VALUE_TABLES:
        kind = _apply_category_value(store, change)
    else:
        return None
    version = change.position.version
    if version > int(store.get(VERSION_KEY, 0)):
        store[VERSION_KEY] = version
    return kind


def _check_required(table: str, row: Row) -> None:
    for column in _REQUIRED.get(table, ()):
        if row.get(column) is None:
            missing = "lacks" if column not in row else "has a null"
            raise MalformedRow(
                f"{table} row {missing} {column!r}, which feedsync needs",
                hint="the table's schema may have changed; check the connector's capture",
            )


def _collection_key(table: str) -> str:
    return f"rows:{table}"


def _apply_collection(store: MutableMapping[str, Any], change: RowChange) -> ReferenceKind:
    kind, key_columns, fields = _COLLECTIONS[change.table]
    collection: dict[str, Row] = dict(store.get(_collection_key(change.table), {}))
    if change.before is not None:
        collection.pop(_row_key(change.before, key_columns), None)
    if change.after is not None:
        row = change.after
        collection[_row_key(row, key_columns)] = {f: row.get(f) for f in fields} if fields else row
    store[_collection_key(change.table)] = collection
    if change.table == "catalog_category_entity":
        return _category_kind(store, change)
    return kind


def _row_key(row: Row, columns: str | tuple[str, ...]) -> str:
    if isinstance(columns, str):
        return str(row[columns])
    return ":".join(str(row[column]) for column in columns)


def _category_kind(store: MutableMapping[str, Any], change: RowChange) -> ReferenceKind:
    """A category's tree position matters to products; its other columns only to categories.

    A deleted category takes its EAV values along (InnoDB cascades them unseen).
    """
    if change.deleted:
        store.pop(_category_values_key(change.row["entity_id"]), None)
        return ReferenceKind.CATEGORIES
    if change.before is None or change.before.get("path") != change.row.get("path"):
        return ReferenceKind.CATEGORIES
    return ReferenceKind.CATEGORY_VALUES


def _category_values_key(category_id: object) -> str:
    return f"category-values:{category_id}"


def _apply_category_value(store: MutableMapping[str, Any], change: RowChange) -> ReferenceKind:
    """Category EAV values, one key per category: ``{"<attribute_id>:<store_id>": value}``."""
    key = _category_values_key(change.row["entity_id"])
    values: dict[str, Any] = dict(store.get(key, {}))
    if change.before is not None:
        values.pop(f"{change.before['attribute_id']}:{change.before['store_id']}", None)
    if change.after is not None:
        values[f"{change.after['attribute_id']}:{change.after['store_id']}"] = change.after.get(
            "value"
        )
    store[key] = values
    return ReferenceKind.CATEGORY_VALUES


def _apply_option(store: MutableMapping[str, Any], change: RowChange) -> ReferenceKind:
    """Options are kept one per key (``option:<id>``) with their labels per store, and their
    swatches per store (``[type, value]``)."""
    if change.table == "eav_attribute_option_swatch":
        _apply_swatch(store, change)
        return ReferenceKind.OPTIONS
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


def _apply_swatch(store: MutableMapping[str, Any], change: RowChange) -> None:
    """A swatch row, dropped from the option it named and added to the one it names (an
    update may move it to another option)."""
    before, after = change.before, change.after
    if before is not None and f"option:{before['option_id']}" in store:
        _set_swatch(store, before, None)
    if after is not None:
        _set_swatch(store, after, [after["type"], after.get("value")])


def _set_swatch(store: MutableMapping[str, Any], row: Row, swatch: list[Any] | None) -> None:
    key = f"option:{row['option_id']}"
    option: Row = dict(store.get(key, {"labels": {}}))
    swatches = dict(option.get("swatches", {}))
    if swatch is None:
        swatches.pop(str(row["store_id"]), None)
    else:
        swatches[str(row["store_id"])] = swatch
    option["swatches"] = swatches
    store[key] = option


def _defaults(scoped: Mapping[tuple[str, str], Any]) -> Iterator[Any]:
    """Values of the default scope under another scope id than 0 (never written by
    Magento, accepted as before)."""
    return (value for (scope, _), value in scoped.items() if scope == "default")


class Reference:
    """Read access to the reference store, in the terms projectors need."""

    def __init__(self, store: Mapping[str, Any], *, installation: str = "") -> None:
        self._store = store
        self._installation = installation
        # core_config_data by path and scope, and the collection it was made from: a change
        # replaces the collection with a new dict (``_apply_collection``), so the index is
        # current while it is that very object (held here, so its id cannot be reused).
        self._config_index: tuple[object, dict[str, dict[tuple[str, str], Any]]] | None = None

    @property
    def installation(self) -> str:
        """The installation id of the settings (``streams.installation_id``), which names
        this Magento in the UUIDs the orders feed derives; empty by default."""
        return self._installation

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

    def config(self, path: str, website_id: int | str | None = None) -> Any:
        """A core_config_data value: the website's own, else the default scope's, else None."""
        scoped = self._config_by_path().get(path, {})
        if (key := ("websites", str(website_id))) in scoped:
            return scoped[key]
        return scoped.get(("default", "0"), next(_defaults(scoped), None))

    def store_config(self, path: str, store_id: int | str, website_id: int | str) -> Any:
        """A core_config_data value for a store view: its own, else its website's, else the
        default scope's, else None."""
        scoped = self._config_by_path().get(path, {})
        if (key := ("stores", str(store_id))) in scoped:
            return scoped[key]
        return self.config(path, website_id)

    def _config_by_path(self) -> dict[str, dict[tuple[str, str], Any]]:
        """path → (scope, scope id) → value, made once per state of core_config_data (a
        real store holds thousands of rows, read for every product built)."""
        rows = self.rows("core_config_data")
        if self._config_index is not None and self._config_index[0] is rows:
            return self._config_index[1]
        index: dict[str, dict[tuple[str, str], Any]] = {}
        for row in rows.values():
            scope_key = (str(row.get("scope")), str(row.get("scope_id")))
            index.setdefault(str(row.get("path")), {})[scope_key] = row.get("value")
        self._config_index = (rows, index)
        return index

    def tax_class_name(self, class_id: Any) -> str | None:
        """The name of a tax class; None when no class has the id."""
        if class_id is None:
            return None
        row = self.rows("tax_class").get(str(class_id))
        return None if row is None else str(row["class_name"])

    def timezone(self, website_id: int | str) -> str:
        """The website's IANA time zone (``general/locale/timezone``), UTC when unset."""
        zone = self.config(TIMEZONE_PATH, website_id)
        return str(zone) if zone else "UTC"

    def categories(self) -> dict[str, Row]:
        return self.rows("catalog_category_entity")

    def category_values(self, category_id: int | str) -> dict[str, Any]:
        """``{"<attribute_id>:<store_id>": value}`` of one category's EAV rows."""
        values: dict[str, Any] = self._store.get(_category_values_key(category_id), {})
        return values

    def option_label(self, option_id: int | str, store_id: int) -> str | None:
        option = self.option(option_id)
        if option is None:
            return None
        labels: dict[str, str | None] = option.get("labels", {})
        label = labels.get(str(store_id))
        return label if label is not None else labels.get("0")
