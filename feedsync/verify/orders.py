"""The expected ``orders`` items, computed with set-based SQL (docs/feeds.md, orders).

A handful of queries read every order with its store codes, every order item, address and
payment, and every document (feedsync/verify/orders_documents.py); the OrderV2 payloads are
assembled in Python. Nothing here is shared with the stream workers' projection: this is the
independent half of ``feedsync verify``. Orders are never deleted downstream, but verify
compares with what the database holds now, so a deleted order is simply not expected.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from feedsync.verify.orders_documents import (
    RFC3339,
    OrderUuids,
    TrackingBase,
    fetch_dicts,
    load_credit_memos,
    load_invoices,
    load_shipments,
    load_transactions,
)
from feedsync.verify.product_media import read_base_urls
from feedsync.verify.projection import FeedProjection

if TYPE_CHECKING:
    from pymysql.cursors import Cursor

__all__ = ["ORDERS_PROJECTION", "project_orders"]

Row = dict[str, Any]

# Adobe's integer order states, in code order: FIELD() gives 1 for 'new' … 8, and 0 otherwise.
_STATE_CODE = (
    "FIELD(o.state, 'new', 'pending_payment', 'processing', 'complete', 'closed', "
    "'canceled', 'holded', 'payment_review')"
)


def project_orders(cursor: Cursor, installation: str = "") -> list[dict[str, Any]]:
    """Every expected ``orders`` payload (without ``modifiedAt``), in entity_id order."""
    orders = fetch_dicts(
        cursor,
        f"SELECT o.entity_id, o.increment_id, {_STATE_CODE} AS state_code, o.status, "
        f"DATE_FORMAT(o.created_at, {RFC3339}) AS created_at, "
        f"DATE_FORMAT(o.updated_at, {RFC3339}) AS updated_at, "
        # Amounts in the base currency, as the exporter sends them.
        "CAST(o.base_total_invoiced AS CHAR) AS total_invoiced, "
        "CAST(o.total_qty_ordered AS CHAR) AS total_qty_ordered, o.is_virtual, "
        "CAST(o.base_subtotal AS CHAR) AS subtotal, "
        "CAST(o.base_grand_total AS CHAR) AS grand_total, "
        "CAST(o.base_discount_amount AS CHAR) AS discount, o.base_currency_code AS currency, "
        "CAST(o.base_tax_amount AS CHAR) AS tax, o.shipping_method, o.shipping_description, "
        "CAST(o.base_shipping_amount AS CHAR) AS shipping, "
        "CAST(o.base_shipping_tax_amount AS CHAR) AS shipping_tax, "
        "o.store_id, s.code AS view_code, g.code AS store_code, w.code AS website_code, "
        "o.customer_id, o.customer_email, o.customer_note, o.protect_code "
        "FROM sales_order o "
        "LEFT JOIN store s ON s.store_id = o.store_id "
        "LEFT JOIN store_group g ON g.group_id = s.group_id "
        "LEFT JOIN store_website w ON w.website_id = s.website_id "
        "ORDER BY o.entity_id",
    )
    order_uuid = OrderUuids(installation)
    items = _items_by_order(cursor, order_uuid)
    addresses = _addresses_by_order(cursor)
    payments = _payments_by_order(cursor)
    invoices = load_invoices(cursor, order_uuid)
    shipping_methods = {o["entity_id"]: o["shipping_method"] for o in orders}
    # Tracking URLs start with the order's store view's link base URL (none for a store
    # view that no longer exists).
    link_bases = {store_id: urls.link for store_id, urls in read_base_urls(cursor).items()}
    tracking_bases: dict[int, TrackingBase] = {
        o["entity_id"]: (
            link_bases.get(o["store_id"]) if o["view_code"] is not None else None,
            o["protect_code"],
        )
        for o in orders
    }
    shipments = load_shipments(cursor, shipping_methods, order_uuid, tracking_bases)
    memos = load_credit_memos(cursor, order_uuid)
    transactions = load_transactions(cursor)
    payloads = []
    for o in orders:
        order_id = o["entity_id"]
        payment = payments.get(order_id, {})
        info = _json_object(payment.get("additional_information"))
        billing = addresses.get((order_id, "billing"))
        shipping = addresses.get((order_id, "shipping"))
        title = info.get("method_title")
        payloads.append(
            {
                "orderId": order_uuid("order", order_id),
                "commerceOrderId": order_id,
                "commerceOrderNumber": o["increment_id"],
                "externalId": {"id": str(order_id), "salesChannel": "magento"},
                "createdAt": o["created_at"],
                "updatedAt": o["updated_at"],
                "state": o["state_code"],
                "status": o["status"],
                "totalInvoiced": o["total_invoiced"],
                "totalQtyOrdered": o["total_qty_ordered"],
                "isVirtual": None if o["is_virtual"] is None else bool(o["is_virtual"]),
                "subtotal": o["subtotal"],
                "grandTotal": o["grand_total"],
                "discountAmount": o["discount"],
                "currency": o["currency"],
                "amountCapturedOnline": payment.get("paid_online"),
                "amountRefundedOnline": payment.get("refunded_online"),
                "amountAuthorized": payment.get("authorized"),
                "amountPaid": payment.get("paid"),
                "amountRefunded": payment.get("refunded"),
                "amountCanceled": payment.get("canceled"),
                "storeViewCode": o["view_code"],
                "storeCode": o["store_code"],
                "websiteCode": o["website_code"],
                "storeId": o["store_id"],
                "customerId": o["customer_id"],
                "customerEmail": o["customer_email"],
                "customerNote": o["customer_note"],
                "payment": {
                    "billingAddress": billing,
                    "paymentMethodName": title if isinstance(title, str) else None,
                    "paymentMethodCode": payment.get("method"),
                    "totalAmount": o["subtotal"],  # the exporter's Payment: the subtotal
                    "taxAmount": o["tax"],
                    "currency": o["currency"],
                },
                "shipping": {
                    "shippingAddress": shipping,
                    "shippingMethodName": o["shipping_description"],
                    "shippingMethodCode": o["shipping_method"],
                    "shippingAmount": o["shipping"],
                    "shippingTax": o["shipping_tax"],
                },
                "items": items.get(order_id, []),
                "invoices": invoices.get(order_id, []),
                "shipments": shipments.get(order_id, []),
                "creditMemos": memos.get(order_id, []),
                "transactions": transactions.get(order_id, []),
                "additionalInformation": [
                    {"name": name, "value": _text(value)} for name, value in sorted(info.items())
                ],
                "deleted": False,
            }
        )
    return payloads


def _json_object(raw: Any) -> dict[str, Any]:
    """A JSON object column parsed; {} when empty, malformed or not an object."""
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _items_by_order(cursor: Cursor, order_uuid: OrderUuids) -> dict[int, list[Row]]:
    """order id → its items by item id."""
    items: dict[int, list[Row]] = {}
    for row in fetch_dicts(
        cursor,
        "SELECT order_id, item_id, parent_item_id, is_virtual, "
        "CAST(qty_invoiced AS CHAR) AS qty_invoiced, CAST(qty_shipped AS CHAR) AS qty_shipped, "
        "CAST(qty_backordered AS CHAR) AS qty_backordered, "
        "CAST(qty_ordered AS CHAR) AS qty_ordered, CAST(qty_refunded AS CHAR) AS qty_refunded, "
        "CAST(qty_canceled AS CHAR) AS qty_canceled, product_type, product_options, "
        "(product_type = 'configurable' OR (product_type = 'bundle' "
        " AND JSON_VALID(product_options) "
        " AND JSON_VALUE(product_options, '$.shipment_type') = '0')) AS together, "
        "i.sku, CASE WHEN i.product_type IN ('configurable', 'bundle') "
        " THEN COALESCE(p.sku, i.sku) ELSE i.sku END AS product_sku, "
        "name, CAST(base_price AS CHAR) AS price, "
        "CAST(base_row_total AS CHAR) AS row_total, "
        "CAST(base_discount_amount AS CHAR) AS discount, "
        "CAST(base_tax_amount AS CHAR) AS tax, "
        "CAST(base_row_total_incl_tax AS CHAR) AS total, CAST(weight AS CHAR) AS weight, "
        "additional_data, "
        f"DATE_FORMAT(i.updated_at, {RFC3339}) AS updated_at "
        # a parent line's productSku: its product's catalog SKU while that product exists
        "FROM sales_order_item i LEFT JOIN catalog_product_entity p "
        "ON p.entity_id = i.product_id ORDER BY order_id, item_id",
    ):
        items.setdefault(row["order_id"], []).append(
            {
                "itemId": order_uuid("order_item", row["item_id"]),
                "entityId": row["item_id"],
                "parentEntityId": row["parent_item_id"],
                "isVirtual": None if row["is_virtual"] is None else bool(row["is_virtual"]),
                "qtyInvoiced": row["qty_invoiced"],
                "qtyShipped": row["qty_shipped"],
                "qtyBackordered": row["qty_backordered"],
                "qtyOrdered": row["qty_ordered"],
                "qtyRefunded": row["qty_refunded"],
                "qtyCanceled": row["qty_canceled"],
                "productType": row["product_type"],
                "productOptions": row["product_options"],
                "itemsShippedTogether": bool(row["together"]),
                "sku": row["sku"],
                "productSku": row["product_sku"],
                "name": row["name"],
                "qty": row["qty_ordered"],
                "unitPrice": row["price"],
                "itemPrice": row["row_total"],
                "discountAmount": row["discount"],
                "taxAmount": row["tax"],
                "totalAmount": row["total"],
                "weight": row["weight"],
                "updatedAt": row["updated_at"],
                "additionalInformation": [
                    {"name": name, "value": _text(value)}
                    for name, value in sorted(_json_object(row["additional_data"]).items())
                ],
            }
        )
    return items


def _addresses_by_order(cursor: Cursor) -> dict[tuple[int, str], Row]:
    """(order id, address type) → the Address of the lowest-id address of that type."""
    addresses: dict[tuple[int, str], Row] = {}
    for row in fetch_dicts(
        cursor,
        "SELECT parent_id, address_type, telephone, region, postcode, street, city, "
        "country_id, firstname, lastname "
        "FROM sales_order_address WHERE parent_id IS NOT NULL ORDER BY parent_id, entity_id",
    ):
        street = row["street"]
        addresses.setdefault(
            (row["parent_id"], row["address_type"]),
            {
                "phone": row["telephone"],
                "region": row["region"],
                "postcode": row["postcode"],
                "street": street,
                "multiLineStreet": [] if street is None else street.split("\n"),
                "city": row["city"],
                "country": row["country_id"],
                "firstname": row["firstname"],
                "lastname": row["lastname"],
            },
        )
    return addresses


def _payments_by_order(cursor: Cursor) -> dict[int, Row]:
    """order id → its payment (the lowest id; Magento writes one per order)."""
    payments: dict[int, Row] = {}
    for row in fetch_dicts(
        cursor,
        "SELECT parent_id, method, additional_information, "
        "CAST(base_amount_authorized AS CHAR) AS authorized, "
        "CAST(base_amount_paid AS CHAR) AS paid, CAST(base_amount_refunded AS CHAR) AS refunded, "
        "CAST(base_amount_canceled AS CHAR) AS canceled, "
        "CAST(base_amount_paid_online AS CHAR) AS paid_online, "
        "CAST(base_amount_refunded_online AS CHAR) AS refunded_online "
        "FROM sales_order_payment ORDER BY parent_id, entity_id",
    ):
        payments.setdefault(row["parent_id"], row)
    return payments


ORDERS_PROJECTION = FeedProjection.of_installation("orders", project_orders)
"""How ``feedsync verify`` computes the orders feed."""
