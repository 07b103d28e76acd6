"""The orders feed on the real stack: snapshot, an order's life, virtual and configurable
orders, and a 500-line order → the receiver holds what the sales tables project."""

from __future__ import annotations

import sqlite3
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from feeds.item import item_id
from tests.integration.magento_ops import (
    Line,
    PlacedOrder,
    execute,
    insert,
    invoice,
    place_order,
    refund_first_line,
    ship,
)
from tests.integration.pipeline import Pipeline, running_pipeline

pytestmark = pytest.mark.integration

ORDERS = ("orders",)


def order_item(pipeline: Pipeline, order: PlacedOrder) -> dict[str, Any]:
    for payload in pipeline.receiver.items("orders").values():
        if payload.get("commerceOrderId") == str(order.order_id):  # a String upstream
            return payload
    raise AssertionError(f"order {order.order_id} not at the receiver")


def test_snapshot_of_the_small_profile_orders_verifies(feeds_pipeline: Pipeline, sql: Any) -> None:
    feeds_pipeline.wait_clean(ORDERS)
    orders = feeds_pipeline.receiver.items("orders").values()
    assert len(orders) >= 500
    # Amounts in the base currency, as the exporter sends them: card orders carry what the
    # gateway captured online (base_amount_paid_online), every other order none.
    captured = {
        str(row[0])
        for row in execute(
            sql,
            "SELECT parent_id FROM sales_order_payment WHERE base_amount_paid_online IS NOT NULL",
        )
    }
    assert captured
    assert {o["commerceOrderId"] for o in orders if o["amountCapturedOnline"] is not None} == (
        captured
    )
    assert {o["currency"] for o in orders} == {"USD", "EUR"}
    # Lines with additional data carry it as name/value pairs (the sample's gift wraps).
    lines_with_data = execute(
        sql, "SELECT COUNT(*) FROM sales_order_item WHERE additional_data IS NOT NULL"
    )[0][0]
    assert lines_with_data > 0
    sent = [i for o in orders for i in o["items"] if i["additionalInformation"]]
    assert len(sent) == lines_with_data
    assert {p["name"] for i in sent for p in i["additionalInformation"]} == {
        "engraving",
        "gift_wrap",
        "wrap_options",
    }
    # Credit memo comments, taxes and tracking URLs, counted against the tables.
    memos = [m for o in orders for m in o.get("creditMemos") or []]
    commented = execute(
        sql,
        "SELECT COUNT(DISTINCT parent_id) FROM sales_creditmemo_comment WHERE comment IS NOT NULL",
    )[0][0]
    assert commented > 0
    assert sum(1 for m in memos if m["creditMemoComments"]) == commented
    taxed_orders = execute(
        sql,
        "SELECT COUNT(DISTINCT m.entity_id) FROM sales_creditmemo m "
        "JOIN sales_order_tax t ON t.order_id = m.order_id",
    )[0][0]
    assert taxed_orders > 0
    assert sum(1 for m in memos if m["refundTaxes"]) == taxed_orders
    assert any(i["productTaxes"] for m in memos for i in m["refundItems"])
    tracked = execute(sql, "SELECT COUNT(DISTINCT parent_id) FROM sales_shipment_track")[0][0]
    shipments = [s for o in orders for s in o.get("shipments") or []]
    urls = [s["trackingInfo"]["trackingUrl"] for s in shipments if s["trackingInfo"]]
    assert len(urls) == tracked > 0
    assert all("/shipping/tracking/popup?hash=" in url for url in urls)
    # The sample has virtual orders (no shipping address) and configurable lines.
    assert any(o["isVirtual"] and o["shipping"]["shippingAddress"] is None for o in orders)
    assert any(item["parentEntityId"] is not None for o in orders for item in o["items"]), (
        "no configurable child line in the snapshot"
    )
    # A configurable line sends its product's catalog SKU, not the child's on the line.
    catalog_skus = execute(
        sql,
        "SELECT COUNT(*) FROM sales_order_item i JOIN catalog_product_entity p "
        "ON p.entity_id = i.product_id WHERE i.product_type IN ('configurable', 'bundle') "
        "AND p.sku <> i.sku",
    )[0][0]
    assert catalog_skus > 0
    lines = [item for o in orders for item in o["items"]]
    assert sum(1 for i in lines if i["productSku"] != i["sku"]) == catalog_skus


def test_order_placed_invoiced_shipped_and_partially_refunded(
    feeds_pipeline: Pipeline, sql: Any, skus: list[str]
) -> None:
    order = place_order(
        sql,
        [
            Line(skus[0], Decimal("0.1000"), qty=1),
            Line(skus[1], Decimal("0.2000"), qty=2),
            Line(skus[2], Decimal("19.9900"), qty=1, configurable_child_sku=skus[3]),
        ],
    )
    feeds_pipeline.wait_clean(ORDERS)
    placed = order_item(feeds_pipeline, order)
    assert placed["state"] == 1  # Adobe's state codes: new 1, processing 3, complete 4, closed 5
    # 0.1 + 2 * 0.2 + 19.99: a JSON number with the column's digits (20.4900) on the wire
    assert Decimal(str(placed["subtotal"])) == Decimal("20.49")
    assert placed["invoices"] == []
    assert placed["shipments"] == []
    assert len(placed["items"]) == 4  # three lines, one with a child row
    [parent] = [i for i in placed["items"] if i["productType"] == "configurable"]
    [child] = [i for i in placed["items"] if i["parentEntityId"] is not None]
    assert child["parentEntityId"] == parent["entityId"]
    assert (parent["sku"], child["sku"]) == (skus[2], skus[3])
    assert placed["orderId"]["id"] == str(uuid.UUID(placed["orderId"]["id"]))

    invoice(sql, order)
    feeds_pipeline.wait_clean(ORDERS)
    invoiced = order_item(feeds_pipeline, order)
    assert invoiced["state"] == 3
    assert len(invoiced["invoices"]) == 1
    assert len(invoiced["invoices"][0]["invoiceItems"]) == 3
    assert invoiced["orderId"] == placed["orderId"]  # the same UUID on every re-emit

    track = f"1Z{uuid.uuid4().hex[:12].upper()}"
    ship(sql, order, track_number=track)
    feeds_pipeline.wait_clean(ORDERS)
    shipped = order_item(feeds_pipeline, order)
    assert shipped["state"] == 4
    [shipment] = shipped["shipments"]
    assert shipment["trackingInfo"]["trackingNumber"] == track
    assert len(shipment["items"]) == 3

    refund_first_line(sql, order, adjustment=Decimal("1.5000"))
    feeds_pipeline.wait_clean(ORDERS)
    refunded = order_item(feeds_pipeline, order)
    [memo] = refunded["creditMemos"]
    assert memo["adjustment"] == 1.5
    assert [i["qtyRefunded"] for i in memo["refundItems"]] == [1]
    assert refunded["state"] == 5
    assert [i["itemId"] for i in refunded["items"]] == [i["itemId"] for i in placed["items"]]


def test_virtual_order_has_no_shipping_address(
    feeds_pipeline: Pipeline, sql: Any, skus: list[str]
) -> None:
    order = place_order(sql, [Line(skus[4], Decimal("9.9900"))], virtual=True)
    feeds_pipeline.wait_clean(ORDERS)
    exported = order_item(feeds_pipeline, order)
    assert exported["isVirtual"] is True
    assert exported["shipping"]["shippingAddress"] is None
    assert exported["payment"]["billingAddress"]["city"] == "London"


def test_corrected_address_re_emits_the_order(
    feeds_pipeline: Pipeline, sql: Any, skus: list[str]
) -> None:
    order = place_order(sql, [Line(skus[5], Decimal("5.0000"))])
    execute(
        sql,
        "UPDATE sales_order_address SET city = 'Cambridge' WHERE parent_id = %s "
        "AND address_type = 'shipping'",
        order.order_id,
    )
    feeds_pipeline.wait_clean(ORDERS)
    assert order_item(feeds_pipeline, order)["shipping"]["shippingAddress"]["city"] == "Cambridge"


def test_deleted_order_is_kept_downstream(
    feeds_pipeline: Pipeline, sql: Any, skus: list[str]
) -> None:
    doomed = place_order(sql, [Line(skus[6], Decimal("7.0000"))])
    feeds_pipeline.wait_clean(ORDERS)
    execute(sql, "DELETE FROM sales_order WHERE entity_id = %s", doomed.order_id)
    # The delete is read before the next order (one sales_order topic); once that order is
    # out, the delete has been through the worker.
    marker = place_order(sql, [Line(skus[7], Decimal("8.0000"))])
    feeds_pipeline.wait_until(lambda: _has(feeds_pipeline, marker), "the next order delivered")
    feeds_pipeline.wait_clean(ORDERS)  # verify tolerates orders the database no longer has
    assert order_item(feeds_pipeline, doomed)["deleted"] is False


def _has(pipeline: Pipeline, order: PlacedOrder) -> bool:
    try:
        order_item(pipeline, order)
    except AssertionError:
        return False
    return True


def test_a_500_line_order_is_delivered_and_verified(
    feeds_pipeline: Pipeline, sql: Any, skus: list[str]
) -> None:
    lines = [Line(skus[i % len(skus)], Decimal("1.2500") + i, qty=1 + i % 3) for i in range(500)]
    order = place_order(sql, lines)
    invoice(sql, order)
    feeds_pipeline.wait_clean(ORDERS, timeout_s=300)
    exported = order_item(feeds_pipeline, order)
    assert len(exported["items"]) == 500
    assert len(exported["invoices"][0]["invoiceItems"]) == 500
    body = len(orjson.dumps(exported))
    assert body > 262144, f"the order ({body} bytes) should exceed the batch byte limit"
    # Bigger than the limit, it went out in a request of its own (batches split by bytes).
    with sqlite3.connect(feeds_pipeline.receiver.db_path) as db:
        [(request_id,)] = db.execute(
            "SELECT request_id FROM items WHERE feed = 'orders' AND item_id = ?",
            (item_id([order.order_id]),),
        ).fetchall()
        together = db.execute(
            "SELECT COUNT(*) FROM items WHERE feed = 'orders' AND request_id = ?", (request_id,)
        ).fetchone()[0]
    assert together == 1


def test_an_installation_id_names_the_order_uuids(stack: Any, tmp_path: Path) -> None:
    """A worker of installation "shop-b" derives its UUIDs in its own namespace, and verify,
    run with the same settings, derives the same ones on its own."""
    with running_pipeline(
        tmp_path, FEEDSYNC_STREAMS__FEEDS="orders", FEEDSYNC_STREAMS__INSTALLATION_ID="shop-b"
    ) as pipeline:
        assert pipeline.settings.streams.installation_id == "shop-b"
        pipeline.wait_clean(ORDERS, timeout_s=300)
        orders = [o for o in pipeline.receiver.items("orders").values() if not o["deleted"]]
        assert orders
        default = uuid.UUID("1b64e46e-1ae9-41b1-b4c6-6fe31ef5656c")
        shop_b = uuid.uuid5(default, "installation:shop-b")
        for order in orders:
            entity_id = order["commerceOrderId"]
            assert order["orderId"]["id"] == str(uuid.uuid5(shop_b, f"order:{entity_id}"))
            assert order["orderId"]["id"] != str(uuid.uuid5(default, f"order:{entity_id}"))


def test_a_customers_delete_makes_its_orders_guest_orders(
    feeds_pipeline: Pipeline, sql: Any, skus: list[str]
) -> None:
    """MariaDB nulls ``sales_order.customer_id`` below the binlog (ON DELETE SET NULL): the
    feed learns it from the customer's delete, for the orders read long before it and for
    one placed just before it."""
    [(customer,)] = execute(
        sql,
        "SELECT customer_id FROM sales_order WHERE customer_id IS NOT NULL "
        "GROUP BY customer_id ORDER BY COUNT(*) DESC, customer_id LIMIT 1",
    )
    theirs = {
        str(row[0])
        for row in execute(
            sql, "SELECT entity_id FROM sales_order WHERE customer_id = %s", customer
        )
    }
    feeds_pipeline.wait_clean(ORDERS)
    held = feeds_pipeline.receiver.items("orders").values()
    assert {o["commerceOrderId"] for o in held if o["customerId"] == customer} == theirs
    newcomer = insert(
        sql,
        "customer_entity",
        website_id=1,
        email=f"newcomer.{uuid.uuid4().hex[:8]}@example.com",
        group_id=1,
        store_id=1,
        firstname="Ada",
        lastname="Byron",
    )
    order = place_order(sql, [Line(skus[8], Decimal("3.0000"))])
    execute(
        sql,
        "UPDATE sales_order SET customer_id = %s, customer_is_guest = 0 WHERE entity_id = %s",
        newcomer,
        order.order_id,
    )
    execute(sql, "DELETE FROM customer_entity WHERE entity_id IN (%s, %s)", customer, newcomer)
    orphaned = theirs | {str(order.order_id)}
    assert (
        execute(
            sql,
            "SELECT COUNT(*) FROM sales_order WHERE customer_id IN (%s, %s)",
            customer,
            newcomer,
        )[0][0]
        == 0
    ), "the foreign key should have nulled the orders' customer_id"

    def guests() -> bool:
        held = feeds_pipeline.receiver.items("orders").values()
        return {o["commerceOrderId"] for o in held if o["customerId"] is None} >= orphaned

    feeds_pipeline.wait_until(guests, "the deleted customers' orders sent as guest orders")
    feeds_pipeline.wait_clean(ORDERS)


def test_a_configurable_products_sku_change_reaches_its_order_lines(
    feeds_pipeline: Pipeline, sql: Any
) -> None:
    [(product, sku)] = execute(
        sql,
        "SELECT p.entity_id, p.sku FROM sales_order_item i JOIN catalog_product_entity p "
        "ON p.entity_id = i.product_id WHERE i.product_type = 'configurable' "
        "ORDER BY i.item_id LIMIT 1",
    )
    lines = {
        (str(order_id), str(item_id))  # both IDs: strings on the wire
        for order_id, item_id in execute(
            sql,
            "SELECT order_id, item_id FROM sales_order_item WHERE product_id = %s "
            "AND product_type = 'configurable'",
            product,
        )
    }
    rename = "UPDATE catalog_product_entity SET sku = %s WHERE entity_id = %s"

    def lines_say(wanted: str) -> bool:
        held = feeds_pipeline.receiver.items("orders").values()
        said = {
            (o["commerceOrderId"], i["entityId"]): i["productSku"] for o in held for i in o["items"]
        }
        return all(said.get(line) == wanted for line in lines)

    feeds_pipeline.wait_clean(ORDERS)
    assert lines_say(sku)
    execute(sql, rename, f"{sku}-R", product)
    try:
        feeds_pipeline.wait_until(lambda: lines_say(f"{sku}-R"), "the new SKU on its lines")
        feeds_pipeline.wait_clean(ORDERS)
    finally:
        execute(sql, rename, sku, product)
    feeds_pipeline.wait_until(lambda: lines_say(sku), "the SKU back on its lines")
