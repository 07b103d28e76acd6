"""Product custom options: what a shopper types in or picks when buying a product.

Magento keeps a custom option (``catalog_product_option``: its product, type, SKU, limits)
apart from its title and price per store view (``…_option_title``, ``…_option_price``,
keyed by the option), and a selectable option's values (``…_option_type_value``, keyed by
the option) apart from their titles and prices (``…_option_type_title``,
``…_option_type_price``, keyed by the value alone). Only the option row names the product,
and only the value row names the option, so two small entities carry the rows up:

- a ``custom_option_values`` entity per value (``option_type_id``) folds the value with its
  titles and prices and forwards a summary, as ``@custom_option_value``, to its option;
- a ``custom_options`` entity per option (``option_id``) folds the option, its titles and
  prices and its values' summaries, and forwards its own summary, as ``@custom_option``, to
  its product, whose state keeps them by option id (``custom_options``).

Two hops rather than one entity per option: a value's title or price row carries nothing
but ``option_type_id``, so no re-keying can send it to the option; the value's entity is the
one place that learns which option the value belongs to. A summary is forwarded only when it
changed or its target is new; a value or option that moves (another option, another product)
withdraws itself from the old one. A deleted option withdraws itself from its product, and a
deleted value from its option: InnoDB cascades their titles, prices and values away without
a binlog event, so the delete of the row is the only signal. (The entities of a deleted
option's values keep their few rows, as a gallery entry of a deleted product does: nothing
will change them again, and their option no longer forwards anything.)

Title and price rows are kept by their own primary key with the id they name, and read
only for the entity's own id: a row moved to another option (an update of ``option_id``)
leaves the old option's entity as it reaches the new one.

The products feed's fields are built here as the exporter's ``CustomizableOptions\\
ProductShopperInputOptions`` (types field, area, file, date, time, date_time) and
``ProductOptions\\SelectableOptions`` (drop_down, radio, checkbox, multiple) build them from
``Query\\CustomOptions`` and ``Query\\CustomOptionValues``: see ``custom_option_fields``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from feeds.change import RowChange
from feeds.child_rows import fold_keyed, newest_by_scope, row_id, row_int
from feeds.product_links import PRODUCT_ENTITY
from feeds.projector import EntityProjector, State, fold_summary, owner_forwards
from feeds.stock_products import position_json, position_of

__all__ = [
    "CUSTOM_OPTION_PROJECTOR",
    "CUSTOM_OPTION_SUMMARY_TABLE",
    "CUSTOM_OPTION_VALUE_PROJECTOR",
    "custom_option_fields",
]

OPTION_TABLE = "catalog_product_option"
OPTION_TITLE_TABLE = "catalog_product_option_title"
OPTION_PRICE_TABLE = "catalog_product_option_price"
VALUE_TABLE = "catalog_product_option_type_value"
VALUE_TITLE_TABLE = "catalog_product_option_type_title"
VALUE_PRICE_TABLE = "catalog_product_option_type_price"
OPTION_ENTITY = "custom_options"
VALUE_ENTITY = "custom_option_values"
CUSTOM_OPTION_SUMMARY_TABLE = "@custom_option"
VALUE_SUMMARY_TABLE = "@custom_option_value"
DEFAULT_STORE_ID = 0
# The exporter's di.xml: the option types a shopper fills in, and those a shopper picks from.
SHOPPER_INPUT_TYPES = frozenset({"field", "area", "file", "date", "time", "date_time"})
SELECTABLE_TYPES = frozenset({"drop_down", "radio", "checkbox", "multiple"})
SELECTABLE_OPTION_TYPE = "custom_option"  # SelectableOptions' ProductOption.type
UID_PREFIX = "custom-option"  # the exporter's uids: base64 of "custom-option/<ids…>"
_OPTION_TEXT_COLUMNS = ("type", "sku", "file_extension")
_OPTION_INT_COLUMNS = ("is_require", "max_characters", "image_size_x", "image_size_y", "sort_order")
# What ``resync --from-source --by-ids`` reads again of the products {ids}: their options'
# rows, and their options' values' rows.
_OPTIONS_OF_PRODUCTS = (
    f"`option_id` IN (SELECT `option_id` FROM `{{db}}`.`{OPTION_TABLE}` "
    "WHERE `product_id` IN ({ids}))"
)
_VALUES_OF_PRODUCTS = (
    f"`option_type_id` IN (SELECT v.`option_type_id` FROM `{{db}}`.`{VALUE_TABLE}` v "
    f"JOIN `{{db}}`.`{OPTION_TABLE}` o ON o.`option_id` = v.`option_id` "
    "WHERE o.`product_id` IN ({ids}))"
)
# Per table: the primary key, the id it names (its option or value), what it holds.
_SCOPED_ROWS = {
    OPTION_TITLE_TABLE: ("option_title_id", "option_id", "titles"),
    OPTION_PRICE_TABLE: ("option_price_id", "option_id", "prices"),
    VALUE_TITLE_TABLE: ("option_type_title_id", "option_type_id", "titles"),
    VALUE_PRICE_TABLE: ("option_type_price_id", "option_type_id", "prices"),
}


def _keys(change: RowChange, column: str) -> list[str]:
    rows = (row for row in (change.before, change.after) if row is not None)
    return sorted({row_id(row, column, change.table) for row in rows}, key=int)


def _fold_scoped(state: State, change: RowChange) -> None:
    """Fold a title or price row into ``titles``/``prices`` (primary key → the row's owner,
    store and value), in place."""
    key_column, owner_column, field = _SCOPED_ROWS[change.table]
    table = change.table

    def held(row: dict[str, Any]) -> dict[str, Any]:
        scope = {
            "owner": row_id(row, owner_column, table),
            "store_id": row_id(row, "store_id", table),
        }
        if field == "titles":
            return {**scope, "title": row.get("title")}
        return {**scope, "price": row.get("price"), "price_type": row.get("price_type")}

    state[field] = fold_keyed(state[field], change, key_column, held)


def _by_store(rows: dict[str, dict[str, Any]], owner: str, field: str) -> dict[str, Any]:
    """store id → the title (or ``[price, price_type]``) of the rows naming ``owner``, the
    newer of two for one store (``newest_by_scope``)."""
    if field == "titles":
        return newest_by_scope(rows, owner, "store_id", lambda row: row["title"])
    return newest_by_scope(rows, owner, "store_id", lambda row: [row["price"], row["price_type"]])


# --- the value entity: one value of a selectable option, forwarded to its option ---------


def apply_value_change(state: State | None, change: RowChange) -> State | None:
    """The value's state: ``value`` (its option, SKU and sort order; None until its row
    arrives), ``titles`` and ``prices`` (see ``_fold_scoped``) and ``position``; None once
    nothing of it is left."""
    current: State = dict(state) if state else {"value": None, "titles": {}, "prices": {}}
    if change.table == VALUE_TABLE:
        if change.deleted:
            return None  # its titles and prices cascade away with it
        row = change.row
        current["value"] = {
            "option_type_id": row_id(row, "option_type_id", change.table),
            "option_id": row_id(row, "option_id", change.table),
            "sku": row.get("sku"),
            "sort_order": row_int(row, "sort_order", change.table) or 0,
        }
    else:
        _fold_scoped(current, change)
    current["position"] = position_json(change)
    if current["value"] is None and not current["titles"] and not current["prices"]:
        return None
    return current


def _value_summary(state: State | None, key: str) -> dict[str, Any] | None:
    """What the option needs of the value; None before the value's row arrived."""
    value = None if state is None else state.get("value")
    if state is None or value is None:
        return None
    return {
        **value,
        "titles": _by_store(state["titles"], key, "titles"),
        "prices": _by_store(state["prices"], key, "prices"),
    }


def _value_option(state: State | None) -> set[str]:
    value = None if state is None else state.get("value")
    return set() if value is None else {value["option_id"]}


CUSTOM_OPTION_VALUE_PROJECTOR = EntityProjector(
    entity=VALUE_ENTITY,
    feeds=(),
    tables=frozenset({VALUE_TABLE, VALUE_TITLE_TABLE, VALUE_PRICE_TABLE}),
    keys_of=lambda change: _keys(change, "option_type_id"),
    apply=apply_value_change,
    forwards=owner_forwards(
        OPTION_ENTITY,
        VALUE_SUMMARY_TABLE,
        _value_summary,
        _value_option,
        "option_type_id",
        position_of=position_of,
    ),
    forwards_to=(OPTION_ENTITY,),
    rows_of_products=dict.fromkeys(
        (VALUE_TABLE, VALUE_TITLE_TABLE, VALUE_PRICE_TABLE), _VALUES_OF_PRODUCTS
    ),
    build=lambda state, reference: {},
    deleted_with=frozenset({VALUE_TABLE}),
)


# --- the option entity: one custom option with its values, forwarded to its product ------


def apply_option_change(state: State | None, change: RowChange) -> State | None:
    """The option's state: ``option`` (its product and columns; None until its row
    arrives), ``titles`` and ``prices``, ``values`` (the values' summaries by
    ``option_type_id``) and ``position``; None once nothing of it is left."""
    current: State = (
        dict(state) if state else {"option": None, "titles": {}, "prices": {}, "values": {}}
    )
    if change.table == OPTION_TABLE:
        if change.deleted:
            return None  # its titles, prices and values cascade away with it
        row = change.row
        current["option"] = {
            "option_id": row_id(row, "option_id", change.table),
            "product_id": row_id(row, "product_id", change.table),
            **{column: row.get(column) for column in _OPTION_TEXT_COLUMNS},
            **{column: row_int(row, column, change.table) for column in _OPTION_INT_COLUMNS},
        }
    elif change.table == VALUE_SUMMARY_TABLE:
        current["values"] = fold_summary(current["values"], change, "option_type_id")
    else:
        _fold_scoped(current, change)
    current["position"] = position_json(change)
    if not any(current[part] for part in ("option", "titles", "prices", "values")):
        return None
    return current


def _option_summary(state: State | None, key: str) -> dict[str, Any] | None:
    """What the product needs of the option; None before the option's row arrived."""
    option = None if state is None else state.get("option")
    if state is None or option is None:
        return None
    values = {k: v for k, v in state["values"].items() if v.get("option_id") == key}
    return {
        **option,
        "titles": _by_store(state["titles"], key, "titles"),
        "prices": _by_store(state["prices"], key, "prices"),
        "values": values,
    }


def _option_product(state: State | None) -> set[str]:
    option = None if state is None else state.get("option")
    return set() if option is None else {option["product_id"]}


CUSTOM_OPTION_PROJECTOR = EntityProjector(
    entity=OPTION_ENTITY,
    feeds=(),
    tables=frozenset({OPTION_TABLE, OPTION_TITLE_TABLE, OPTION_PRICE_TABLE}),
    keys_of=lambda change: _keys(change, "option_id"),
    apply=apply_option_change,
    forwards=owner_forwards(
        PRODUCT_ENTITY,
        CUSTOM_OPTION_SUMMARY_TABLE,
        _option_summary,
        _option_product,
        "option_id",
        position_of=position_of,
    ),
    forwards_to=(PRODUCT_ENTITY,),
    rows_of_products={
        OPTION_TABLE: "`product_id` IN ({ids})",
        **dict.fromkeys((OPTION_TITLE_TABLE, OPTION_PRICE_TABLE), _OPTIONS_OF_PRODUCTS),
    },
    build=lambda state, reference: {},
    deleted_with=frozenset({OPTION_TABLE}),
)


# --- the product's fields ------------------------------------------------------------------


def custom_option_fields(state: State, store_id: int) -> dict[str, Any]:
    """``shopperInputOptions`` and the custom options of ``optionsV2`` in one store view.

    As the exporter reads them: an option (and a value) is there only with a title at store
    0 (its queries join the title of the store asked for, and list the store view's options
    among store 0's); its label is the store view's title, else store 0's; its price the
    store view's, else store 0's, each column on its own (the exporter takes a store view's
    price only where the store view has a title too: see docs/feeds.md). Options go by sort
    order, then id; values likewise (the exporter's values query has no order: the
    database's). A percent price goes as its percentage, as upstream: a shopper-input
    option declares no price type; a value does (``priceType``: fixed or percent).
    """
    held: dict[str, Any] = state.get("custom_options") or {}
    shown = _titled(held.values(), "option_id")
    shopper_input, selectable = [], []
    for option in shown:
        kind = option.get("type")
        if kind in SHOPPER_INPUT_TYPES:
            shopper_input.append(_shopper_input_option(option, store_id))
        elif kind in SELECTABLE_TYPES:
            selectable.append(_selectable_option(option, store_id))
    return {"shopperInputOptions": shopper_input, "optionsV2": selectable}


def _titled(rows: Iterable[dict[str, Any]], id_column: str) -> list[dict[str, Any]]:
    """Those with a store-0 title, by sort order then id."""
    found = [row for row in rows if str(DEFAULT_STORE_ID) in row["titles"]]
    return sorted(found, key=lambda row: (int(row.get("sort_order") or 0), int(row[id_column])))


def _scoped(by_store: dict[str, Any], store_id: int) -> Any:
    """The store view's value, else store 0's (None when neither is set)."""
    own = by_store.get(str(store_id))
    return by_store.get(str(DEFAULT_STORE_ID)) if own is None else own


def _price(row: dict[str, Any], store_id: int) -> tuple[Any, Any]:
    """(price, price type) in the store view, else store 0's; (None, None) without either."""
    found = _scoped(row["prices"], store_id)
    return (None, None) if found is None else (found[0], found[1])


def _uid(*ids: str) -> str:
    return base64.b64encode("/".join((UID_PREFIX, *ids)).encode()).decode()


def _shopper_input_option(option: dict[str, Any], store_id: int) -> dict[str, Any]:
    price, _ = _price(option, store_id)
    return {
        "id": _uid(option["option_id"]),
        "label": _scoped(option["titles"], store_id),
        "sortOrder": option.get("sort_order"),
        "required": _flag(option.get("is_require")),
        "renderType": option.get("type"),
        "price": price,
        "fileExtension": option.get("file_extension"),
        "sku": option.get("sku"),
        "range": {"from": None, "to": option.get("max_characters")},
        "imageSizeX": option.get("image_size_x"),
        "imageSizeY": option.get("image_size_y"),
    }


def _selectable_option(option: dict[str, Any], store_id: int) -> dict[str, Any]:
    values = []
    for value in _titled(option["values"].values(), "option_type_id"):
        price, price_type = _price(value, store_id)
        values.append(
            {
                "id": _uid(option["option_id"], value["option_type_id"]),
                "label": _scoped(value["titles"], store_id),
                "sortOrder": value.get("sort_order"),
                "isDefault": False,  # SelectableOptions reads a 'default' no query selects
                "colorHex": None,
                "imageUrl": None,
                "customSwatchValue": None,
                "qtyMutability": None,
                "qty": None,
                "infoUrl": None,
                "sku": value.get("sku"),
                "price": price,
                "priceType": price_type,
            }
        )
    return {
        "id": option["option_id"],
        "label": _scoped(option["titles"], store_id),
        "sortOrder": option.get("sort_order"),
        "required": _flag(option.get("is_require")),
        "renderType": option.get("type"),
        "type": SELECTABLE_OPTION_TYPE,
        "swatchType": None,
        "values": values,
    }


def _flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)
