"""The OrderV2 payload of one order, built from its state (docs/feeds.md, orders).

The state holds the order's own rows (``sales_order`` and the rows keyed by its id) and the
documents forwarded to it (invoices, shipments, credit memos, already assembled). Every list
is sorted by entity id, so the same rows always build the same payload whatever order they
arrived in. Amounts are in the store's base currency (the ``base_*`` columns and
``base_currency_code``), as the exporter sends them: the order's own currency may differ
from one order to the next, the base currency does not.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from feeds.order_references import PARENT_LINE_TYPES
from feeds.orders_payload_documents import credit_memo, invoice, shipment, transaction
from feeds.orders_values import flag, installation_namespace, rfc3339, stable_uuid
from feeds.projector import Payload, State
from feeds.reference import Reference
from feeds.urls import store_urls

__all__ = ["ORDER_STATE_CODES", "build_order"]

ORDER_STATE_CODES = {
    "new": 1,
    "pending_payment": 2,
    "processing": 3,
    "complete": 4,
    "closed": 5,
    "canceled": 6,
    "holded": 7,
    "payment_review": 8,
}
"""Adobe's OrderV2 ``state`` is an integer (SalesOrdersDataExporter ``Provider/State``);
an unknown state is 0."""

SALES_CHANNEL = "magento"
Row = dict[str, Any]


def build_order(state: State, reference: Reference) -> list[Payload]:
    """The order's one payload; empty until its ``sales_order`` row has arrived."""
    order: Row | None = state.get("order")
    if not order:
        return []
    order_id = int(order["entity_id"])
    namespace = installation_namespace(reference.installation)
    payment = _first(state.get("payments", {}))
    scope = _scope_codes(order.get("store_id"), reference)
    link_base = _link_base(order.get("store_id"), reference)
    taxes = _by_id(state.get("taxes", {}))
    order_items = frozenset(state.get("items", {}))
    return [
        {
            "orderId": stable_uuid("order", order_id, namespace),
            "commerceOrderId": order_id,
            "commerceOrderNumber": order.get("increment_id"),
            "externalId": {"id": str(order_id), "salesChannel": SALES_CHANNEL},
            "createdAt": rfc3339(order.get("created_at")),
            "updatedAt": rfc3339(order.get("updated_at")),
            "state": ORDER_STATE_CODES.get(str(order.get("state")), 0),
            "status": order.get("status"),
            "totalInvoiced": order.get("base_total_invoiced"),
            "totalQtyOrdered": order.get("total_qty_ordered"),
            "isVirtual": flag(order.get("is_virtual")),
            "subtotal": order.get("base_subtotal"),
            "grandTotal": order.get("base_grand_total"),
            "discountAmount": order.get("base_discount_amount"),
            "currency": order.get("base_currency_code"),
            "amountCapturedOnline": payment.get("base_amount_paid_online"),
            "amountRefundedOnline": payment.get("base_amount_refunded_online"),
            "amountAuthorized": payment.get("base_amount_authorized"),
            "amountPaid": payment.get("base_amount_paid"),
            "amountRefunded": payment.get("base_amount_refunded"),
            "amountCanceled": payment.get("base_amount_canceled"),
            **scope,
            "storeId": order.get("store_id"),
            "customerId": _customer_id(state),
            "customerEmail": order.get("customer_email"),
            "customerNote": order.get("customer_note"),
            "payment": _payment(order, payment, state.get("addresses", {})),
            "shipping": _shipping(order, state.get("addresses", {})),
            "items": [
                _item(row, namespace, state.get("products") or {})
                for row in _by_id(state.get("items", {}))
            ],
            "invoices": [invoice(doc, namespace) for doc in _by_id(state.get("invoices", {}))],
            "shipments": [
                shipment(doc, order, namespace, link_base)
                for doc in _by_id(state.get("shipments", {}))
            ],
            "creditMemos": [
                credit_memo(doc, namespace, taxes, order_items)
                for doc in _by_id(state.get("creditmemos", {}))
            ],
            "transactions": [transaction(row) for row in _by_id(state.get("transactions", {}))],
            "additionalInformation": _additional_information(payment),
            "deleted": False,
        }
    ]


def _by_id(rows: dict[str, Row]) -> list[Row]:
    return [rows[key] for key in sorted(rows, key=int)]


def _first(rows: dict[str, Row]) -> Row:
    """The row with the lowest id (Magento has one payment per order), or an empty row."""
    ordered = _by_id(rows)
    return ordered[0] if ordered else {}


def _scope_codes(store_id: Any, reference: Reference) -> dict[str, str | None]:
    """Store view, store and website codes; null for a store view deleted since (the order
    keeps its ``store_id`` until MariaDB nulls it)."""
    store = reference.stores().get(str(store_id)) if store_id is not None else None
    group = reference.groups().get(str(store["group_id"])) if store else None
    website = reference.websites().get(str(store["website_id"])) if store else None
    return {
        "storeViewCode": store.get("code") if store else None,
        "storeCode": group.get("code") if group else None,
        "websiteCode": website.get("code") if website else None,
    }


def _link_base(store_id: Any, reference: Reference) -> str | None:
    """The link base URL of the order's store view (as the products feed reads it,
    feeds/urls.py); None when the store view is unknown."""
    store = reference.stores().get(str(store_id)) if store_id is not None else None
    if store is None:
        return None

    def config(path: str) -> Any:
        return reference.store_config(path, store["store_id"], store["website_id"])

    return store_urls(config, str(store["code"])).link


def _address(addresses: dict[str, Row], address_type: str) -> dict[str, Any] | None:
    """The order's address of that type (the lowest id if several), as an Adobe Address."""
    row = next((a for a in _by_id(addresses) if a.get("address_type") == address_type), None)
    if row is None:
        return None
    street = row.get("street")
    return {
        "phone": row.get("telephone"),
        "region": row.get("region"),
        "postcode": row.get("postcode"),
        "street": street,
        "multiLineStreet": str(street).split("\n") if street is not None else [],
        "city": row.get("city"),
        "country": row.get("country_id"),
        "firstname": row.get("firstname"),
        "lastname": row.get("lastname"),
    }


def _payment_info(payment: Row) -> dict[str, Any]:
    """``sales_order_payment.additional_information``, a JSON object (empty if not one)."""
    return _json_object(payment.get("additional_information"))


def _json_object(raw: Any) -> dict[str, Any]:
    try:
        info = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return info if isinstance(info, dict) else {}


def _payment(order: Row, payment: Row, addresses: dict[str, Row]) -> dict[str, Any]:
    title = _payment_info(payment).get("method_title")
    return {
        "billingAddress": _address(addresses, "billing"),
        "paymentMethodName": title if isinstance(title, str) else None,
        "paymentMethodCode": payment.get("method"),
        # The exporter's Payment record takes the order's subtotal as its total.
        "totalAmount": order.get("base_subtotal"),
        "taxAmount": order.get("base_tax_amount"),
        "currency": order.get("base_currency_code"),
    }


def _shipping(order: Row, addresses: dict[str, Row]) -> dict[str, Any]:
    return {
        "shippingAddress": _address(addresses, "shipping"),
        "shippingMethodName": order.get("shipping_description"),
        "shippingMethodCode": order.get("shipping_method"),
        "shippingAmount": order.get("base_shipping_amount"),
        "shippingTax": order.get("base_shipping_tax_amount"),
    }


def _additional_information(payment: Row) -> list[dict[str, str]]:
    """The payment's additional information as name/value pairs."""
    return _name_value_pairs(_payment_info(payment))


def _name_value_pairs(info: dict[str, Any]) -> list[dict[str, str]]:
    """A JSON object's members as name/value pairs, by name; a value that is not a string is
    written as compact JSON (as Adobe's exporter serialises it)."""
    return [
        {
            "name": name,
            "value": value if isinstance(value, str) else json.dumps(value, separators=(",", ":")),
        }
        for name, value in sorted(info.items())
    ]


def _customer_id(state: State) -> Any:
    """``sales_order.customer_id``, or None when the row is older than that customer's
    delete (MariaDB has nulled the column since, below the binlog)."""
    order: Row = state["order"]
    customer = order.get("customer_id")
    if customer is None:
        return None
    gone = (state.get("customers_gone") or {}).get(str(customer))
    if gone is not None and int(state.get("order_version") or 0) < int(gone):
        return None
    return customer


def _product_sku(row: Row, products: dict[str, Row]) -> Any:
    """A configurable or bundle line's product's catalog SKU (the line's own SKU once that
    product is gone); every other line's own SKU."""
    if row.get("product_type") not in PARENT_LINE_TYPES:
        return row.get("sku")
    product = products.get(str(row.get("product_id")))
    return row.get("sku") if product is None else product.get("sku")


def _item(row: Row, namespace: uuid.UUID, products: dict[str, Row]) -> dict[str, Any]:
    product_type = row.get("product_type")
    return {
        "itemId": stable_uuid("order_item", row["item_id"], namespace),
        "entityId": int(row["item_id"]),
        "parentEntityId": row.get("parent_item_id"),
        "isVirtual": flag(row.get("is_virtual")),
        "qtyInvoiced": row.get("qty_invoiced"),
        "qtyShipped": row.get("qty_shipped"),
        "qtyBackordered": row.get("qty_backordered"),
        "qtyOrdered": row.get("qty_ordered"),
        "qtyRefunded": row.get("qty_refunded"),
        "qtyCanceled": row.get("qty_canceled"),
        "productType": product_type,
        "productOptions": row.get("product_options"),
        "itemsShippedTogether": _shipped_together(product_type, row.get("product_options")),
        "sku": row.get("sku"),
        "productSku": _product_sku(row, products),
        "name": row.get("name"),
        "qty": row.get("qty_ordered"),
        "unitPrice": row.get("base_price"),
        "itemPrice": row.get("base_row_total"),
        "discountAmount": row.get("base_discount_amount"),
        "taxAmount": row.get("base_tax_amount"),
        "totalAmount": row.get("base_row_total_incl_tax"),
        "weight": row.get("weight"),
        "updatedAt": rfc3339(row.get("updated_at")),
        # The line's additional_data (a JSON object) as name/value pairs, as the exporter's
        # OrderItemCustomAttribute sends it.
        "additionalInformation": _name_value_pairs(_json_object(row.get("additional_data"))),
    }


def _shipped_together(product_type: Any, product_options: Any) -> bool:
    """A configurable line always ships as one; a bundle when its ``shipment_type`` is 0
    (together), as Adobe's ``OrderItemAdjustment`` decides."""
    if product_type == "configurable":
        return True
    if product_type != "bundle" or not product_options:
        return False
    try:
        options = json.loads(product_options)
    except ValueError:
        return False
    return isinstance(options, dict) and str(options.get("shipment_type")) == "0"
