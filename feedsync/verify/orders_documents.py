"""The documents of the expected ``orders`` items: invoices, shipments, credit memos (with
their comments and the order's taxes) and payment transactions, each read for every order at
once (docs/feeds.md, orders).

One query per table, ordered by (order or document id, row id), so the lists come out in the
documented order; Python only groups the rows. Amounts and quantities are read as the text
MariaDB prints (``CAST(... AS CHAR)``), the one computed amount (a refund item's
``baseRowTotal``) is computed by MariaDB in DECIMAL, and TIMESTAMPs are formatted in the
session's UTC.
"""

from __future__ import annotations

import base64
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = [
    "ORDER_UUID_NAMESPACE",
    "OrderUuids",
    "TrackingBase",
    "fetch_dicts",
    "load_credit_memos",
    "load_invoices",
    "load_shipments",
    "load_transactions",
]

ORDER_UUID_NAMESPACE = uuid.UUID("1b64e46e-1ae9-41b1-b4c6-6fe31ef5656c")
"""The documented namespace of the orders feed's name-based UUIDs (uuid5 of
``<kind>:<entity_id>``), restated here so that verify does not borrow the stream's code."""

RFC3339 = "'%Y-%m-%dT%H:%i:%sZ'"
Row = dict[str, Any]
ByOrder = dict[int, list[Row]]
TrackingBase = tuple[str | None, str | None]
"""An order's (store view link base URL or None, ``sales_order.protect_code``)."""


class OrderUuids:
    """The UUID records of one installation's sales entities (docs/feeds.md, orders): the
    documented namespace, or, for an installation id, the uuid5 of ``installation:<id>`` in
    it."""

    def __init__(self, installation: str = "") -> None:
        self.namespace = (
            uuid.uuid5(ORDER_UUID_NAMESPACE, f"installation:{installation}")
            if installation
            else ORDER_UUID_NAMESPACE
        )

    def __call__(self, kind: str, entity_id: Any) -> dict[str, str] | None:
        """``{"id": uuid5(namespace, "<kind>:<entity_id>")}``; None for a missing id."""
        if entity_id is None:
            return None
        return {"id": str(uuid.uuid5(self.namespace, f"{kind}:{entity_id}"))}


def fetch_dicts(cursor: Cursor, sql: str) -> list[Row]:
    """Every row of ``sql`` as a dict keyed by the selected column names (or aliases)."""
    cursor.execute(sql)
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _children(cursor: Cursor, sql: str) -> dict[int, list[Row]]:
    """Rows grouped by their ``parent_id`` column (which is dropped), in query order."""
    grouped: dict[int, list[Row]] = {}
    for row in fetch_dicts(cursor, sql):
        grouped.setdefault(row.pop("parent_id"), []).append(row)
    return grouped


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def load_invoices(cursor: Cursor, order_uuid: OrderUuids) -> ByOrder:
    """order id → its invoices, by invoice id."""
    items = _children(
        cursor,
        "SELECT parent_id, order_item_id, CAST(qty AS CHAR) AS qty "
        "FROM sales_invoice_item ORDER BY parent_id, entity_id",
    )
    invoices: ByOrder = {}
    for row in fetch_dicts(
        cursor,
        "SELECT order_id, entity_id, is_used_for_refund, CAST(base_grand_total AS CHAR) AS total, "
        f"DATE_FORMAT(created_at, {RFC3339}) AS created_at, increment_id "
        "FROM sales_invoice ORDER BY order_id, entity_id",
    ):
        invoices.setdefault(row["order_id"], []).append(
            {
                "entityId": row["entity_id"],
                "isUsedForRefund": _flag(row["is_used_for_refund"]),
                "grandTotal": row["total"],
                "createdAt": row["created_at"],
                "commerceInvoiceNumber": row["increment_id"],
                "invoiceItems": [
                    {
                        "orderItemId": order_uuid("order_item", item["order_item_id"]),
                        "qtyInvoiced": item["qty"],
                    }
                    for item in items.get(row["entity_id"], [])
                ],
            }
        )
    return invoices


def _popup_url(base: TrackingBase | None, track_id: int) -> str | None:
    """The exporter's ``TrackingUrl``: ``<link base>shipping/tracking/popup?hash=`` and the
    query-encoded URL-safe base64 (``+/=`` as ``-_,``) of ``track_id:<id>:<protect code>``."""
    if base is None or base[0] is None:
        return None
    link, code = base
    raw = base64.b64encode(f"track_id:{track_id}:{code or ''}".encode()).decode()
    safe = raw.replace("+", "-").replace("/", "_").replace("=", ",")
    return f"{link}shipping/tracking/popup?hash={quote_plus(safe)}"


def load_shipments(
    cursor: Cursor,
    shipping_methods: dict[int, str | None],
    order_uuid: OrderUuids,
    tracking_bases: dict[int, TrackingBase],
) -> ByOrder:
    """order id → its shipments, by shipment id; ``trackingInfo`` is the shipment's track
    with the highest id. ``shipping_methods``: order id → ``sales_order.shipping_method``;
    ``tracking_bases``: order id → what its tracking URLs are built from."""
    items = _children(
        cursor,
        "SELECT parent_id, order_item_id, CAST(qty AS CHAR) AS qty "
        "FROM sales_shipment_item ORDER BY parent_id, entity_id",
    )
    tracks = _children(
        cursor,
        "SELECT parent_id, entity_id, carrier_code, track_number "
        "FROM sales_shipment_track ORDER BY parent_id, entity_id",
    )
    shipments: ByOrder = {}
    for row in fetch_dicts(
        cursor,
        "SELECT order_id, entity_id, increment_id, "
        f"DATE_FORMAT(created_at, {RFC3339}) AS created_at, "
        f"DATE_FORMAT(updated_at, {RFC3339}) AS updated_at "
        "FROM sales_shipment ORDER BY order_id, entity_id",
    ):
        latest = tracks.get(row["entity_id"], [None])[-1]
        tracking = None
        if latest is not None:
            tracking = {
                "shippingCarrier": latest["carrier_code"],
                "shippingMethod": shipping_methods.get(row["order_id"]),
                "trackingNumber": latest["track_number"],
                "trackingUrl": _popup_url(tracking_bases.get(row["order_id"]), latest["entity_id"]),
            }
        shipments.setdefault(row["order_id"], []).append(
            {
                "shipmentId": order_uuid("shipment", row["entity_id"]),
                "createdAt": row["created_at"],
                "updatedAt": row["updated_at"],
                "trackingInfo": tracking,
                "commerceShipmentNumber": row["increment_id"],
                "items": [
                    {
                        "orderItemId": order_uuid("order_item", item["order_item_id"]),
                        "qtyShipped": item["qty"],
                    }
                    for item in items.get(row["entity_id"], [])
                ],
            }
        )
    return shipments


def _order_taxes(cursor: Cursor) -> tuple[dict[int, list[Row]], dict[tuple[int, int], list[Row]]]:
    """The order's tax rates as the exporter's ``salesTaxV2`` and ``salesTaxItemV2`` give
    them: order id → each rate once per kind it taxed (the rate's base amount), and (order
    id, order item id) → the item's shares (their amount). Only shares of the order's own
    items count."""
    own_items = (
        "FROM sales_order_tax t JOIN sales_order_tax_item ti ON ti.tax_id = t.tax_id "
        "LEFT JOIN sales_order_item oi ON oi.item_id = ti.item_id "
        "LEFT JOIN sales_order_item ai ON ai.item_id = ti.associated_item_id "
        "WHERE (ti.item_id IS NULL OR oi.order_id = t.order_id) "
        "AND (ti.associated_item_id IS NULL OR ai.order_id = t.order_id) "
    )
    refund: dict[int, list[Row]] = {}
    for row in fetch_dicts(
        cursor,
        "SELECT DISTINCT t.order_id, t.tax_id, t.title, ti.taxable_item_type AS kind, "
        f"CAST(t.base_amount AS CHAR) AS amount {own_items}"
        "ORDER BY t.order_id, t.tax_id, CAST(ti.taxable_item_type AS BINARY)",
    ):
        refund.setdefault(row["order_id"], []).append(
            {"taxName": row["title"], "taxType": row["kind"], "taxAmount": row["amount"]}
        )
    product: dict[tuple[int, int], list[Row]] = {}
    for row in fetch_dicts(
        cursor,
        "SELECT t.order_id, ti.item_id, t.title, ti.taxable_item_type AS kind, "
        f"CAST(ti.amount AS CHAR) AS amount {own_items}AND ti.item_id IS NOT NULL "
        "ORDER BY t.order_id, t.tax_id, ti.tax_item_id",
    ):
        product.setdefault((row["order_id"], row["item_id"]), []).append(
            {"taxName": row["title"], "taxType": row["kind"], "taxAmount": row["amount"]}
        )
    return refund, product


def load_credit_memos(cursor: Cursor, order_uuid: OrderUuids) -> ByOrder:
    """order id → its credit memos, by credit memo id, with their comments (the non-null
    ones, by id), the order's refund taxes and the refunded items with their taxes."""
    comments = _children(
        cursor,
        "SELECT parent_id, comment FROM sales_creditmemo_comment "
        "WHERE comment IS NOT NULL ORDER BY parent_id, entity_id",
    )
    refund_taxes, product_taxes = _order_taxes(cursor)
    items = _children(
        cursor,
        "SELECT parent_id, order_item_id, CAST(qty AS CHAR) AS qty, "
        "CAST(base_price AS CHAR) AS price, "
        "CAST(ROUND(qty * base_price - COALESCE(base_discount_amount, 0), 4) AS CHAR) "
        "AS row_total "
        "FROM sales_creditmemo_item ORDER BY parent_id, entity_id",
    )
    memos: ByOrder = {}
    for row in fetch_dicts(
        cursor,
        "SELECT order_id, entity_id, state, increment_id, base_currency_code, "
        f"DATE_FORMAT(created_at, {RFC3339}) AS created_at, "
        "CAST(base_shipping_amount AS CHAR) AS shipping, "
        "CAST(base_shipping_tax_amount AS CHAR) AS shipping_tax, "
        "CAST(base_adjustment AS CHAR) AS adjustment, CAST(base_subtotal AS CHAR) AS subtotal, "
        "CAST(base_tax_amount AS CHAR) AS tax, CAST(base_grand_total AS CHAR) AS total "
        "FROM sales_creditmemo ORDER BY order_id, entity_id",
    ):
        memos.setdefault(row["order_id"], []).append(
            {
                "creditMemoId": order_uuid("creditmemo", row["entity_id"]),
                "entityId": row["entity_id"],
                "state": row["state"],
                "createdAt": row["created_at"],
                "creditMemoComments": [c["comment"] for c in comments.get(row["entity_id"], [])],
                "shippingAmount": row["shipping"],
                "shippingTaxAmount": row["shipping_tax"],
                "adjustment": row["adjustment"],
                "currency": row["base_currency_code"],
                "refundTaxes": refund_taxes.get(row["order_id"], []),
                "subtotal": row["subtotal"],
                "productsTaxAmount": row["tax"],
                "grandTotal": row["total"],
                "commerceCreditMemoNumber": row["increment_id"],
                "refundItems": [
                    {
                        "orderItemId": order_uuid("order_item", item["order_item_id"]),
                        "qtyRefunded": item["qty"],
                        "basePrice": item["price"],
                        "baseRowTotal": item["row_total"],
                        "productTaxes": product_taxes.get(
                            (row["order_id"], item["order_item_id"]), []
                        ),
                    }
                    for item in items.get(row["entity_id"], [])
                ],
            }
        )
    return memos


def load_transactions(cursor: Cursor) -> ByOrder:
    """order id → its payment transactions, by transaction id."""
    transactions: ByOrder = {}
    for row in fetch_dicts(
        cursor,
        "SELECT order_id, transaction_id, txn_id, txn_type, "
        f"DATE_FORMAT(created_at, {RFC3339}) AS created_at "
        "FROM sales_payment_transaction ORDER BY order_id, transaction_id",
    ):
        transactions.setdefault(row["order_id"], []).append(
            {
                "entityId": row["transaction_id"],
                "txnId": row["txn_id"],
                "type": row["txn_type"],
                "createdAt": row["created_at"],
            }
        )
    return transactions
