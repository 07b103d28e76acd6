"""The expected ``inventoryStockStatus`` items, computed with set-based SQL
(docs/feeds.md, inventoryStockStatus).

Four queries: the stock quantities of every (stock, SKU) pair, summed by MariaDB over the
source items of the stock's linked sources; the reservation ledger, summed per (stock, SKU);
every product with its legacy stock-1 settings; and the two configuration defaults. The
items are assembled in Python. Nothing is shared with the stream workers (``feeds/``): this
is the independent half of ``feedsync verify``.

SKUs and source codes are compared byte for byte (``BINARY``), as the stream side compares
Python strings; the columns' case-insensitive collation would otherwise merge ``sku-1`` with
``SKU-1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from feedsync.verify.compare import SOURCE_CHANGE_TIME
from feedsync.verify.projection import FeedProjection

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["STOCK_PROJECTION", "project_stock_statuses"]

_MANAGE_STOCK = "cataloginventory/item_options/manage_stock"
_NOTIFY_STOCK_QTY = "cataloginventory/item_options/notify_stock_qty"
_BACKORDERS = "cataloginventory/item_options/backorders"
_MIN_QTY = "cataloginventory/item_options/min_qty"
_LEGACY_STOCK_ID = 1
_FOUR_PLACES = Decimal("0.0001")

# One row per stock and SKU that has a source item on a source linked to the stock: the
# quantity of its in-stock items on enabled sources, and whether it has any such item.
_QUANTITIES = """
SELECT link.stock_id,
       MIN(item.sku),
       SUM(IF(item.status = 1 AND source.enabled <> 0, item.quantity, 0)),
       MAX(item.status = 1 AND source.enabled <> 0)
FROM inventory_source_item item
JOIN inventory_source source ON BINARY source.source_code = BINARY item.source_code
JOIN inventory_source_stock_link link ON BINARY link.source_code = BINARY item.source_code
JOIN inventory_stock stock ON stock.stock_id = link.stock_id
GROUP BY link.stock_id, BINARY item.sku
"""
_RESERVATIONS = """
SELECT stock_id, MIN(sku), SUM(quantity)
FROM inventory_reservation
GROUP BY stock_id, BINARY sku
"""
_PRODUCTS = """
SELECT product.entity_id, product.sku,
       item.item_id, item.manage_stock, item.use_config_manage_stock,
       item.notify_stock_qty, item.use_config_notify_stock_qty,
       item.backorders, item.use_config_backorders, item.min_qty, item.use_config_min_qty
FROM catalog_product_entity product
LEFT JOIN cataloginventory_stock_item item
  ON item.product_id = product.entity_id AND item.stock_id = %s
ORDER BY product.entity_id
"""
_CONFIG = """
SELECT path, value FROM core_config_data
WHERE BINARY scope = 'default' AND scope_id = 0 AND BINARY path IN (%s, %s, %s, %s)
"""


def project_stock_statuses(cursor: Cursor) -> list[dict[str, Any]]:
    """Every expected ``inventoryStockStatus`` payload (without ``modifiedAt``).

    ``updatedAt`` is when the SKU's newest change was committed, which no table records:
    it is expected as any timestamp (``SOURCE_CHANGE_TIME``)."""
    defaults = _config(cursor)
    products = _products_by_sku(cursor)
    cursor.execute(_RESERVATIONS)
    reserved = {(stock_id, sku): total for stock_id, sku, total in cursor.fetchall()}
    cursor.execute(_QUANTITIES)
    payloads = []
    for stock_id, sku, qty, any_in_stock in cursor.fetchall():
        product = products.get(sku)
        manage, notify = defaults.manage, defaults.notify
        backorders, min_qty = defaults.backorders, defaults.min_qty
        # Infinite by the configuration: stock not managed, or backorders allowed.
        infinite = not defaults.manage or defaults.backorders
        if product is not None and product["item_id"] is not None:
            if not product["use_config_manage_stock"]:
                manage = bool(product["manage_stock"])
                infinite = not manage
            if not product["use_config_notify_stock_qty"]:
                notify = Decimal(product["notify_stock_qty"] or 0)
            if not product["use_config_backorders"]:
                backorders = bool(product["backorders"])
            if not product["use_config_min_qty"]:
                min_qty = Decimal(product["min_qty"] or 0)
            if (
                not infinite
                and not product["use_config_backorders"]
                and not product["use_config_min_qty"]
            ):
                # Backorders of its own with its own threshold at exactly 0: no limit.
                infinite = bool(product["backorders"]) and Decimal(product["min_qty"] or 0) == 0
        qty_for_sale = Decimal(qty) + Decimal(reserved.get((stock_id, sku), 0))
        sells = qty_for_sale > min_qty or (backorders and min_qty >= 0)
        payloads.append(
            {
                "stockId": stock_id,
                "sku": sku,
                "productId": None if product is None else product["entity_id"],
                "qty": _text(Decimal(qty)),
                "qtyForSale": _text(qty_for_sale),
                "infiniteStock": infinite,
                "lowStock": manage and qty_for_sale < notify,
                "isSalable": infinite or not manage or (bool(any_in_stock) and sells),
                "updatedAt": SOURCE_CHANGE_TIME,
                "deleted": False,
            }
        )
    return payloads


def _products_by_sku(cursor: Cursor) -> dict[str, dict[str, Any]]:
    """sku → the product carrying it with its legacy stock-1 settings; of several products
    with one SKU, the highest entity_id (rows come in entity_id order, the last one wins)."""
    cursor.execute(_PRODUCTS, (_LEGACY_STOCK_ID,))
    columns = (
        "entity_id",
        "sku",
        "item_id",
        "manage_stock",
        "use_config_manage_stock",
        "notify_stock_qty",
        "use_config_notify_stock_qty",
        "backorders",
        "use_config_backorders",
        "min_qty",
        "use_config_min_qty",
    )
    return {row[1]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}


@dataclass(frozen=True, slots=True)
class _Defaults:
    manage: bool
    notify: Decimal
    backorders: bool
    min_qty: Decimal


def _config(cursor: Cursor) -> _Defaults:
    """The default-scope stock settings; config.xml's (managed, notify below 1, no
    backorders, threshold 0) where unset. A flag is off when empty or "0"; a quantity that
    is not a number counts as 0."""
    cursor.execute(_CONFIG, (_MANAGE_STOCK, _NOTIFY_STOCK_QTY, _BACKORDERS, _MIN_QTY))
    values = {path: value for path, value in cursor.fetchall() if value is not None}

    def flag(path: str, default: bool) -> bool:
        return str(values[path]).strip() not in ("", "0") if path in values else default

    def quantity(path: str, default: Decimal) -> Decimal:
        if path not in values:
            return default
        try:
            number = Decimal(str(values[path]).strip())
        except InvalidOperation:
            return Decimal(0)
        return number if number.is_finite() else Decimal(0)

    return _Defaults(
        manage=flag(_MANAGE_STOCK, True),
        notify=quantity(_NOTIFY_STOCK_QTY, Decimal(1)),
        backorders=flag(_BACKORDERS, False),
        min_qty=quantity(_MIN_QTY, Decimal(0)),
    )


def _text(value: Decimal) -> str:
    """Four decimals, as the quantity columns print; zero is never signed."""
    rounded = value.quantize(_FOUR_PLACES)
    return format(abs(rounded) if rounded == 0 else rounded, "f")


STOCK_PROJECTION = FeedProjection.of("inventoryStockStatus", project_stock_statuses)
