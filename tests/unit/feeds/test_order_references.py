"""An order's customer and its parent lines' products (feeds/order_references.py): a
customer's delete nulls ``customerId`` whatever order its rows arrive in, and a configurable
or bundle line sends its product's catalog SKU."""

from __future__ import annotations

from typing import Any

from feeds.change import RowChange
from feeds.order_references import ORDER_CUSTOMER_PROJECTOR, ORDER_PRODUCT_PROJECTOR
from feeds.orders import ORDER_PROJECTOR, SALES_DOCUMENT_PROJECTOR
from tests.unit.feeds.test_orders import Pipeline, item_row, order_row
from tests.unit.rows import delete, insert, update

Row = dict[str, Any]


class References(Pipeline):
    """The orders projectors with the customer and product references."""

    def __init__(self) -> None:
        super().__init__(
            projectors=(
                SALES_DOCUMENT_PROJECTOR,
                ORDER_CUSTOMER_PROJECTOR,
                ORDER_PRODUCT_PROJECTOR,
                ORDER_PROJECTOR,
            )
        )

    def feed(self, *changes: RowChange) -> References:  # type: ignore[override]
        super().feed(*changes)
        return self


CUSTOMER = {"entity_id": 7, "website_id": 1, "email": "ada@example.com"}


def customer_id(pipeline: References, order_id: int = 1) -> Any:
    order = pipeline.order(order_id)
    assert order is not None
    return order["customerId"]


def test_a_customers_delete_makes_its_orders_guest_orders() -> None:
    pipeline = References().feed(
        insert("customer_entity", CUSTOMER),
        insert("sales_order", order_row(1)),
        insert("sales_order", order_row(2)),
        insert("sales_order", order_row(3, customer_id=None)),
    )
    assert [customer_id(pipeline, o) for o in (1, 2, 3)] == [7, 7, None]
    pipeline.feed(delete("customer_entity", CUSTOMER))
    assert [customer_id(pipeline, o) for o in (1, 2, 3)] == [None, None, None]


def test_an_order_row_older_than_the_delete_arriving_after_it_stays_a_guest_order() -> None:
    """Two topics: the customer's delete can be read before an older order row."""
    older_row = insert("sales_order", order_row(1))  # the earlier binlog position
    customer_delete = delete("customer_entity", CUSTOMER)
    pipeline = References().feed(customer_delete, older_row)
    assert customer_id(pipeline, 1) is None


def test_an_order_of_a_customer_created_again_after_the_delete_names_it() -> None:
    pipeline = References().feed(
        insert("customer_entity", CUSTOMER),
        insert("sales_order", order_row(1)),
        delete("customer_entity", CUSTOMER),
    )
    assert customer_id(pipeline, 1) is None
    pipeline.feed(
        insert("customer_entity", CUSTOMER),  # the same id, inserted again
        insert("sales_order", order_row(2)),
    )
    assert customer_id(pipeline, 2) == 7
    assert customer_id(pipeline, 1) is None
    # the old order is given to the new customer: its newer row names it
    pipeline.feed(update("sales_order", order_row(1, customer_id=None), customer_id=7))
    assert customer_id(pipeline, 1) == 7


def test_an_order_moved_to_another_customer_hears_only_of_its_own_customer() -> None:
    other = {**CUSTOMER, "entity_id": 8, "email": "grace@example.com"}
    pipeline = References().feed(
        insert("customer_entity", CUSTOMER),
        insert("customer_entity", other),
        insert("sales_order", order_row(1)),
        update("sales_order", order_row(1), customer_id=8),
        delete("customer_entity", CUSTOMER),
    )
    assert customer_id(pipeline, 1) == 8
    assert not [f for f in pipeline.forwarded if f.change.table == "@customer_gone"]


def parent_line(item_id: int = 11, product_id: int = 5, **over: Any) -> Row:
    return item_row(
        item_id, product_type="configurable", sku="TEE-RED-M", product_id=product_id, **over
    )


def product_skus(pipeline: References, order_id: int = 1) -> list[Any]:
    order = pipeline.order(order_id)
    assert order is not None
    return [i["productSku"] for i in order["items"]]


def test_a_parent_line_sends_its_products_catalog_sku_and_follows_it() -> None:
    child = item_row(12, parent_item_id=11, sku="TEE-RED-M", product_id=6)
    product = {"entity_id": 5, "sku": "TEE", "type_id": "configurable"}
    pipeline = References().feed(
        insert("sales_order", order_row()),
        insert("sales_order_item", parent_line()),
        insert("sales_order_item", child),
    )
    assert product_skus(pipeline) == ["TEE-RED-M", "TEE-RED-M"]  # product not read yet
    pipeline.feed(insert("catalog_product_entity", product))
    assert product_skus(pipeline) == ["TEE", "TEE-RED-M"]  # the child line keeps its own
    pipeline.feed(update("catalog_product_entity", product, sku="TEE-2"))
    assert product_skus(pipeline) == ["TEE-2", "TEE-RED-M"]
    pipeline.feed(delete("catalog_product_entity", {**product, "sku": "TEE-2"}))
    assert product_skus(pipeline) == ["TEE-RED-M", "TEE-RED-M"]  # gone: the line's own


def test_a_product_tells_only_the_orders_with_a_parent_line_of_it() -> None:
    product = {"entity_id": 5, "sku": "TEE", "type_id": "configurable"}
    pipeline = References().feed(
        insert("catalog_product_entity", product),
        insert("sales_order", order_row(1)),
        insert("sales_order_item", parent_line(11)),
        insert("sales_order", order_row(2)),
        insert("sales_order_item", item_row(21, order_id=2, product_id=5)),  # a simple line
    )
    told = {f.key for f in pipeline.forwarded if f.change.table == "@order_product"}
    assert told == {"1"}
    assert product_skus(pipeline, 1) == ["TEE"]
    assert product_skus(pipeline, 2) == ["SKU-21"]
