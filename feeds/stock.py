"""inventoryStockStatus: one item per stock and SKU (docs/feeds.md, inventoryStockStatus).

MSI keeps stock by SKU, so the ``stock`` entity is keyed by SKU. Its state holds the SKU's
source items (``inventory_source_item``), its reservations (``inventory_reservation``, the
order ledger) and the ``@product`` summaries forwarded by feeds/stock_products.py (product
id and legacy manage-stock / notify settings). Sources, stocks and their links are reference
data, read at build time, so that a source disabled or unlinked rebuilds every SKU.

Rows are kept one per primary key rather than folded into sums: a re-read row (an incremental
snapshot, a redelivered change) must not count twice.

Stocks and sources can be deleted with their links, and a source with its source items, by
``ON DELETE CASCADE`` the binlog never shows; the build therefore only trusts links whose
stock and source still exist, and source items whose source still exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from feeds.change import RowChange
from feeds.feed import Feed
from feeds.product_links import PRODUCT_ENTITY
from feeds.projector import EntityProjector, Forward, Payload, State, summary_forwards
from feeds.reference import Reference, ReferenceKind
from feeds.stock_products import (
    PRODUCT_SUMMARY_TABLE,
    STOCK_ENTITY,
    STOCK_ITEM_PROJECTOR,
    decimal_text,
    position_json,
    position_of,
)
from feeds.values import utc_text_of_ms

__all__ = [
    "INVENTORY_STOCK_STATUS",
    "STOCK_ITEM_PROJECTOR",
    "STOCK_PROJECTOR",
    "STOCK_SUMMARY_TABLE",
    "StockDecision",
    "apply_stock_change",
    "build_stock_statuses",
    "config_number",
    "decide_stocks",
    "decide_summary",
    "stock_forwards",
    "stock_summary",
]

INVENTORY_STOCK_STATUS = Feed(
    name="inventoryStockStatus",
    identity=("stockId", "sku"),
)

SOURCE_ITEM_IN_STOCK = 1  # SourceItemInterface::STATUS_IN_STOCK
# Magento's configuration (Admin > Catalog > Inventory > Product Stock Options), default scope,
# with the defaults of Magento_CatalogInventory's config.xml when no row overrides them.
MANAGE_STOCK_PATH = "cataloginventory/item_options/manage_stock"
NOTIFY_STOCK_QTY_PATH = "cataloginventory/item_options/notify_stock_qty"
BACKORDERS_PATH = "cataloginventory/item_options/backorders"
MIN_QTY_PATH = "cataloginventory/item_options/min_qty"  # the "Out-of-Stock Threshold"
_DEFAULT_MANAGE_STOCK = True
_DEFAULT_NOTIFY_STOCK_QTY = Decimal(1)
_DEFAULT_BACKORDERS = False
_DEFAULT_MIN_QTY = Decimal(0)
_ZERO = Decimal(0)
Row = dict[str, Any]


def _stock_keys(change: RowChange) -> list[str]:
    """The SKU(s) a source item or reservation row belongs to: both SKUs when an update
    renames it (MSI rewrites source items when a product's SKU changes)."""
    if change.table not in ("inventory_source_item", "inventory_reservation"):
        return []
    rows = (row for row in (change.before, change.after) if row is not None)
    return sorted({str(row["sku"]) for row in rows})


def apply_stock_change(state: State | None, change: RowChange) -> State | None:
    """The SKU's state after one change; None when nothing of the SKU is left.

    ``apply`` is not told which key it runs for, so the state remembers its ``sku`` from the
    first change it sees; a row of another SKU (the other half of a renaming update) is
    not this state's business. The SKU's key has state before any update renames one of its
    rows (same table, same primary key: the row's earlier change came first), so a new state
    only ever starts from a row of its own SKU.
    """
    current: State = (
        dict(state)
        if state
        else {"sku": None, "source_items": {}, "reservations": {}, "products": {}}
    )
    if current["sku"] is None:
        current["sku"] = str(change.row["sku"])
    # updatedAt: when the newest change of the SKU was committed at the source.
    current["updated_ms"] = max(int(current.get("updated_ms") or 0), change.ts_ms)
    current["position"] = position_json(change)  # stamped on the forwards to the products
    sku = current["sku"]
    if change.table == "inventory_source_item":
        current["source_items"] = _upsert(
            current["source_items"], change, sku, "source_item_id", _source_item
        )
    elif change.table == "inventory_reservation":
        current["reservations"] = _upsert(
            current["reservations"], change, sku, "reservation_id", _reservation
        )
    elif change.table == PRODUCT_SUMMARY_TABLE:
        current["products"] = _upsert(current["products"], change, sku, "productId", dict)
    if not (current["source_items"] or current["reservations"] or current["products"]):
        return None
    return current


def _upsert(
    rows: dict[str, Row], change: RowChange, sku: str, key_column: str, keep: Callable[[Row], Row]
) -> dict[str, Row]:
    """``rows`` (by primary key) without the change's old row and with its new one, if the
    new one still belongs to ``sku``."""
    updated = dict(rows)
    if change.before is not None:
        updated.pop(str(change.before[key_column]), None)
    if change.after is not None and str(change.after["sku"]) == sku:
        updated[str(change.after[key_column])] = keep(change.after)
    return updated


def _source_item(row: Row) -> Row:
    return {
        "source_code": str(row["source_code"]),
        "quantity": str(row.get("quantity") or 0),
        "status": int(row.get("status") or 0),
    }


def _reservation(row: Row) -> Row:
    return {"stock_id": int(row["stock_id"]), "quantity": str(row.get("quantity") or 0)}


STOCK_SUMMARY_TABLE = "@stock"


def stock_forwards(before: State | None, after: State | None, key: str) -> list[Forward]:
    """The SKU's ``stock_summary`` to each product carrying it, when it changed or the
    product is new to the SKU; a withdrawal (``before`` only, naming the SKU) to each product
    that no longer carries it."""
    source = after if after is not None else before
    if source is None:
        return []
    old, new = stock_summary(before), stock_summary(after)
    old_products = set((before or {}).get("products") or {})
    new_products = set((after or {}).get("products") or {}) if new is not None else set()
    position, ts_ms = position_of(source)
    sku = str(source.get("sku") or key)
    return summary_forwards(
        PRODUCT_ENTITY,
        STOCK_SUMMARY_TABLE,
        (old, new),
        (old_products, new_products),
        {"sku": sku},
        position=position,
        ts_ms=ts_ms,
    )


STOCK_PROJECTOR = EntityProjector(
    entity=STOCK_ENTITY,
    feeds=(INVENTORY_STOCK_STATUS,),
    tables=frozenset({"inventory_source_item", "inventory_reservation"}),
    keys_of=_stock_keys,
    apply=apply_stock_change,
    # Products show whether they are in stock (feeds/products.py): they hear of their SKU's.
    forwards=stock_forwards,
    forwards_to=(PRODUCT_ENTITY,),
    build=lambda state, reference: {
        INVENTORY_STOCK_STATUS.name: build_stock_statuses(state, reference)
    },
    # STOCKS: sources, stocks, links. SCOPES: core_config_data (the manage-stock and
    # notify-quantity defaults) is filed under scopes by the reference store.
    rebuild_on=frozenset({ReferenceKind.STOCKS, ReferenceKind.SCOPES}),
    # a product's SKU's rows, read again with the product (resync --from-source --by-ids)
    rows_of_products=dict.fromkeys(
        ("inventory_source_item", "inventory_reservation"),
        "`sku` IN (SELECT `sku` FROM `{db}`.`catalog_product_entity` WHERE `entity_id` IN ({ids}))",
    ),
)


def build_stock_statuses(state: State, reference: Reference) -> list[Payload]:
    """One item per stock linked to a source holding a source item of the SKU, by stockId.

    qty counts in-stock source items on enabled sources only; an item whose every source
    is disabled or out of stock stays, with qty 0 and not salable, until it is unlinked.
    Salable as MSI's stock index has it: stock not managed, or an in-stock source item and
    a quantity for sale above the out-of-stock threshold (``min_qty``), or backorders allowed
    with a threshold of 0 or more (then an in-stock item at qty 0 still sells).
    """
    sku = state.get("sku")
    if sku is None:
        return []
    product = _product(state)
    decisions = decide_stocks(
        state["source_items"].values(), _reserved_by_stock(state), product, reference
    )
    updated_at = utc_text_of_ms(int(state.get("updated_ms") or 0))
    return [
        {
            "stockId": stock_id,
            "sku": sku,
            "productId": None if product is None else int(product["productId"]),
            "qty": decimal_text(decision.qty),
            "qtyForSale": decimal_text(decision.qty_for_sale),
            "infiniteStock": decision.infinite,
            "lowStock": decision.low,
            "isSalable": decision.salable,
            "updatedAt": updated_at,
            "deleted": False,
        }
        for stock_id, decision in sorted(decisions.items())
    ]


@dataclass(frozen=True, slots=True)
class StockDecision:
    """A SKU in one stock: ``qty`` in stock on enabled sources, ``qty_for_sale`` less the
    reservations, whether it sells (``salable``), has no limit (``infinite``) and is below
    its notify quantity (``low``)."""

    qty: Decimal
    qty_for_sale: Decimal
    salable: bool
    infinite: bool
    low: bool


def decide_stocks(
    source_items: Iterable[Row],
    reserved: Mapping[int, Decimal],
    product: Row | None,
    reference: Reference,
) -> dict[int, StockDecision]:
    """Per stock linked to a source that holds one of ``source_items``: the SKU there
    (``product``: the product summary with its own stock settings, or None)."""
    sources = reference.rows("inventory_source")
    items = [item for item in source_items if item["source_code"] in sources]
    settings = _settings(product, reference)
    decisions: dict[int, StockDecision] = {}
    for stock_id, codes in sorted(_linked_sources(reference).items()):
        assigned = [item for item in items if item["source_code"] in codes]
        if not assigned:
            continue
        in_stock = [
            item
            for item in assigned
            if int(item["status"]) == SOURCE_ITEM_IN_STOCK
            and _enabled(sources[item["source_code"]])
        ]
        qty = sum((Decimal(item["quantity"]) for item in in_stock), _ZERO)
        qty_for_sale = qty + reserved.get(stock_id, _ZERO)
        sells = qty_for_sale > settings.min_qty or (settings.backorders and settings.min_qty >= 0)
        decisions[stock_id] = StockDecision(
            qty=qty,
            qty_for_sale=qty_for_sale,
            salable=settings.infinite or not settings.manage or (bool(in_stock) and sells),
            infinite=settings.infinite,
            low=settings.manage and qty_for_sale < settings.notify_qty,
        )
    return decisions


def stock_summary(state: State | None) -> Row | None:
    """What a product needs to know of its SKU's stock (its ``inStock`` and ``lowStock``,
    feeds/products.py): the source items, the reservations summed per stock, and the
    product summary with its stock settings; None without state."""
    if not state or state.get("sku") is None:
        return None
    return {
        "sku": state["sku"],
        "source_items": sorted(
            state["source_items"].values(),
            key=lambda item: (item["source_code"], item["quantity"], item["status"]),
        ),
        "reserved": {str(k): decimal_text(v) for k, v in sorted(_reserved_by_stock(state).items())},
        "product": _product(state),
    }


def decide_summary(summary: Row | None, reference: Reference) -> dict[int, StockDecision]:
    """``decide_stocks`` of a forwarded ``stock_summary`` (none: no stock anywhere)."""
    if not summary:
        return {}
    reserved = {int(k): Decimal(v) for k, v in (summary.get("reserved") or {}).items()}
    return decide_stocks(summary["source_items"], reserved, summary.get("product"), reference)


def _linked_sources(reference: Reference) -> dict[int, set[str]]:
    """stock id → codes of its linked sources, for links whose stock and source exist."""
    stocks, sources = reference.rows("inventory_stock"), reference.rows("inventory_source")
    linked: dict[int, set[str]] = {}
    for link in reference.rows("inventory_source_stock_link").values():
        code = str(link["source_code"])
        if str(link["stock_id"]) in stocks and code in sources:
            linked.setdefault(int(link["stock_id"]), set()).add(code)
    return linked


def _enabled(source: dict[str, Any]) -> bool:
    return bool(int(source.get("enabled") or 0))


def _reserved_by_stock(state: State) -> dict[int, Decimal]:
    reserved: dict[int, Decimal] = {}
    for reservation in state["reservations"].values():
        stock_id = int(reservation["stock_id"])
        reserved[stock_id] = reserved.get(stock_id, _ZERO) + Decimal(reservation["quantity"])
    return reserved


def _product(state: State) -> dict[str, Any] | None:
    """The product carrying the SKU; the highest id when several do (sku is not unique)."""
    products: dict[str, dict[str, Any]] = state["products"]
    if not products:
        return None
    return products[max(products, key=int)]


@dataclass(frozen=True, slots=True)
class _StockSettings:
    """A SKU's stock settings: the product's own where it sets them, else the configuration's
    (default scope), else Magento_CatalogInventory's config.xml defaults."""

    manage: bool
    notify_qty: Decimal
    backorders: bool
    min_qty: Decimal
    infinite: bool


_SETTING_PATHS = (MANAGE_STOCK_PATH, NOTIFY_STOCK_QTY_PATH, BACKORDERS_PATH, MIN_QTY_PATH)


def _settings(product: dict[str, Any] | None, reference: Reference) -> _StockSettings:
    own = product or {}
    defaults = _default_configs(reference, _SETTING_PATHS)  # one pass over the config rows

    def configured(path: str, default: Any, read: Callable[[Any], Any]) -> Any:
        value = defaults.get(path)
        return default if value is None else read(value)

    def setting(field: str, path: str, default: Any, read: Callable[[Any], Any]) -> Any:
        return read(own[field]) if own.get(field) is not None else configured(path, default, read)

    manage = setting("manageStock", MANAGE_STOCK_PATH, _DEFAULT_MANAGE_STOCK, _flag)
    # The exporter's rule (InventoryDataExporter's InfiniteStock): stock not managed or
    # backorders allowed, by the configuration; a product's own manage-stock flag overrides
    # both; and a product that allows backorders itself with its own threshold at exactly 0
    # has no limit either.
    if own.get("manageStock") is not None:
        infinite = not manage
    else:
        infinite = not manage or configured(BACKORDERS_PATH, _DEFAULT_BACKORDERS, _flag)
    if not infinite and own.get("backorders") is not None and own.get("minQty") is not None:
        infinite = bool(own["backorders"]) and Decimal(own["minQty"]) == 0
    return _StockSettings(
        manage=manage,
        notify_qty=setting(
            "notifyStockQty", NOTIFY_STOCK_QTY_PATH, _DEFAULT_NOTIFY_STOCK_QTY, config_number
        ),
        backorders=setting("backorders", BACKORDERS_PATH, _DEFAULT_BACKORDERS, _flag),
        min_qty=setting("minQty", MIN_QTY_PATH, _DEFAULT_MIN_QTY, config_number),
        infinite=infinite,
    )


def _default_configs(reference: Reference, paths: tuple[str, ...]) -> dict[str, Any]:
    """The default-scope values (scope ``default``, scope_id 0) of those of ``paths`` that
    have one."""
    values: dict[str, Any] = {}
    for row in reference.rows("core_config_data").values():
        path = row.get("path")
        if (
            path in paths
            and path not in values
            and row.get("scope") == "default"
            and int(row.get("scope_id") or 0) == 0
        ):
            values[path] = row.get("value")
    return values


def _flag(value: Any) -> bool:
    """A config flag as Magento's ``isSetFlag`` reads it: empty and "0" are off."""
    return str(value).strip() not in ("", "0")


def config_number(value: Any) -> Decimal:
    """A config number; text that is not one counts as 0, as PHP's float cast has it."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return _ZERO
    return number if number.is_finite() else _ZERO
