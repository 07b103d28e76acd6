"""What an order refers to outside the sales tables: its customer and its lines' products.

Two joins the orders feed needs cross from the sales tables into others, whose rows are
keyed by their own ids. Each gets an entity per referenced id that remembers the orders
naming it and forwards to them what they must know:

- **customers** (``customer_entity``, and the ``sales_order`` rows naming a customer):
  ``sales_order.customer_id`` refers to ``customer_entity`` with ON DELETE SET NULL, so
  deleting a customer turns its orders into guest orders below the binlog (InnoDB nulls the
  column without a binlog event). The customer's delete forwards ``@customer_gone`` (its id
  and the delete's version) to each order it knows; an order it learns of later, whose row
  is older than the delete, hears it then. The order sends a null ``customerId`` while its
  ``sales_order`` row is older than the delete (a newer row already says NULL, or names a
  customer created again with the same id).
- **order products** (``catalog_product_entity``, and the configurable and bundle lines of
  ``sales_order_item``): the exporter's ``productSku`` of such a line is the catalog SKU of
  the line's ``product_id`` (the parent product), or the line's own SKU once that product no
  longer exists. The product forwards ``@order_product`` (its id and SKU) to each order with
  such a line, again when the SKU changes, and a withdrawal when it is deleted.

The orders a referenced entity knows are kept with the id each row named, and read against
the entity's key when forwarding: a row moved to another customer or product reaches both
(``keys_of``), and only the one it names now keeps it.
"""

from __future__ import annotations

from typing import Any

from feeds.change import RowChange
from feeds.orders_documents import ORDERS_ENTITY
from feeds.projector import EntityProjector, Forward, State, forwarded, summary_forwards
from feeds.stock_products import position_json, position_of

__all__ = [
    "CUSTOMER_GONE_TABLE",
    "ORDER_CUSTOMER_PROJECTOR",
    "ORDER_PRODUCT_PROJECTOR",
    "ORDER_PRODUCT_TABLE",
    "PARENT_LINE_TYPES",
    "apply_customer_change",
    "apply_order_product_change",
    "customer_forwards",
    "customer_keys",
    "order_product_forwards",
    "order_product_keys",
]

CUSTOMER_TABLE = "customer_entity"
CUSTOMER_GONE_TABLE = "@customer_gone"
ORDER_PRODUCT_TABLE = "@order_product"
PRODUCT_TABLE = "catalog_product_entity"
ORDER_TABLE = "sales_order"
ORDER_ITEM_TABLE = "sales_order_item"
PARENT_LINE_TYPES = ("configurable", "bundle")
"""The lines whose ``productSku`` is their product's catalog SKU (the exporter's
``OrderItemProductSku``); every other line sends its own ``sku``."""


def _ids(change: RowChange, column: str) -> list[str]:
    """The ids ``column`` held before and holds after the change (each once)."""
    found = {row.get(column) for row in (change.before, change.after) if row is not None}
    return sorted(str(value) for value in found if value is not None)


# --- customers ----------------------------------------------------------------------------


def customer_keys(change: RowChange) -> list[str]:
    if change.table == CUSTOMER_TABLE:
        return [str(change.row["entity_id"])]
    return _ids(change, "customer_id")


def apply_customer_change(state: State | None, change: RowChange) -> State | None:
    """State: ``orders`` (order id → ``[customer id, row version]`` as its newest row said),
    ``gone`` (the version of the customer's delete, while it has not been created again)
    and ``position`` (of the newest change, stamped on the forwards)."""
    current: State = dict(state) if state else {"orders": {}}
    version = change.position.version
    if change.table == CUSTOMER_TABLE:
        if change.deleted:
            current["gone"] = max(version, int(current.get("gone") or 0))
        elif version > int(current.get("gone") or 0):
            current.pop("gone", None)  # created again with the same id
    else:
        orders = dict(current["orders"])
        order_id = str(change.row["entity_id"])
        customer = None if change.after is None else change.after.get("customer_id")
        if customer is None:
            orders.pop(order_id, None)
        else:
            orders[order_id] = [str(customer), version]
        current["orders"] = orders
    current["position"] = position_json(change)
    return current


def _told(state: State | None, key: str) -> set[str]:
    """The orders that must treat the customer ``key`` as deleted: those naming it in a row
    older than its delete."""
    if state is None or not state.get("gone"):
        return set()
    gone = int(state["gone"])
    return {
        order_id
        for order_id, (customer, version) in state["orders"].items()
        if customer == key and version < gone
    }


def customer_forwards(before: State | None, after: State | None, key: str) -> list[Forward]:
    """``@customer_gone`` to every order newly among those the delete concerns."""
    if after is None:
        return []
    told = _told(after, key) - _told(before, key)
    if not told:
        return []
    position, ts_ms = position_of(after)
    change = forwarded(
        CUSTOMER_GONE_TABLE,
        after={"customer_id": int(key), "version": int(after["gone"])},
        position=position,
        ts_ms=ts_ms,
    )
    return [Forward(ORDERS_ENTITY, order_id, change) for order_id in sorted(told, key=int)]


ORDER_CUSTOMER_PROJECTOR = EntityProjector(
    entity="order_customers",
    feeds=(),
    tables=frozenset({CUSTOMER_TABLE, ORDER_TABLE}),
    keys_of=customer_keys,
    apply=apply_customer_change,
    forwards=customer_forwards,
    forwards_to=(ORDERS_ENTITY,),
    build=lambda state, reference: {},
)


# --- the products of parent lines --------------------------------------------------------


def order_product_keys(change: RowChange) -> list[str]:
    if change.table == PRODUCT_TABLE:
        return [str(change.row["entity_id"])]
    rows = (change.before, change.after)
    if not any(row is not None and row.get("product_type") in PARENT_LINE_TYPES for row in rows):
        return []
    return _ids(change, "product_id")


def apply_order_product_change(state: State | None, change: RowChange) -> State | None:
    """State: ``sku`` (None until the product's row arrives, and once it is deleted),
    ``lines`` (parent line item id → ``[order id, product id]``) and ``position``."""
    current: State = dict(state) if state else {"sku": None, "lines": {}}
    if change.table == PRODUCT_TABLE:
        current["sku"] = None if change.deleted else change.row.get("sku")
    else:
        lines = dict(current["lines"])
        line = change.after
        item_id = str(change.row["item_id"])
        if line is None or line.get("product_type") not in PARENT_LINE_TYPES:
            lines.pop(item_id, None)
        else:
            lines[item_id] = [str(line["order_id"]), str(line.get("product_id"))]
        current["lines"] = lines
    current["position"] = position_json(change)
    if current["sku"] is None and not current["lines"]:
        return None
    return current


def _summary(state: State | None, key: str) -> dict[str, Any] | None:
    sku = None if state is None else state.get("sku")
    return None if sku is None else {"product_id": int(key), "sku": sku}


def _ordering(state: State | None, key: str) -> set[str]:
    if state is None:
        return set()
    return {order_id for order_id, product_id in state["lines"].values() if product_id == key}


def order_product_forwards(before: State | None, after: State | None, key: str) -> list[Forward]:
    """The product's SKU to each order with a parent line of it, when it changed or the
    order is new; a withdrawal to those that no longer have one, or all once it is gone."""
    source = after if after is not None else before
    if source is None:
        return []
    old, new = _summary(before, key), _summary(after, key)
    position, ts_ms = position_of(source)
    return summary_forwards(
        ORDERS_ENTITY,
        ORDER_PRODUCT_TABLE,
        (old, new),
        (_ordering(before, key) if old else set(), _ordering(after, key) if new else set()),
        {"product_id": int(key)},
        position=position,
        ts_ms=ts_ms,
    )


ORDER_PRODUCT_PROJECTOR = EntityProjector(
    entity="order_products",
    feeds=(),
    tables=frozenset({PRODUCT_TABLE, ORDER_ITEM_TABLE}),
    keys_of=order_product_keys,
    apply=apply_order_product_change,
    forwards=order_product_forwards,
    forwards_to=(ORDERS_ENTITY,),
    build=lambda state, reference: {},
)
