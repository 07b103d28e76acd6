"""Bundle products' options: the kits a shopper builds from the products a bundle offers.

Magento keeps a bundle's options (``catalog_product_bundle_option``: required, position,
type), their titles per store view (``…_option_value``), the products each option offers
(``…_selection``: quantity, price, default) and a selection's price per website
(``…_selection_price``). Every one of those rows names the bundle (``parent_id`` or
``parent_product_id``), so they are the bundle product's own rows, folded into its state
here (``bundle_options``, ``bundle_titles``, ``bundle_selections``, ``bundle_prices``).

A selection also names the product it offers, and an option's value shows that product's
SKU and name in the store view: a selection row therefore belongs to both products (as a
super link does). The offered product learns its bundles from the selection rows it holds
and forwards them a small summary, ``@composite_child`` (its id, SKU and varchar values by
store: the build picks the name out with the attribute metadata, which a forward has not
got); feeds/product_links.py sends it, with the other peer summaries.

Cascades the binlog does not show: an option's delete takes its titles, selections and
their prices; a selection's delete its prices; an offered product's delete its selections
(its ``@product_gone`` reaches the bundle, which drops them: see ``forget_bundle_peer``).
A bundle's delete drops its whole state.

The products feed's ``optionsV2`` entries are built here as the exporter's
``BundleProductOptions`` (with ``BundleProductOptionsQuery`` and
``BundleProductOptionValuesQuery``) builds them: see ``bundle_options``.
"""

from __future__ import annotations

import base64
from decimal import Decimal, InvalidOperation
from typing import Any

from feeds.change import MalformedRow, RowChange
from feeds.child_rows import fold_keyed, row_id, row_int
from feeds.projector import State, fold_summary

__all__ = [
    "BUNDLE_OWNER_COLUMNS",
    "COMPOSITE_CHILD_SUMMARY",
    "apply_bundle_change",
    "bundle_option_children",
    "bundle_options",
    "bundle_pairs",
    "bundle_parents",
    "composite_child_summary",
    "forget_bundle_peer",
    "is_fixed_price_bundle",
]

OPTION_TABLE = "catalog_product_bundle_option"
TITLE_TABLE = "catalog_product_bundle_option_value"
SELECTION_TABLE = "catalog_product_bundle_selection"
SELECTION_PRICE_TABLE = "catalog_product_bundle_selection_price"
COMPOSITE_CHILD_SUMMARY = "@composite_child"
VARCHAR_TABLE = "catalog_product_entity_varchar"
BUNDLE_TYPE = "bundle"
OPTION_TYPE = "bundle"  # the exporter's BundleItemOptionUid::OPTION_TYPE
DEFAULT_STORE_ID = 0

# table → the columns naming the products a row belongs to (feeds/product_links.py routes
# them with the other link tables).
BUNDLE_OWNER_COLUMNS = {
    OPTION_TABLE: ("parent_id",),
    TITLE_TABLE: ("parent_product_id",),
    SELECTION_TABLE: ("parent_product_id", "product_id"),
    SELECTION_PRICE_TABLE: ("parent_product_id",),
}
_OPTION_COLUMNS = ("option_id", "parent_id", "required", "position", "type")
_SELECTION_COLUMNS = (
    "selection_id",
    "option_id",
    "parent_product_id",
    "product_id",
    "position",
    "is_default",
    "selection_price_type",
    "selection_price_value",
    "selection_qty",
    "selection_can_change_qty",
)
_DECIMAL_COLUMNS = ("selection_price_value", "selection_qty")
_KEY_COLUMNS = {
    OPTION_TABLE: "option_id",
    TITLE_TABLE: "value_id",
    SELECTION_TABLE: "selection_id",
    SELECTION_PRICE_TABLE: "selection_id",
}
_INT_COLUMNS = {
    OPTION_TABLE: ("option_id", "parent_id", "required", "position"),
    TITLE_TABLE: ("value_id", "option_id", "store_id", "parent_product_id"),
    SELECTION_TABLE: tuple(c for c in _SELECTION_COLUMNS if c not in _DECIMAL_COLUMNS),
    SELECTION_PRICE_TABLE: ("selection_id", "website_id", "parent_product_id"),
}


def apply_bundle_change(state: State, change: RowChange) -> State:
    """``state`` (a fresh copy the caller owns) with one bundle row, offered product's
    summary or varchar value folded in; other changes leave it as it is."""
    table, before, after = change.table, change.before, change.after
    if table == VARCHAR_TABLE and after is not None:
        _note_varchar(state, after)
    elif table == COMPOSITE_CHILD_SUMMARY:
        state["composite_children"] = fold_summary(state.get("composite_children"), change, "id")
    elif table in _INT_COLUMNS:
        for row in (before, after):
            if row is not None:
                _check(table, row)
        if table == OPTION_TABLE:
            _fold_option(state, change)
        elif table == TITLE_TABLE:
            state["bundle_titles"] = fold_keyed(
                state.get("bundle_titles") or {}, change, "value_id", _title
            )
        elif table == SELECTION_TABLE:
            state["bundle_selections"] = fold_keyed(
                state.get("bundle_selections") or {}, change, "selection_id", _selection
            )
            if after is None and before is not None:  # its website prices cascade with it
                _drop_prices(state, {row_id(before, "selection_id", table)})
        else:
            prices = dict(state.get("bundle_prices") or {})
            if before is not None:
                prices.pop(_price_key(before), None)
            if after is not None:
                prices[_price_key(after)] = after.get("selection_price_value")
            state["bundle_prices"] = prices
    return state


def _check(table: str, row: dict[str, Any]) -> None:
    """A ``MalformedRow`` naming the column when the row's key is missing or an id or flag
    is not an integer: checked when the row is folded, since at build time it would fail
    every later build."""
    key = _KEY_COLUMNS[table]
    row_id(row, key, table)
    for column in _INT_COLUMNS[table]:
        if column != key:
            row_int(row, column, table)
    if table == SELECTION_TABLE:
        for column in _DECIMAL_COLUMNS:
            value = row.get(column)
            try:
                if value is not None:
                    Decimal(str(value))
            except InvalidOperation:
                raise MalformedRow(f"{table} row's {column} is {value!r}, not a number") from None


def _note_varchar(state: State, row: dict[str, Any]) -> None:
    """Remember which of the product's attributes are varchar ones: a bundle shows an
    offered product's name, and only the build knows which attribute that is."""
    attribute_id = row.get("attribute_id")
    if not isinstance(attribute_id, int) or isinstance(attribute_id, bool):
        return
    known: list[int] = state.get("varchar_ids") or []
    if attribute_id not in known:
        state["varchar_ids"] = sorted({*known, attribute_id})


def _title(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "option_id": int(row["option_id"]),
        "store_id": int(row["store_id"]),
        "title": row.get("title"),
    }


def _selection(row: dict[str, Any]) -> dict[str, Any]:
    return {c: row.get(c) for c in _SELECTION_COLUMNS}


def _fold_option(state: State, change: RowChange) -> None:
    state["bundle_options"] = fold_keyed(
        state.get("bundle_options") or {},
        change,
        "option_id",
        lambda row: {c: row.get(c) for c in _OPTION_COLUMNS},
    )
    if change.after is None and change.before is not None:
        # InnoDB cascades the option's titles, selections and their prices away.
        option_id = int(change.before["option_id"])
        _drop_selections(state, lambda s: int(s["option_id"]) == option_id)
        state["bundle_titles"] = {
            k: t
            for k, t in (state.get("bundle_titles") or {}).items()
            if t["option_id"] != option_id
        }


def _drop_selections(state: State, dropped: Any) -> None:
    """Drop the selections ``dropped`` picks, with their website prices (a cascade)."""
    selections: dict[str, Any] = state.get("bundle_selections") or {}
    gone = {k for k, s in selections.items() if dropped(s)}
    if gone:
        state["bundle_selections"] = {k: s for k, s in selections.items() if k not in gone}
        _drop_prices(state, gone)


def _drop_prices(state: State, selection_ids: set[str]) -> None:
    prices: dict[str, Any] = state.get("bundle_prices") or {}
    state["bundle_prices"] = {
        k: v for k, v in prices.items() if k.split(":")[0] not in selection_ids
    }


def _price_key(row: dict[str, Any]) -> str:
    return f"{row['selection_id']}:{row['website_id']}"


def forget_bundle_peer(state: State, gone: int) -> None:
    """A deleted product's selections (offered by this bundle, or offering this product)
    and its summary: InnoDB cascades the selections away without a binlog event."""
    _drop_selections(state, lambda s: gone in (int(s["product_id"]), int(s["parent_product_id"])))
    children: dict[str, Any] = state.get("composite_children") or {}
    if str(gone) in children:
        state["composite_children"] = {k: v for k, v in children.items() if k != str(gone)}


# ---- the exchange ----------------------------------------------------------------------


def bundle_pairs(state: State) -> list[list[int]]:
    """``[bundle, offered product]`` of every selection the state holds."""
    selections: dict[str, Any] = state.get("bundle_selections") or {}
    return [[int(s["parent_product_id"]), int(s["product_id"])] for s in selections.values()]


def bundle_parents(state: State | None, product_id: int) -> set[int]:
    """The bundles offering this product."""
    pairs = bundle_pairs(state) if state is not None else []
    return {bundle for bundle, child in pairs if child == product_id and bundle != product_id}


def composite_child_summary(
    state: State | None, product_id: int, parents: set[int]
) -> dict[str, Any] | None:
    """What a bundle shows of a product it offers, and a grouped product of an item: its
    SKU, its varchar values by ``attribute:store`` (the name among them) and its SKU's
    stock; None while the product has no such ``parents`` or before its own row arrived."""
    entity = (state or {}).get("entity")
    if state is None or not entity or not parents:
        return None
    varchar = {str(a) for a in state.get("varchar_ids") or []}
    values: dict[str, Any] = state.get("values") or {}
    sku = entity.get("sku")
    return {
        "id": product_id,
        "sku": sku,
        "values": {k: v for k, v in values.items() if k.split(":", 1)[0] in varchar},
        "stock": (state.get("stocks") or {}).get(str(sku)),  # they sell where it does
    }


# ---- the products feed ---------------------------------------------------------------


def is_fixed_price_bundle(state: State, price_type_id: str | None) -> bool:
    """Whether the product is a fixed-price bundle: the exporter's ``Type`` provider sends
    such a product's type as ``bundle_fixed``. Its ``price_type`` is 1 at store 0 (a global
    attribute: Magento writes no other store's row; the parents[] of its children read
    store 0 too)."""
    entity = state.get("entity") or {}
    if entity.get("type_id") != BUNDLE_TYPE or price_type_id is None:
        return False
    value = (state.get("values") or {}).get(f"{price_type_id}:{DEFAULT_STORE_ID}")
    return value is not None and int(value) == 1


def bundle_option_children(state: State) -> list[tuple[bool, list[dict[str, Any]]]]:
    """Per option of the bundle: whether it is required, and the summaries of the products
    its selections offer (those heard of). Empty for other products."""
    entity = state.get("entity") or {}
    if entity.get("type_id") != BUNDLE_TYPE:
        return []
    product_id = int(entity["entity_id"])
    children: dict[str, Any] = state.get("composite_children") or {}
    offered: dict[int, list[dict[str, Any]]] = {}
    for selection in (state.get("bundle_selections") or {}).values():
        child = children.get(str(selection["product_id"]))
        if int(selection["parent_product_id"]) == product_id and child is not None:
            offered.setdefault(int(selection["option_id"]), []).append(child)
    return [
        (bool(option.get("required")), offered.get(int(option["option_id"]), []))
        for option in (state.get("bundle_options") or {}).values()
        if int(option["parent_id"]) == product_id
    ]


def bundle_options(
    state: State, store_id: int, website_id: int, name_attribute_id: str | None
) -> list[dict[str, Any]]:
    """The bundle's ``optionsV2`` entries in one store view (empty for other products).

    As the exporter reads them: every option of the bundle, its label the store view's
    title else store 0's (None without either); its values the selections of products
    that exist, each labelled with the offered product's name in the store view else at
    store 0, priced with the website's selection price else the selection's own (the
    price type is always the selection's own: the exporter's query reads only the value
    from the website's row). Options go by position, then id; values likewise (the
    exporter's queries have no order: the database's).
    """
    entity = state.get("entity") or {}
    if entity.get("type_id") != BUNDLE_TYPE:
        return []
    product_id = int(entity["entity_id"])
    options = [
        o for o in (state.get("bundle_options") or {}).values() if int(o["parent_id"]) == product_id
    ]
    titles = _titles_by_option(state)
    by_option: dict[int, list[dict[str, Any]]] = {}
    for selection in (state.get("bundle_selections") or {}).values():
        if int(selection["parent_product_id"]) == product_id:
            by_option.setdefault(int(selection["option_id"]), []).append(selection)
    children: dict[str, Any] = state.get("composite_children") or {}
    prices: dict[str, Any] = state.get("bundle_prices") or {}
    entries = []
    for option in sorted(options, key=lambda o: (int(o["position"]), int(o["option_id"]))):
        option_id = int(option["option_id"])
        values = []
        for selection in sorted(
            by_option.get(option_id, []),
            key=lambda s: (int(s["position"]), int(s["selection_id"])),
        ):
            child = children.get(str(selection["product_id"]))
            if child is None:
                continue  # not heard of yet, or gone
            website_price = prices.get(f"{selection['selection_id']}:{website_id}")
            values.append(
                _value(selection, child, _name(child, store_id, name_attribute_id), website_price)
            )
        entries.append(
            {
                "id": option_id,
                "label": _scoped(titles.get(option_id, {}), store_id),
                "sortOrder": option.get("position"),
                "required": _flag(option.get("required")),
                "renderType": option.get("type"),
                "type": OPTION_TYPE,
                "swatchType": None,
                "values": values,
            }
        )
    return entries


def _name(child: dict[str, Any], store_id: int, name_attribute_id: str | None) -> Any:
    """The offered product's name in the store view, else at store 0."""
    if name_attribute_id is None:
        return None
    values: dict[str, Any] = child.get("values") or {}
    own = values.get(f"{name_attribute_id}:{store_id}")
    return values.get(f"{name_attribute_id}:{DEFAULT_STORE_ID}") if own is None else own


def _value(
    selection: dict[str, Any], child: dict[str, Any], label: Any, website_price: Any
) -> dict[str, Any]:
    qty = selection.get("selection_qty")
    return {
        "id": _uid(selection["option_id"], selection["selection_id"], qty),
        "label": label,
        "sortOrder": selection.get("position"),
        "isDefault": _flag(selection.get("is_default")),
        "colorHex": None,
        "imageUrl": None,
        "customSwatchValue": None,
        "qtyMutability": _flag(selection.get("selection_can_change_qty")),
        "qty": qty,
        "infoUrl": None,
        "sku": child.get("sku"),
        "price": website_price
        if website_price is not None
        else selection.get("selection_price_value"),
        "priceType": "percent" if selection.get("selection_price_type") else "fixed",
    }


def _uid(option_id: Any, selection_id: Any, qty: Any) -> str:
    """The exporter's value id: base64 of ``bundle/<option>/<selection>/<whole qty>``."""
    whole = int(Decimal(str(qty))) if qty is not None else 0
    return base64.b64encode(f"{OPTION_TYPE}/{option_id}/{selection_id}/{whole}".encode()).decode()


def _titles_by_option(state: State) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for row in (state.get("bundle_titles") or {}).values():
        found.setdefault(row["option_id"], {})[str(row["store_id"])] = row["title"]
    return found


def _scoped(by_store: dict[str, Any], store_id: int) -> Any:
    own = by_store.get(str(store_id))
    return by_store.get(str(DEFAULT_STORE_ID)) if own is None else own


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(int(value))
