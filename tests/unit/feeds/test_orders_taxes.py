"""The orders feed's credit memo comments, refund taxes, product taxes and tracking URLs."""

from __future__ import annotations

from typing import Any

from feeds.orders_payload_documents import tracking_url
from tests.unit.feeds.test_orders import Pipeline, order_row, placed_order
from tests.unit.rows import delete, insert, update

Row = dict[str, Any]

MEMO: Row = {
    "entity_id": 3,
    "order_id": 1,
    "increment_id": "CM-3",
    "state": 2,
    "base_currency_code": "USD",
}
TAX: Row = {"tax_id": 7, "order_id": 1, "title": "US Sales Tax", "base_amount": "1.6500"}


def memo_item(entity_id: int, order_item_id: int) -> Row:
    return {"entity_id": entity_id, "parent_id": 3, "order_item_id": order_item_id, "qty": "1"}


def tax_item(tax_item_id: int, item_id: int | None, kind: str = "product", **over: Any) -> Row:
    return {
        "tax_item_id": tax_item_id,
        "tax_id": 7,
        "item_id": item_id,
        "associated_item_id": None,
        "taxable_item_type": kind,
        "amount": f"0.{tax_item_id}000",
        **over,
    }


def refunded(*extra: Any) -> Pipeline:
    """The placed order (item 11) with a second item (12) and a credit memo refunding 11."""
    return placed_order(
        insert("sales_order_item", {"item_id": 12, "order_id": 1, "sku": "B"}),
        insert("sales_creditmemo", MEMO),
        insert("sales_creditmemo_item", memo_item(4, 11)),
        *extra,
    )


def memo_of(pipeline: Pipeline) -> Row:
    order = pipeline.order()
    assert order is not None
    (memo,) = order["creditMemos"]
    result: Row = memo
    return result


def test_credit_memo_comments_in_id_order_and_dropped_with_the_memo() -> None:
    comment = {"parent_id": 3, "is_customer_notified": 1}
    pipeline = refunded(
        insert("sales_creditmemo_comment", {**comment, "entity_id": 9, "comment": "second"}),
        insert("sales_creditmemo_comment", {**comment, "entity_id": 8, "comment": "first"}),
        insert("sales_creditmemo_comment", {**comment, "entity_id": 10, "comment": None}),
    )
    assert memo_of(pipeline)["creditMemoComments"] == ["first", "second"]
    pipeline.feed(delete("sales_creditmemo_comment", {**comment, "entity_id": 9}))
    assert memo_of(pipeline)["creditMemoComments"] == ["first"]
    # The memo's delete cascades its comments in InnoDB: the document's state goes whole.
    pipeline.feed(delete("sales_creditmemo", MEMO))
    assert pipeline.order()["creditMemos"] == []  # type: ignore[index]
    assert "creditmemo:3" not in pipeline.states["sales_documents"]


def test_refund_taxes_name_each_rate_once_per_kind_it_taxed() -> None:
    pipeline = refunded(
        insert("sales_order_tax_item", tax_item(2, 12)),
        insert("sales_order_tax_item", tax_item(1, 11)),
        insert("sales_order_tax_item", tax_item(3, None, "shipping")),
    )
    assert memo_of(pipeline)["refundTaxes"] == []  # the rate's header has not arrived
    pipeline.feed(insert("sales_order_tax", TAX))
    rate = {"taxName": "US Sales Tax", "taxAmount": "1.6500"}
    assert memo_of(pipeline)["refundTaxes"] == [
        {**rate, "taxType": "product"},
        {**rate, "taxType": "shipping"},
    ]
    (item,) = memo_of(pipeline)["refundItems"]
    assert item["productTaxes"] == [
        {"taxName": "US Sales Tax", "taxType": "product", "taxAmount": "0.1000"}
    ]
    pipeline.feed(update("sales_order_tax", TAX, title="Sales Tax"))
    assert {t["taxName"] for t in memo_of(pipeline)["refundTaxes"]} == {"Sales Tax"}


def test_tax_items_of_a_deleted_order_item_are_left_out() -> None:
    pipeline = refunded(
        insert("sales_order_tax", TAX),
        insert("sales_order_tax_item", tax_item(1, 11)),
        insert("sales_order_tax_item", tax_item(2, 12, associated_item_id=11)),
    )
    assert [t["taxType"] for t in memo_of(pipeline)["refundTaxes"]] == ["product"]
    # InnoDB cascades item 11's tax items (by item_id and associated_item_id), unseen.
    pipeline.feed(delete("sales_order_item", {"item_id": 11, "order_id": 1}))
    memo = memo_of(pipeline)
    assert memo["refundTaxes"] == []
    assert memo["refundItems"][0]["productTaxes"] == []


def test_deleting_a_tax_rate_withdraws_it() -> None:
    pipeline = refunded(
        insert("sales_order_tax", TAX), insert("sales_order_tax_item", tax_item(1, 11))
    )
    assert memo_of(pipeline)["refundTaxes"]
    pipeline.feed(delete("sales_order_tax", TAX))
    assert memo_of(pipeline)["refundTaxes"] == []
    assert "tax:7" not in pipeline.states["sales_documents"]
    assert "taxes" in pipeline.states["orders"]["1"]


def test_an_order_delete_leaves_its_tax_rates_which_have_no_foreign_key() -> None:
    pipeline = refunded(insert("sales_order_tax", TAX))
    pipeline.feed(delete("sales_order", order_row()))
    assert pipeline.states["orders"] == {}
    assert "tax:7" in pipeline.states["sales_documents"]


def test_tracking_url_is_the_popup_of_the_store_views_link_base() -> None:
    config = {"scope": "websites", "scope_id": 1, "path": "web/unsecure/base_url"}
    pipeline = placed_order(
        insert("core_config_data", {**config, "config_id": 4, "value": "http://shop.example/"}),
        update("sales_order", order_row(), protect_code="f0ff"),
        insert("sales_shipment", {"entity_id": 8, "order_id": 1}),
        insert("sales_shipment_track", {"entity_id": 21, "parent_id": 8, "order_id": 1}),
    )
    (shipment,) = pipeline.order()["shipments"]  # type: ignore[index]
    # base64("track_id:21:f0ff") is "dHJhY2tfaWQ6MjE6ZjBmZg==": Magento's URL encoder writes
    # "=" as ",", which the query string then encodes as %2C.
    assert shipment["trackingInfo"]["trackingUrl"] == (
        "http://shop.example/shipping/tracking/popup?hash=dHJhY2tfaWQ6MjE6ZjBmZg%2C%2C"
    )


def test_tracking_url_without_a_store_view_is_null() -> None:
    assert tracking_url(None, 21, "a1b2c3") is None
    assert tracking_url("http://x/", 1, None) == (
        "http://x/shipping/tracking/popup?hash=dHJhY2tfaWQ6MTo%2C"  # base64("track_id:1:")
    )
