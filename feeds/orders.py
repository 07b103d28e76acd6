"""orders: one OrderV2 item per sales order (docs/feeds.md, orders).

Two projectors share the work. ``SALES_DOCUMENT_PROJECTOR`` assembles each invoice,
shipment, credit memo and applied tax rate from its header and child rows
(feeds/orders_documents.py) and forwards it to its order. ``ORDER_PROJECTOR`` keeps, per
order (keyed by ``sales_order.entity_id``), the order row, the rows keyed by the order id
(items, addresses, payment, transactions) and the forwarded documents, and builds the
payload (feeds/orders_payload.py).

Orders are never removed downstream (``ORDERS.removable`` is false, as Adobe's ``entitiesRemovable``
is false for orders): deleting the ``sales_order`` row drops the state and sends nothing.
It also tells the order's documents to drop theirs, because InnoDB's ``ON DELETE CASCADE``
deletes their rows without a binlog event; not its taxes, whose ``sales_order_tax`` rows
have no foreign key to the order and stay (the tax items they lose with the order's items
are left out when a payload is built, feeds/orders_payload_documents.py).
"""

from __future__ import annotations

from typing import Any

from feeds.change import RowChange
from feeds.feed import Feed
from feeds.order_references import CUSTOMER_GONE_TABLE, ORDER_PRODUCT_TABLE
from feeds.orders_documents import (
    DOCUMENT_TABLES,
    HEADER_ID_COLUMNS,
    ORDER_DELETED,
    ORDERS_ENTITY,
    SALES_DOCUMENTS_ENTITY,
    apply_document_change,
    document_forwards,
    document_keys,
    kept,
    position_of,
    stored_position,
)
from feeds.orders_payload import build_order
from feeds.projector import EntityProjector, Forward, State, fold_summary, forwarded
from feeds.reference import ReferenceKind

__all__ = [
    "ORDERS",
    "ORDER_PROJECTOR",
    "SALES_DOCUMENT_PROJECTOR",
    "apply_order_change",
    "order_forwards",
    "order_keys",
]

# table -> (the column naming the order, the part of the state it fills, the row's id column)
_ORDER_TABLES: dict[str, tuple[str, str, str]] = {
    "sales_order": ("entity_id", "order", "entity_id"),
    "sales_order_item": ("order_id", "items", "item_id"),
    "sales_order_address": ("parent_id", "addresses", "entity_id"),
    "sales_order_payment": ("parent_id", "payments", "entity_id"),
    "sales_payment_transaction": ("order_id", "transactions", "transaction_id"),
}
_DOCUMENT_PARTS = {
    "@invoice": "invoices",
    "@shipment": "shipments",
    "@creditmemo": "creditmemos",
    "@tax": "taxes",
}
_COLLECTIONS = ("items", "addresses", "payments", "transactions", *_DOCUMENT_PARTS.values())
# what keeps an order's state while its sales_order row is absent
_HELD = (*_COLLECTIONS, "customers_gone", "products")

# Only what the payload reads is kept: never the payment's card columns (cc_*).
_KEPT_COLUMNS: dict[str, tuple[str, ...]] = {
    "sales_order": (
        "entity_id",
        "increment_id",
        "state",
        "status",
        "created_at",
        "updated_at",
        "store_id",
        "customer_id",
        "customer_email",
        "customer_note",
        "protect_code",
        "is_virtual",
        "base_currency_code",
        "base_subtotal",
        "base_grand_total",
        "base_discount_amount",
        "base_tax_amount",
        "base_total_invoiced",
        "total_qty_ordered",
        "shipping_method",
        "shipping_description",
        "base_shipping_amount",
        "base_shipping_tax_amount",
    ),
    "sales_order_item": (
        "item_id",
        "parent_item_id",
        "product_id",
        "is_virtual",
        "product_type",
        "product_options",
        "sku",
        "name",
        "qty_ordered",
        "qty_invoiced",
        "qty_shipped",
        "qty_refunded",
        "qty_canceled",
        "qty_backordered",
        "base_price",
        "base_row_total",
        "base_discount_amount",
        "base_tax_amount",
        "base_row_total_incl_tax",
        "weight",
        "updated_at",
        "additional_data",
    ),
    "sales_order_address": (
        "entity_id",
        "address_type",
        "firstname",
        "lastname",
        "street",
        "city",
        "region",
        "postcode",
        "country_id",
        "telephone",
    ),
    "sales_order_payment": (
        "entity_id",
        "method",
        "base_amount_authorized",
        "base_amount_paid",
        "base_amount_refunded",
        "base_amount_canceled",
        "base_amount_paid_online",
        "base_amount_refunded_online",
        "additional_information",
    ),
    "sales_payment_transaction": (
        "transaction_id",
        "parent_id",
        "payment_id",
        "txn_id",
        "txn_type",
        "created_at",
    ),
}

ORDERS = Feed(name="orders", identity=("commerceOrderId",), removable=False)


def order_keys(change: RowChange) -> list[str]:
    """The order a row belongs to (an address may belong to none)."""
    claimed = _ORDER_TABLES.get(change.table)
    if claimed is None:
        return []
    order_id = change.row.get(claimed[0])
    return [] if order_id is None else [str(order_id)]


def apply_order_change(state: State | None, change: RowChange) -> State | None:
    """The order's state after one change (a row of its own, a forwarded document, or what
    feeds/order_references.py forwards of its customer and its lines' products)."""
    if change.table in (CUSTOMER_GONE_TABLE, ORDER_PRODUCT_TABLE):
        return _apply_reference(state, change)
    current: State = dict(state) if state else {"order": None}
    if change.table in _DOCUMENT_PARTS:
        id_column = HEADER_ID_COLUMNS.get(change.table[1:], "entity_id")
        _replace(current, _DOCUMENT_PARTS[change.table], id_column, change.before, change.after)
    elif change.table == "sales_order":
        if change.deleted:  # every row it owned cascades away, unseen in the binlog
            return None
        assert change.after is not None
        current["order"] = kept(change.after, _KEPT_COLUMNS["sales_order"])
        # against a customer's delete: a row older than it names a customer MariaDB has
        # nulled since (feeds/order_references.py)
        current["order_version"] = change.position.version
    else:
        _, part, id_column = _ORDER_TABLES[change.table]
        after = change.after and kept(change.after, _KEPT_COLUMNS[change.table])
        _replace(current, part, id_column, change.before, after)
        if change.deleted:
            _cascade(current, change.table, change.row[id_column])
    current["position"] = position_of(change)
    current["ts_ms"] = change.ts_ms
    if current["order"] is None and not any(current.get(part) for part in _HELD):
        return None
    return current


def _apply_reference(state: State | None, change: RowChange) -> State | None:
    """Fold a customer's delete (``customers_gone``: customer id → the delete's version) or
    a product's SKU (``products``, by product id). Either can arrive before the order's own
    row (another worker's route may not have written it yet), so it is kept like a
    document that did; a withdrawal for an order holding nothing is dropped."""
    if state is None and change.after is None:
        return None
    current: State = dict(state) if state else {"order": None}
    if change.table == CUSTOMER_GONE_TABLE:
        assert change.after is not None
        gone = dict(current.get("customers_gone") or {})
        customer, version = str(change.after["customer_id"]), int(change.after["version"])
        gone[customer] = max(version, int(gone.get(customer, 0)))
        current["customers_gone"] = gone
    else:
        current["products"] = fold_summary(current.get("products"), change, "product_id")
    return current


def _replace(
    state: State, part: str, id_column: str, before: dict[str, Any] | None, after: Any
) -> None:
    """Swap one row of a collection: drop its old image, add its new one (copy-on-write)."""
    rows: dict[str, Any] = dict(state.get(part, {}))
    if before is not None:
        rows.pop(str(before[id_column]), None)
    if after is not None:
        rows[str(after[id_column])] = after
    state[part] = rows


def _cascade(state: State, table: str, row_id: Any) -> None:
    """Drop the transactions InnoDB deletes with a payment (``payment_id``) or with a parent
    transaction (``parent_id``, down the whole chain)."""
    transactions: dict[str, Any] = state.get("transactions", {})
    if table == "sales_order_payment":
        doomed = {k for k, row in transactions.items() if str(row.get("payment_id")) == str(row_id)}
    elif table == "sales_payment_transaction":
        doomed = {str(row_id)}
    else:
        return
    while True:
        children = {k for k, row in transactions.items() if str(row.get("parent_id")) in doomed}
        if children <= doomed:
            break
        doomed |= children
    state["transactions"] = {k: v for k, v in transactions.items() if k not in doomed}


def order_forwards(before: State | None, after: State | None, key: str) -> list[Forward]:
    """When the order row is deleted, tell each of its documents to drop its state too."""
    if after is not None or before is None or before.get("order") is None:
        return []
    change = forwarded(
        ORDER_DELETED,
        after=None,
        before={"entity_id": int(key)},
        position=stored_position(before, live=True),
        ts_ms=int(before.get("ts_ms", 0)),
    )
    return [
        Forward(SALES_DOCUMENTS_ENTITY, f"{kind}:{document_id}", change)
        for part, kind in (
            ("invoices", "invoice"),
            ("shipments", "shipment"),
            ("creditmemos", "creditmemo"),
        )
        for document_id in sorted(before.get(part, {}), key=int)
    ]


SALES_DOCUMENT_PROJECTOR = EntityProjector(
    entity=SALES_DOCUMENTS_ENTITY,
    feeds=(),
    tables=frozenset(DOCUMENT_TABLES),
    forwards_to=(ORDERS_ENTITY,),
    keys_of=document_keys,
    deleted_with=frozenset(t for t, (_, _, part) in DOCUMENT_TABLES.items() if part == "header"),
    apply=apply_document_change,
    build=lambda state, reference: {},
    forwards=document_forwards,
)

ORDER_PROJECTOR = EntityProjector(
    entity=ORDERS_ENTITY,
    feeds=(ORDERS,),
    tables=frozenset(_ORDER_TABLES),
    keys_of=order_keys,
    deleted_with=frozenset({"sales_order"}),
    apply=apply_order_change,
    build=lambda state, reference: {ORDERS.name: build_order(state, reference)},
    forwards=order_forwards,
    rebuild_on=frozenset({ReferenceKind.SCOPES}),
)
