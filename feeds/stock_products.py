"""The product side of inventoryStockStatus: each product's SKU and legacy stock settings.

MSI keys stock by SKU (``inventory_source_item``, ``inventory_reservation``), but whether a
SKU's stock is managed and when it is low are still legacy per-product settings
(``cataloginventory_stock_item``, keyed by product id). This projector keeps those rows per
product and forwards a small summary of them, as the pseudo-table ``@product``, to the
SKU's ``stock`` entity (feeds/stock.py), so that the stock entity never has to know the
product's id or rows.

A summary is forwarded only when it changed; a renamed SKU takes its summary along (a delete
to the old SKU, an upsert to the new one); a deleted product withdraws it (its stock item
rows cascade away without reaching the binlog, so the product's delete is the only signal).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from feeds.change import RowChange, SourcePosition
from feeds.projector import EntityProjector, Forward, State, forwarded
from feeds.values import decimal_text  # quantity columns are decimal(12,4) / (10,4)

__all__ = [
    "LEGACY_STOCK_ID",
    "PRODUCT_SUMMARY_TABLE",
    "STOCK_ENTITY",
    "STOCK_ITEM_PROJECTOR",
    "apply_stock_product_change",
    "decimal_text",
    "position_json",
    "position_of",
    "product_summary",
    "stock_product_forwards",
]

STOCK_ENTITY = "stock"
PRODUCT_SUMMARY_TABLE = "@product"
LEGACY_STOCK_ID = 1  # cataloginventory's only stock; MSI reads product settings from it


def _product_keys(change: RowChange) -> list[str]:
    if change.table == "catalog_product_entity":
        return [str(change.row["entity_id"])]
    if change.table == "cataloginventory_stock_item":
        rows = (row for row in (change.before, change.after) if row is not None)
        return sorted({str(row["product_id"]) for row in rows})
    return []


def apply_stock_product_change(state: State | None, change: RowChange) -> State | None:
    """The product's state after one of its rows changed; None once the product is gone.

    State: ``sku`` and ``entity_id`` (None until the entity row arrives), ``stock_item``
    (the legacy stock 1 settings, None when absent) and ``position`` (of the newest change,
    stamped on the forwarded summary so that the stock items' version keeps growing).
    """
    current: State = dict(state) if state else {"sku": None, "entity_id": None, "stock_item": None}
    if change.table == "catalog_product_entity":
        if change.deleted:
            return None
        current["sku"] = change.row["sku"]
        current["entity_id"] = int(change.row["entity_id"])
    elif change.table == "cataloginventory_stock_item":
        if change.before is not None and _is_legacy_stock(change.before):
            current["stock_item"] = None
        if change.after is not None and _is_legacy_stock(change.after):
            current["stock_item"] = _settings(change.after)
    current["position"] = position_json(change)
    if current["entity_id"] is None and current["stock_item"] is None:
        return None
    return current


def _is_legacy_stock(row: dict[str, Any]) -> bool:
    return int(row.get("stock_id") or 0) == LEGACY_STOCK_ID


def _settings(row: dict[str, Any]) -> dict[str, Any]:
    return {
        column: row.get(column)
        for column in (
            "manage_stock",
            "use_config_manage_stock",
            "notify_stock_qty",
            "use_config_notify_stock_qty",
            "backorders",
            "use_config_backorders",
            "min_qty",
            "use_config_min_qty",
        )
    }


def product_summary(state: State | None) -> dict[str, Any] | None:
    """What the stock entity needs to know of the product, or None before its SKU is known.

    ``manageStock`` and ``backorders`` (0/1, 0/1/2) and ``notifyStockQty`` and ``minQty``
    (decimal text) are None where the product uses the configuration (``use_config_* = 1``,
    or no legacy stock item at all). A NULL quantity with its config flag off counts as 0,
    as Magento reads it.
    """
    if not state or state.get("entity_id") is None:
        return None
    item = state.get("stock_item") or {}

    def own(column: str) -> bool:
        """Whether the product sets ``column`` itself rather than taking the configuration's
        (a flag missing from an older worker's state counts as "use the configuration")."""
        flag = item.get(f"use_config_{column}")
        return flag is not None and not int(flag)

    manage = (1 if int(item.get("manage_stock") or 0) else 0) if own("manage_stock") else None
    backorders = int(item.get("backorders") or 0) if own("backorders") else None
    notify = _quantity(item.get("notify_stock_qty")) if own("notify_stock_qty") else None
    min_qty = _quantity(item.get("min_qty")) if own("min_qty") else None
    return {
        "productId": int(state["entity_id"]),
        "sku": state["sku"],
        "manageStock": manage,
        "notifyStockQty": notify,
        "backorders": backorders,
        "minQty": min_qty,
    }


def _quantity(value: Any) -> str:
    return decimal_text(Decimal(str(value or 0)))


def stock_product_forwards(before: State | None, after: State | None, key: str) -> list[Forward]:
    """The summary changes the product's SKUs must hear of."""
    old, new = product_summary(before), product_summary(after)
    source = after if after is not None else before
    if old == new or source is None:
        return []
    position, ts_ms = position_of(source)
    forwards = []
    if old is not None and (new is None or new["sku"] != old["sku"]):
        change = forwarded(
            PRODUCT_SUMMARY_TABLE,
            after=None,
            before={"productId": old["productId"], "sku": old["sku"]},
            position=position,
            ts_ms=ts_ms,
        )
        forwards.append(Forward(STOCK_ENTITY, str(old["sku"]), change))
    if new is not None:
        change = forwarded(PRODUCT_SUMMARY_TABLE, after=new, position=position, ts_ms=ts_ms)
        forwards.append(Forward(STOCK_ENTITY, str(new["sku"]), change))
    return forwards


def position_json(change: RowChange) -> dict[str, Any]:
    p = change.position
    return {
        "file": p.file,
        "pos": p.pos,
        "row": p.row,
        "gtid": p.gtid,
        "snapshot": p.snapshot,
        "ts_ms": change.ts_ms,
    }


def position_of(state: State) -> tuple[SourcePosition, int]:
    """The position of the newest change the state saw (a deleted product's forward carries
    its last surviving position: ``forwards`` is not given the delete itself)."""
    p = state.get("position") or {}
    position = SourcePosition(
        file=str(p.get("file", "")),
        pos=int(p.get("pos", 0)),
        row=int(p.get("row", 0)),
        gtid=p.get("gtid"),
        snapshot=p.get("snapshot"),
    )
    return position, int(p.get("ts_ms", 0))


STOCK_ITEM_PROJECTOR = EntityProjector(
    entity="stock_products",
    feeds=(),
    tables=frozenset({"catalog_product_entity", "cataloginventory_stock_item"}),
    forwards_to=("stock",),
    keys_of=_product_keys,
    deleted_with=frozenset({"catalog_product_entity"}),
    apply=apply_stock_product_change,
    build=lambda state, reference: {},
    forwards=stock_product_forwards,
    # keyed by product id: read again with the products (resync --from-source --by-ids)
    rows_of_products={
        "catalog_product_entity": "`entity_id` IN ({ids})",
        "cataloginventory_stock_item": "`product_id` IN ({ids})",
    },
)
