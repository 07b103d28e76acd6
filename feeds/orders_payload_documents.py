"""The documents inside an OrderV2 payload: invoices, shipments, credit memos, transactions.

Each document arrives in the order's state already assembled (feeds/orders_documents.py):
its header columns plus its child rows sorted by id. An order item is referred to by its
stable UUID (``orderItemId``), the same one the order's ``items[].itemId`` carries.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from feeds.orders_values import decimal_text, flag, rfc3339, stable_uuid

__all__ = ["credit_memo", "invoice", "shipment", "transaction"]

Row = dict[str, Any]


def _order_item_uuid(order_item_id: Any, namespace: uuid.UUID) -> dict[str, str] | None:
    return None if order_item_id is None else stable_uuid("order_item", order_item_id, namespace)


def invoice(doc: Row, namespace: uuid.UUID) -> dict[str, Any]:
    return {
        "entityId": int(doc["entity_id"]),
        "isUsedForRefund": flag(doc.get("is_used_for_refund")),
        "grandTotal": doc.get("base_grand_total"),
        "createdAt": rfc3339(doc.get("created_at")),
        "commerceInvoiceNumber": doc.get("increment_id"),
        "invoiceItems": [
            {
                "orderItemId": _order_item_uuid(i.get("order_item_id"), namespace),
                "qtyInvoiced": i.get("qty"),
            }
            for i in doc["items"]
        ],
    }


def shipment(doc: Row, order: Row, namespace: uuid.UUID) -> dict[str, Any]:
    """A shipment; ``trackingInfo`` is its latest tracking number (the highest track id),
    null when it has none (Adobe's TrackingInfo is a single record)."""
    tracks: list[Row] = doc.get("tracks", [])
    track = tracks[-1] if tracks else None
    return {
        "shipmentId": stable_uuid("shipment", doc["entity_id"], namespace),
        "createdAt": rfc3339(doc.get("created_at")),
        "updatedAt": rfc3339(doc.get("updated_at")),
        "trackingInfo": None
        if track is None
        else {
            "shippingCarrier": track.get("carrier_code"),
            "shippingMethod": order.get("shipping_method"),
            "trackingNumber": track.get("track_number"),
            "trackingUrl": None,
        },
        "commerceShipmentNumber": doc.get("increment_id"),
        "items": [
            {
                "orderItemId": _order_item_uuid(i.get("order_item_id"), namespace),
                "qtyShipped": i.get("qty"),
            }
            for i in doc["items"]
        ],
    }


def credit_memo(doc: Row, namespace: uuid.UUID) -> dict[str, Any]:
    return {
        "creditMemoId": stable_uuid("creditmemo", doc["entity_id"], namespace),
        "entityId": int(doc["entity_id"]),
        "state": doc.get("state"),
        "createdAt": rfc3339(doc.get("created_at")),
        "creditMemoComments": [],
        "shippingAmount": doc.get("base_shipping_amount"),
        "shippingTaxAmount": doc.get("base_shipping_tax_amount"),
        "adjustment": doc.get("base_adjustment"),
        "currency": doc.get("base_currency_code"),
        "refundTaxes": [],
        "subtotal": doc.get("base_subtotal"),
        "productsTaxAmount": doc.get("base_tax_amount"),
        "grandTotal": doc.get("base_grand_total"),
        "commerceCreditMemoNumber": doc.get("increment_id"),
        "refundItems": [_refund_item(i, namespace) for i in doc["items"]],
    }


def _refund_item(row: Row, namespace: uuid.UUID) -> dict[str, Any]:
    """``baseRowTotal`` = qty * base price - base discount, as Adobe's
    ``CreditMemoBaseRowTotal``."""
    qty, price = row.get("qty"), row.get("base_price")
    row_total = None
    if qty is not None and price is not None:
        discount = Decimal(row.get("base_discount_amount") or 0)
        row_total = decimal_text(Decimal(qty) * Decimal(price) - discount)
    return {
        "orderItemId": _order_item_uuid(row.get("order_item_id"), namespace),
        "qtyRefunded": qty,
        "basePrice": price,
        "baseRowTotal": row_total,
        "productTaxes": [],
    }


def transaction(row: Row) -> dict[str, Any]:
    return {
        "entityId": int(row["transaction_id"]),
        "txnId": row.get("txn_id"),
        "type": row.get("txn_type"),
        "createdAt": rfc3339(row.get("created_at")),
    }
