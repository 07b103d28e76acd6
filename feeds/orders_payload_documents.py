"""The documents inside an OrderV2 payload: invoices, shipments, credit memos, transactions.

Each document arrives in the order's state already assembled (feeds/orders_documents.py):
its header columns plus its child rows sorted by id. An order item is referred to by its
stable UUID (``orderItemId``), the same one the order's ``items[].itemId`` carries.

The order's applied tax rates (``sales_order_tax`` with their ``sales_order_tax_item``
shares) arrive the same way and fill the credit memos' ``refundTaxes`` and the refund
items' ``productTaxes``. A tax item whose order item is gone went with it (InnoDB cascades
``item_id`` and ``associated_item_id``, unseen in the binlog), so only the shares of the
order's current items count.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Collection
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus

from feeds.orders_values import decimal_text, flag, rfc3339, stable_uuid

__all__ = ["credit_memo", "invoice", "live_tax_items", "shipment", "tracking_url", "transaction"]

Row = dict[str, Any]
TRACKING_POPUP_PATH = "shipping/tracking/popup"
# Magento's Framework\Url\Encoder: base64 with "+/=" written as "-_,".
_URL_SAFE = str.maketrans("+/=", "-_,")


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


def tracking_url(link_base: str | None, track_id: Any, protect_code: Any) -> str | None:
    """The storefront's tracking popup of one track, as the exporter's ``TrackingUrl`` builds
    it: the store view's link base URL, ``shipping/tracking/popup``, and ``hash``, the
    URL-safe base64 of ``track_id:<track id>:<order protect_code>`` (a null code written as
    empty), query-encoded; null when the order's store view is unknown."""
    if link_base is None:
        return None
    code = "" if protect_code is None else str(protect_code)
    encoded = base64.b64encode(f"track_id:{track_id}:{code}".encode()).decode().translate(_URL_SAFE)
    return f"{link_base}{TRACKING_POPUP_PATH}?hash={quote_plus(encoded)}"


def shipment(doc: Row, order: Row, namespace: uuid.UUID, link_base: str | None) -> dict[str, Any]:
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
            "trackingUrl": tracking_url(
                link_base, track.get("entity_id"), order.get("protect_code")
            ),
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


def live_tax_items(tax: Row, order_items: Collection[str]) -> list[Row]:
    """The tax's items whose order items (``item_id``, ``associated_item_id``) still exist;
    ``order_items`` are the order's item ids as text."""
    return [
        item
        for item in tax.get("items", [])
        if all(
            item.get(column) is None or str(item[column]) in order_items
            for column in ("item_id", "associated_item_id")
        )
    ]


def _refund_taxes(taxes: list[Row], order_items: Collection[str]) -> list[dict[str, Any]]:
    """Every tax rate of the order, once per kind of item it taxed (the exporter's
    ``salesTaxV2``): its title, the kind, and the rate's whole base amount on the order."""
    return [
        {"taxName": tax.get("title"), "taxType": kind, "taxAmount": tax.get("base_amount")}
        for tax in taxes
        for kind in sorted({str(i["taxable_item_type"]) for i in live_tax_items(tax, order_items)})
    ]


def _product_taxes(
    order_item_id: Any, taxes: list[Row], order_items: Collection[str]
) -> list[dict[str, Any]]:
    """The tax shares of one order item (the exporter's ``salesTaxItemV2``): the rate's
    title, the share's kind and its ``amount``."""
    if order_item_id is None:
        return []
    return [
        {"taxName": tax.get("title"), "taxType": i["taxable_item_type"], "taxAmount": i["amount"]}
        for tax in taxes
        for i in live_tax_items(tax, order_items)
        if i.get("item_id") is not None and str(i["item_id"]) == str(order_item_id)
    ]


def credit_memo(
    doc: Row, namespace: uuid.UUID, taxes: list[Row], order_items: Collection[str]
) -> dict[str, Any]:
    """A credit memo; ``taxes`` are the order's tax rates by id, ``order_items`` its item ids
    (as text)."""
    return {
        "creditMemoId": stable_uuid("creditmemo", doc["entity_id"], namespace),
        "entityId": int(doc["entity_id"]),
        "state": doc.get("state"),
        "createdAt": rfc3339(doc.get("created_at")),
        "creditMemoComments": [
            c["comment"] for c in doc.get("comments", []) if c.get("comment") is not None
        ],
        "shippingAmount": doc.get("base_shipping_amount"),
        "shippingTaxAmount": doc.get("base_shipping_tax_amount"),
        "adjustment": doc.get("base_adjustment"),
        "currency": doc.get("base_currency_code"),
        "refundTaxes": _refund_taxes(taxes, order_items),
        "subtotal": doc.get("base_subtotal"),
        "productsTaxAmount": doc.get("base_tax_amount"),
        "grandTotal": doc.get("base_grand_total"),
        "commerceCreditMemoNumber": doc.get("increment_id"),
        "refundItems": [_refund_item(i, namespace, taxes, order_items) for i in doc["items"]],
    }


def _refund_item(
    row: Row, namespace: uuid.UUID, taxes: list[Row], order_items: Collection[str]
) -> dict[str, Any]:
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
        "productTaxes": _product_taxes(row.get("order_item_id"), taxes, order_items),
    }


def transaction(row: Row) -> dict[str, Any]:
    return {
        "entityId": int(row["transaction_id"]),
        "txnId": row.get("txn_id"),
        "type": row.get("txn_type"),
        "createdAt": rfc3339(row.get("created_at")),
    }
