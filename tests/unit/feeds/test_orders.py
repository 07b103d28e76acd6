"""The orders feed as pure logic: sales rows in any order → document and order state → OrderV2."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import orjson
import pytest

from feeds.change import RowChange
from feeds.item import item_id
from feeds.memory import MemoryPipeline
from feeds.orders import ORDER_PROJECTOR, ORDERS, SALES_DOCUMENT_PROJECTOR
from feeds.orders_values import decimal_text, stable_uuid
from feeds.projector import EntityProjector
from feeds.reference import ReferenceKind
from feedsync.logs import redact
from feedsync.verify.orders_documents import OrderUuids
from tests.unit.rows import change, delete, insert, update

Row = dict[str, Any]


class Pipeline(MemoryPipeline):
    """The orders projectors in memory, strict, with one store view's scopes known."""

    def __init__(
        self,
        installation: str = "",
        projectors: tuple[EntityProjector, ...] = (SALES_DOCUMENT_PROJECTOR, ORDER_PROJECTOR),
    ) -> None:
        super().__init__(projectors, strict=True, installation=installation)
        self.feed(
            insert("store_website", {"website_id": 1, "code": "base"}),
            insert(
                "store_group",
                {"group_id": 1, "website_id": 1, "code": "main_store", "root_category_id": 2},
            ),
            insert("store", {"store_id": 1, "code": "default", "website_id": 1, "group_id": 1}),
        )

    def feed(self, *changes: RowChange) -> Pipeline:  # type: ignore[override]
        super().feed(changes)
        return self

    def order(self, order_id: int = 1) -> Row | None:
        """The order's item as the receiver holds it, checked against its state's build."""
        received = self.items(ORDERS.name).get(item_id([order_id]))
        state = self.states["orders"].get(str(order_id))
        built = ORDER_PROJECTOR.build(state, self.reference)[ORDERS.name] if state else []
        assert len(built) <= 1
        assert received == (built[0] if built else None), "emitted items lag the state"
        return received


def order_row(entity_id: int = 1, **over: Any) -> Row:
    return {
        "entity_id": entity_id,
        "increment_id": f"{entity_id:09d}",
        "state": "processing",
        "status": "processing",
        "store_id": 1,
        "customer_id": 7,
        "customer_email": "ada@example.com",
        "customer_note": None,
        "is_virtual": 0,
        # Placed in CAD at 2 CAD a dollar: the feed sends the base (USD) amounts.
        "order_currency_code": "CAD",
        "base_currency_code": "USD",
        "base_to_order_rate": "2.0000",
        "subtotal": "20.0000",
        "base_subtotal": "10.0000",
        "grand_total": "31.6600",
        "base_grand_total": "15.8300",
        "discount_amount": "0.0000",
        "base_discount_amount": "0.0000",
        "tax_amount": "1.6600",
        "base_tax_amount": "0.8300",
        "total_invoiced": "31.6600",
        "base_total_invoiced": "15.8300",
        "total_qty_ordered": "1.0000",
        "total_online_refunded": "0.0000",
        "shipping_method": "flatrate_flatrate",
        "shipping_description": "Flat Rate - Fixed",
        "shipping_amount": "10.0000",
        "base_shipping_amount": "5.0000",
        "shipping_tax_amount": "0.0000",
        "base_shipping_tax_amount": "0.0000",
        "created_at": "2026-01-01T10:00:00Z",
        "updated_at": "2026-01-02T10:00:00.000Z",
        "remote_ip": "10.0.0.1",
        **over,
    }


def item_row(item_id: int, order_id: int = 1, **over: Any) -> Row:
    return {
        "item_id": item_id,
        "order_id": order_id,
        "parent_item_id": None,
        "is_virtual": 0,
        "product_type": "simple",
        "product_options": '{"info_buyRequest":{"qty":1}}',
        "sku": f"SKU-{item_id}",
        "name": f"Item {item_id}",
        "qty_ordered": "1.0000",
        "qty_invoiced": "1.0000",
        "qty_shipped": "0.0000",
        "qty_refunded": "0.0000",
        "qty_canceled": "0.0000",
        "qty_backordered": "0.0000",
        "price": "20.0000",
        "base_price": "10.0000",
        "row_total": "20.0000",
        "base_row_total": "10.0000",
        "discount_amount": "0.0000",
        "base_discount_amount": "0.0000",
        "tax_amount": "1.6600",
        "base_tax_amount": "0.8300",
        "row_total_incl_tax": "21.6600",
        "base_row_total_incl_tax": "10.8300",
        "weight": "1.5000",
        "updated_at": "2026-01-02T10:00:00Z",
        **over,
    }


def address_row(entity_id: int, kind: str, order_id: int = 1, **over: Any) -> Row:
    return {
        "entity_id": entity_id,
        "parent_id": order_id,
        "address_type": kind,
        "firstname": "Ada",
        "lastname": "Lovelace",
        "street": "1 Main St\nApt 2",
        "city": "Austin",
        "region": "Texas",
        "postcode": "78701",
        "country_id": "US",
        "telephone": "+1-555-0100",
        **over,
    }


PAYMENT = {
    "entity_id": 1,
    "parent_id": 1,
    "method": "braintree",
    "amount_ordered": "31.6600",
    "base_amount_ordered": "15.8300",
    "amount_authorized": "31.6600",
    "base_amount_authorized": "15.8300",
    "amount_paid": "31.6600",
    "base_amount_paid": "15.8300",
    "base_amount_paid_online": "15.8300",
    "amount_refunded": None,
    "base_amount_refunded": None,
    "base_amount_refunded_online": None,
    "amount_canceled": None,
    "base_amount_canceled": None,
    "cc_last_4": "1111",
    "additional_information": '{"method_title":"Credit Card","cc_type":"VI","flags":[1,2]}',
}
INVOICE = {
    "entity_id": 5,
    "order_id": 1,
    "increment_id": "INV-5",
    "is_used_for_refund": 0,
    "grand_total": "31.6600",
    "base_grand_total": "15.8300",
    "created_at": "2026-01-02T10:00:00Z",
}


def invoice_item(entity_id: int, order_item_id: int) -> Row:
    return {"entity_id": entity_id, "parent_id": 5, "order_item_id": order_item_id, "qty": "1.0000"}


def placed_order(*extra: RowChange) -> Pipeline:
    """An order with one item, both addresses and a payment, in arrival order."""
    return Pipeline().feed(
        insert("sales_order", order_row()),
        insert("sales_order_item", item_row(11)),
        insert("sales_order_address", address_row(1, "billing")),
        insert("sales_order_address", address_row(2, "shipping")),
        insert("sales_order_payment", PAYMENT),
        *extra,
    )


def test_items_before_the_order_row_build_nothing_until_it_arrives() -> None:
    pipeline = Pipeline().feed(
        insert("sales_order_item", item_row(12)),
        insert("sales_order_item", item_row(11)),
        insert("sales_order_payment", PAYMENT),
    )
    assert pipeline.order() is None
    payload = pipeline.feed(insert("sales_order", order_row())).order()
    assert payload is not None
    assert [i["entityId"] for i in payload["items"]] == [11, 12]
    assert payload["commerceOrderId"] == 1
    assert payload["orderId"] == stable_uuid("order", 1)
    assert payload["updatedAt"] == "2026-01-02T10:00:00Z"
    assert (payload["storeViewCode"], payload["storeCode"], payload["websiteCode"]) == (
        "default",
        "main_store",
        "base",
    )
    assert payload["payment"]["paymentMethodName"] == "Credit Card"
    assert payload["additionalInformation"] == [
        {"name": "cc_type", "value": "VI"},
        {"name": "flags", "value": "[1,2]"},
        {"name": "method_title", "value": "Credit Card"},
    ]
    assert "cc_last_4" not in str(pipeline.states["orders"]["1"])


def test_invoice_items_before_the_invoice_header() -> None:
    pipeline = placed_order(
        insert("sales_invoice_item", invoice_item(2, 12)),
        insert("sales_invoice_item", invoice_item(1, 11)),
    )
    assert pipeline.order()["invoices"] == []  # type: ignore[index]
    assert not [f for f in pipeline.forwarded if f.entity == "orders"]
    payload = pipeline.feed(insert("sales_invoice", INVOICE)).order()
    assert payload is not None
    (invoice,) = payload["invoices"]
    assert invoice["commerceInvoiceNumber"] == "INV-5"
    assert invoice["isUsedForRefund"] is False
    assert invoice["invoiceItems"] == [
        {"orderItemId": stable_uuid("order_item", 11), "qtyInvoiced": "1.0000"},
        {"orderItemId": stable_uuid("order_item", 12), "qtyInvoiced": "1.0000"},
    ]
    assert invoice["invoiceItems"][0]["orderItemId"] == payload["items"][0]["itemId"]


def test_an_unchanged_document_is_not_forwarded_again() -> None:
    pipeline = placed_order(insert("sales_invoice", INVOICE))
    sent = len(pipeline.forwarded)
    pipeline.feed(update("sales_invoice", INVOICE, email_sent=1))  # a column the feed ignores
    assert len(pipeline.forwarded) == sent


def test_credit_memo_issued_later() -> None:
    pipeline = placed_order(insert("sales_invoice", INVOICE))
    before = pipeline.order()
    assert before is not None
    assert before["creditMemos"] == []
    memo = {
        "entity_id": 3,
        "order_id": 1,
        "increment_id": "CM-3",
        "state": 2,
        "created_at": "2026-01-09T10:00:00Z",
        "shipping_amount": "10.0000",
        "base_shipping_amount": "5.0000",
        "shipping_tax_amount": "0.0000",
        "base_shipping_tax_amount": "0.0000",
        "adjustment": "0.0000",
        "base_adjustment": "0.0000",
        "order_currency_code": "CAD",
        "base_currency_code": "USD",
        "subtotal": "20.0000",
        "base_subtotal": "10.0000",
        "tax_amount": "1.6600",
        "base_tax_amount": "0.8300",
        "grand_total": "31.6600",
        "base_grand_total": "15.8300",
    }
    memo_item = {
        "entity_id": 4,
        "parent_id": 3,
        "order_item_id": 11,
        "qty": "3.0000",
        "price": "0.6666",
        "base_price": "0.3333",
        "discount_amount": "0.0002",
        "base_discount_amount": "0.0001",
    }
    after = pipeline.feed(
        insert("sales_creditmemo_item", memo_item),
        insert("sales_creditmemo", memo),
        update("sales_order", order_row(), state="closed", status="closed"),
    ).order()
    assert after is not None
    (credit_memo,) = after["creditMemos"]
    assert credit_memo["creditMemoId"] == stable_uuid("creditmemo", 3)
    assert credit_memo["commerceCreditMemoNumber"] == "CM-3"
    assert credit_memo["refundItems"] == [
        {
            "orderItemId": stable_uuid("order_item", 11),
            "qtyRefunded": "3.0000",
            "basePrice": "0.3333",
            "baseRowTotal": "0.9998",  # 3 x 0.3333 - 0.0001, in Decimal
            "productTaxes": [],
        }
    ]
    assert (after["state"], after["status"]) == (5, "closed")
    assert after["orderId"] == before["orderId"]
    assert after["invoices"] == before["invoices"]


def test_a_corrected_address_replaces_the_old_one() -> None:
    pipeline = placed_order()
    payload = pipeline.order()
    assert payload is not None
    assert payload["payment"]["billingAddress"]["multiLineStreet"] == ["1 Main St", "Apt 2"]
    corrected = update(
        "sales_order_address", address_row(2, "shipping"), city="Dallas", street="9 Elm St"
    )
    shipping = pipeline.feed(corrected).order()["shipping"]  # type: ignore[index]
    assert shipping["shippingAddress"]["city"] == "Dallas"
    assert shipping["shippingAddress"]["multiLineStreet"] == ["9 Elm St"]
    assert pipeline.order()["payment"]["billingAddress"]["city"] == "Austin"  # type: ignore[index]


def test_a_virtual_order_has_no_shipping_address() -> None:
    payload = (
        Pipeline()
        .feed(
            insert("sales_order_address", address_row(1, "billing")),
            insert("sales_order", order_row(is_virtual=1, shipping_method=None)),
            insert("sales_order_item", item_row(11, is_virtual=1, product_type="virtual")),
        )
        .order()
    )
    assert payload is not None
    assert payload["isVirtual"] is True
    assert payload["shipping"]["shippingAddress"] is None
    assert payload["shipping"]["shippingMethodCode"] is None
    assert payload["payment"]["billingAddress"]["lastname"] == "Lovelace"
    assert payload["items"][0]["isVirtual"] is True


def test_configurable_parent_and_child_lines() -> None:
    parent = item_row(11, product_type="configurable", sku="TEE-RED-M", base_price="20.0000")
    child = item_row(
        12, parent_item_id=11, sku="TEE-RED-M", base_price="0.0000", base_row_total="0.0000"
    )
    payload = Pipeline().feed(
        insert("sales_order_item", child),
        insert("sales_order", order_row()),
        insert("sales_order_item", parent),
    )
    items = payload.order()["items"]  # type: ignore[index]
    assert [(i["entityId"], i["parentEntityId"]) for i in items] == [(11, None), (12, 11)]
    assert [i["itemsShippedTogether"] for i in items] == [True, False]
    # no catalog row of the parent's product known: the line's own SKU
    assert [i["productSku"] for i in items] == ["TEE-RED-M", "TEE-RED-M"]
    assert items[0]["unitPrice"] == "20.0000"


def test_a_bundle_shipped_together_reads_its_shipment_type() -> None:
    together = item_row(11, product_type="bundle", product_options='{"shipment_type":0}')
    apart = item_row(12, product_type="bundle", product_options='{"shipment_type":"1"}')
    broken = item_row(13, product_type="bundle", product_options="a:1:{}")  # PHP-serialized
    items = placed_order(*(insert("sales_order_item", i) for i in (together, apart, broken)))
    flags = [i["itemsShippedTogether"] for i in items.order()["items"]]  # type: ignore[index]
    assert flags == [True, False, False]


def test_amounts_are_the_base_currencys_as_the_exporter_sends_them() -> None:
    assert decimal_text(Decimal("-0.00001")) == "0.0000"
    payload = placed_order(insert("sales_invoice", INVOICE)).order()
    assert payload is not None
    assert (payload["currency"], payload["subtotal"], payload["grandTotal"]) == (
        "USD",
        "10.0000",
        "15.8300",
    )
    assert (payload["totalInvoiced"], payload["amountPaid"]) == ("15.8300", "15.8300")
    assert (payload["amountCapturedOnline"], payload["amountRefundedOnline"]) == ("15.8300", None)
    assert payload["payment"]["totalAmount"] == "10.0000"  # the exporter's: the subtotal
    assert (payload["payment"]["taxAmount"], payload["payment"]["currency"]) == ("0.8300", "USD")
    assert payload["shipping"]["shippingAmount"] == "5.0000"
    (item,) = payload["items"]
    assert (item["unitPrice"], item["itemPrice"], item["taxAmount"]) == (
        "10.0000",
        "10.0000",
        "0.8300",
    )
    assert item["totalAmount"] == "10.8300"  # base_row_total_incl_tax
    assert payload["invoices"][0]["grandTotal"] == "15.8300"


def test_deleting_a_document_header_drops_it_and_its_rows() -> None:
    pipeline = placed_order(
        insert("sales_invoice", INVOICE), insert("sales_invoice_item", invoice_item(1, 11))
    )
    assert len(pipeline.order()["invoices"]) == 1  # type: ignore[index]
    pipeline.feed(delete("sales_invoice", INVOICE))
    assert pipeline.order()["invoices"] == []  # type: ignore[index]
    assert "invoice:5" not in pipeline.states["sales_documents"]
    withdrawal = pipeline.forwarded[-1].change
    assert (withdrawal.table, withdrawal.op, withdrawal.position.snapshot) == (
        "@invoice",
        "d",
        None,
    )


def test_a_document_that_changes_order_leaves_the_old_one() -> None:
    pipeline = placed_order(
        insert("sales_order", order_row(2)), insert("sales_invoice", INVOICE)
    ).feed(update("sales_invoice", INVOICE, order_id=2))
    assert pipeline.order(1)["invoices"] == []  # type: ignore[index]
    assert [i["entityId"] for i in pipeline.order(2)["invoices"]] == [5]  # type: ignore[index]


def test_deleting_the_order_drops_its_state_and_its_documents() -> None:
    shipment = {"entity_id": 8, "order_id": 1, "increment_id": "S-8", "created_at": None}
    pipeline = placed_order(insert("sales_invoice", INVOICE), insert("sales_shipment", shipment))
    assert pipeline.order() is not None
    mark = len(pipeline.emitted)
    pipeline.feed(delete("sales_order", order_row()))
    assert pipeline.states["orders"] == {}
    assert pipeline.states["sales_documents"] == {}
    # Orders are never sent as deleted: the receiver keeps the order it was last sent.
    assert not ORDERS.removable
    assert pipeline.emitted[mark:] == []
    assert list(pipeline.items(ORDERS.name)) == [item_id([1])]


def test_tracking_info_is_the_latest_track() -> None:
    shipment = {"entity_id": 8, "order_id": 1, "increment_id": "S-8", "created_at": None}
    pipeline = placed_order(insert("sales_shipment", shipment))
    assert pipeline.order()["shipments"][0]["trackingInfo"] is None  # type: ignore[index]
    for track_id, number in ((21, "1Z-NEW"), (20, "1Z-OLD")):
        track = {"entity_id": track_id, "parent_id": 8, "order_id": 1, "carrier_code": "ups"}
        pipeline.feed(insert("sales_shipment_track", {**track, "track_number": number}))
    (shipped,) = pipeline.order()["shipments"]  # type: ignore[index]
    assert shipped["shipmentId"] == stable_uuid("shipment", 8)
    assert shipped["trackingInfo"] == {
        "shippingCarrier": "ups",
        "shippingMethod": "flatrate_flatrate",
        "trackingNumber": "1Z-NEW",
        # No base URL configured and no protect code: base64 of "track_id:21:" (see
        # tests/unit/feeds/test_orders_taxes.py for the whole URL).
        "trackingUrl": "shipping/tracking/popup?hash=dHJhY2tfaWQ6MjE6",
    }


def test_transactions_cascade_with_their_payment_and_parent() -> None:
    def txn(transaction_id: int, parent_id: int | None, kind: str, payment_id: int = 2) -> Row:
        return {
            "transaction_id": transaction_id,
            "parent_id": parent_id,
            "order_id": 1,
            "payment_id": payment_id,
            "txn_id": f"t{transaction_id}",
            "txn_type": kind,
            "created_at": "2026-01-02T10:00:00Z",
        }

    auth, capture, refund = txn(1, None, "authorization"), txn(2, 1, "capture"), txn(3, 2, "refund")
    pipeline = placed_order(*(insert("sales_payment_transaction", t) for t in (refund, auth)))
    pipeline.feed(insert("sales_payment_transaction", capture))
    types = [t["type"] for t in pipeline.order()["transactions"]]  # type: ignore[index]
    assert types == ["authorization", "capture", "refund"]
    pipeline.feed(delete("sales_payment_transaction", capture))  # takes the refund along
    assert [t["entityId"] for t in pipeline.order()["transactions"]] == [1]  # type: ignore[index]
    # Payment 1 takes its own transaction 4 along, not transaction 1 (of payment 2).
    pipeline.feed(insert("sales_payment_transaction", txn(4, None, "authorization", payment_id=1)))
    pipeline.feed(delete("sales_order_payment", PAYMENT))
    assert [t["entityId"] for t in pipeline.order()["transactions"]] == [1]  # type: ignore[index]
    pipeline.feed(delete("sales_order_payment", {**PAYMENT, "entity_id": 2}))
    assert pipeline.order()["transactions"] == []  # type: ignore[index]


def test_forwarded_documents_carry_the_source_position() -> None:
    pipeline = placed_order()
    header = change("sales_invoice", "r", after=INVOICE, snapshot="true")
    pipeline.feed(header)
    sent = pipeline.forwarded[-1]
    assert (sent.entity, sent.key, sent.change.table) == ("orders", "1", "@invoice")
    assert sent.change.position == header.position


@pytest.mark.parametrize(("kind", "entity_id"), [("order", 1), ("order_item", 11)])
def test_uuids_are_stable_name_based_uuids(kind: str, entity_id: int) -> None:
    namespace = uuid.UUID("1b64e46e-1ae9-41b1-b4c6-6fe31ef5656c")
    expected = {"id": str(uuid.uuid5(namespace, f"{kind}:{entity_id}"))}
    assert stable_uuid(kind, entity_id) == expected == stable_uuid(kind, str(entity_id))


def test_store_codes_follow_the_reference_and_rebuild_with_it() -> None:
    pipeline = placed_order()
    pipeline.feed(
        update(
            "store", {"store_id": 1, "code": "default", "website_id": 1, "group_id": 1}, code="us"
        )
    )
    assert pipeline.order()["storeViewCode"] == "us"  # type: ignore[index]
    assert ReferenceKind.SCOPES in ORDER_PROJECTOR.rebuild_on


def test_the_payload_carries_the_documented_fields() -> None:
    payload = placed_order().order()
    assert payload is not None
    assert list(payload) == [
        "orderId",
        "commerceOrderId",
        "commerceOrderNumber",
        "externalId",
        "createdAt",
        "updatedAt",
        "state",
        "status",
        "totalInvoiced",
        "totalQtyOrdered",
        "isVirtual",
        "subtotal",
        "grandTotal",
        "discountAmount",
        "currency",
        "amountCapturedOnline",
        "amountRefundedOnline",
        "amountAuthorized",
        "amountPaid",
        "amountRefunded",
        "amountCanceled",
        "storeViewCode",
        "storeCode",
        "websiteCode",
        "storeId",
        "customerId",
        "customerEmail",
        "customerNote",
        "payment",
        "shipping",
        "items",
        "invoices",
        "shipments",
        "creditMemos",
        "transactions",
        "additionalInformation",
        "deleted",
    ]
    assert ORDERS.identity == ("commerceOrderId",)


def test_payload_logging_redacts_every_personal_field_of_an_order() -> None:
    engraving = "For Ada, love from Charles"
    po_number = "PO-ADA-7731"
    payload = (
        Pipeline()
        .feed(
            insert("sales_order", order_row()),
            insert(
                "sales_order_item",
                item_row(
                    11, product_options=f'{{"options":[{{"label":"Text","value":"{engraving}"}}]}}'
                ),
            ),
            insert("sales_order_address", address_row(1, "billing")),
            insert("sales_order_address", address_row(2, "shipping")),
            insert(
                "sales_order_payment",
                {**PAYMENT, "additional_information": f'{{"po_number":"{po_number}"}}'},
            ),
        )
        .order()
    )
    assert payload is not None
    assert engraving in str(payload["items"][0]["productOptions"])
    assert payload["additionalInformation"] == [{"name": "po_number", "value": po_number}]
    text = orjson.dumps(redact(payload)).decode()
    personal = [
        payload["customerEmail"],
        payload["customerNote"],
        *(
            payload[section][address][field]
            for section, address in (("payment", "billingAddress"), ("shipping", "shippingAddress"))
            for field in ("firstname", "lastname", "street", "city", "postcode", "phone")
        ),
    ]
    leaked = [value for value in personal if value and orjson.dumps(value).decode() in text]
    assert not leaked, f"personal data left after redaction: {leaked}"
    # Free text (options a shopper typed, a payment's additional information) is masked too.
    assert engraving not in text
    assert po_number not in text
    assert '"name":"po_number"' in text  # which information it was stays readable
    assert payload["commerceOrderNumber"] in text  # what is not personal stays readable


def test_a_lines_additional_data_is_sent_as_name_value_pairs() -> None:
    data = '{"gift_wrap":"yes","wrap_options":[1,2],"engraving":"For Ada"}'
    lines = (
        item_row(12, additional_data=data),
        item_row(13, additional_data="a:1:{}"),  # PHP-serialized: not a JSON object
        item_row(14, additional_data=None),
    )
    payload = placed_order(*(insert("sales_order_item", line) for line in lines)).order()
    assert payload is not None
    by_id = {item["entityId"]: item["additionalInformation"] for item in payload["items"]}
    assert by_id[12] == [
        {"name": "engraving", "value": "For Ada"},
        {"name": "gift_wrap", "value": "yes"},
        {"name": "wrap_options", "value": "[1,2]"},
    ]
    assert by_id[13] == by_id[14] == by_id[11] == []


def test_an_installation_id_names_its_orders_uuids() -> None:
    def uuids(installation: str) -> list[Any]:
        pipeline = Pipeline(installation).feed(
            insert("sales_order", order_row()),
            insert("sales_order_item", item_row(11)),
            insert("sales_invoice", INVOICE),
            insert("sales_invoice_item", invoice_item(6, 11)),
        )
        payload = pipeline.order()
        assert payload is not None
        item_uuid = payload["items"][0]["itemId"]
        assert payload["invoices"][0]["invoiceItems"][0]["orderItemId"] == item_uuid
        return [payload["orderId"], item_uuid]

    default, shop_a, shop_b = uuids(""), uuids("shop-a"), uuids("shop-b")
    assert default == [stable_uuid("order", 1), stable_uuid("order_item", 11)]  # as before
    assert len({str(u) for u in (*default, *shop_a, *shop_b)}) == 6  # no two alike
    assert shop_a == uuids("shop-a")  # stable
    # verify derives them on its own, by the documented rule
    assert OrderUuids("shop-a")("order", 1) == shop_a[0]
    assert OrderUuids("")("order_item", 11) == default[1]
