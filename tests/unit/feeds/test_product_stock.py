"""products' inStock, lowStock and buyable: the SKU's stock reaches its products.

The catalog, stock-settings and stock projectors run together in ``MemoryPipeline``
(re-keying and forwarding as the workers do): a source item's change reaches the SKU's
stock entity, which forwards its summary to the product, and a child's to its configurable.
"""

from __future__ import annotations

from typing import Any

from feeds.catalog import CATALOG_PROJECTOR
from feeds.memory import MemoryPipeline
from feeds.products import PRODUCTS
from feeds.stock import STOCK_ITEM_PROJECTOR, STOCK_PROJECTOR
from tests.unit.feeds.test_products import (
    REFERENCE_ROWS,
    change,
    int_value,
    system_attribute,
)

Rows = list[tuple[str, dict[str, Any]]]

STOCKS: Rows = [
    ("inventory_source", {"source_code": "default", "name": "Default", "enabled": 1}),
    ("inventory_source", {"source_code": "eu", "name": "EU", "enabled": 1}),
    ("inventory_stock", {"stock_id": 1, "name": "Default Stock"}),
    ("inventory_stock", {"stock_id": 2, "name": "EU Stock"}),
    ("inventory_source_stock_link", {"link_id": 1, "stock_id": 1, "source_code": "default"}),
    ("inventory_source_stock_link", {"link_id": 2, "stock_id": 2, "source_code": "eu"}),
    ("inventory_stock_sales_channel", {"type": "website", "code": "base", "stock_id": 1}),
    ("inventory_stock_sales_channel", {"type": "website", "code": "second", "stock_id": 2}),
    system_attribute(97, "status", "int"),
]


def product(entity_id: int, sku: str, type_id: str = "simple", status: int = 1) -> Rows:
    return [
        ("catalog_product_entity", {"entity_id": entity_id, "sku": sku, "type_id": type_id}),
        ("catalog_product_website", {"product_id": entity_id, "website_id": 1}),
        ("catalog_product_website", {"product_id": entity_id, "website_id": 2}),
        int_value(entity_id * 10, 97, 0, status, entity_id=entity_id),
    ]


def source_item(item_id: int, code: str, sku: str, quantity: str, status: int = 1) -> Any:
    row = {"source_item_id": item_id, "source_code": code, "sku": sku}
    return "inventory_source_item", {**row, "quantity": quantity, "status": status}


def run(*rows: tuple[str, dict[str, Any]]) -> MemoryPipeline:
    pipeline = MemoryPipeline([CATALOG_PROJECTOR, STOCK_ITEM_PROJECTOR, STOCK_PROJECTOR])
    pipeline.feed(change(t, "r", after=row) for t, row in (*REFERENCE_ROWS, *STOCKS, *rows))
    return pipeline


def stock_fields(pipeline: MemoryPipeline, sku: str) -> dict[str, tuple[bool, bool, bool]]:
    """website code → (inStock, lowStock, buyable) of the SKU's items (one per website)."""
    return {
        p["websiteCode"]: (p["inStock"], p["lowStock"], p["buyable"])
        for p in pipeline.items(PRODUCTS.name).values()
        if p["sku"] == sku
    }


def test_a_product_is_in_stock_where_its_websites_stock_sells_it() -> None:
    pipeline = run(*product(7, "SKU-7"), source_item(1, "default", "SKU-7", "5.0000"))
    # base sells it from stock 1; second's stock 2 has no source item of the SKU
    assert stock_fields(pipeline, "SKU-7") == {
        "base": (True, False, True),
        "second": (False, False, False),
    }


def test_selling_out_and_disabling_take_it_out() -> None:
    pipeline = run(*product(7, "SKU-7"), source_item(1, "default", "SKU-7", "5.0000"))
    before = {"source_item_id": 1, "source_code": "default", "sku": "SKU-7", "quantity": "5.0000"}
    pipeline.feed(
        [
            change(
                "inventory_source_item",
                "u",
                before={**before, "status": 1},
                after={**before, "quantity": "0.0000", "status": 0},
            )
        ]
    )
    assert stock_fields(pipeline, "SKU-7")["base"] == (False, False, False)


def test_a_disabled_product_in_stock_is_not_buyable() -> None:
    pipeline = run(*product(7, "SKU-7", status=2), source_item(1, "default", "SKU-7", "5.0000"))
    assert stock_fields(pipeline, "SKU-7")["base"] == (True, False, False)


def test_low_stock_is_below_the_websites_threshold() -> None:
    threshold = {"config_id": 9, "scope": "websites", "scope_id": 1, "value": "10"}
    path = {"path": "cataloginventory/options/stock_threshold_qty"}
    pipeline = run(
        ("core_config_data", {**threshold, **path}),
        *product(7, "SKU-7"),
        source_item(1, "default", "SKU-7", "5.0000"),
    )
    assert stock_fields(pipeline, "SKU-7")["base"] == (True, True, True)


def test_a_configurable_is_in_stock_where_a_child_is_whatever_the_order() -> None:
    parent = product(20, "CONF-20", type_id="configurable")
    children = [*product(21, "CHILD-21"), *product(22, "CHILD-22")]
    links = [
        ("catalog_product_super_link", {"link_id": 1, "parent_id": 20, "product_id": 21}),
        ("catalog_product_super_link", {"link_id": 2, "parent_id": 20, "product_id": 22}),
    ]
    stock = [
        source_item(1, "default", "CHILD-21", "0.0000", status=0),
        source_item(2, "eu", "CHILD-22", "3.0000"),
    ]
    # base: its one child there is sold out; second: the other child sells from eu
    expected = {"base": (False, False, False), "second": (True, False, True)}
    for rows in ([*parent, *children, *links, *stock], [*stock, *links, *children, *parent]):
        assert stock_fields(run(*rows), "CONF-20") == expected


def test_a_bundle_sells_where_every_required_option_offers_a_product_that_sells() -> None:
    bundle = product(30, "KIT-30", type_id="bundle")
    offered = [*product(31, "PART-31"), *product(32, "PART-32"), *product(33, "PART-33")]

    def option(option_id: int, required: int) -> tuple[str, dict[str, Any]]:
        row = {"option_id": option_id, "parent_id": 30, "required": required}
        return "catalog_product_bundle_option", {**row, "position": option_id, "type": "radio"}

    def selection(selection_id: int, option_id: int, child: int) -> tuple[str, dict[str, Any]]:
        row = {"selection_id": selection_id, "option_id": option_id, "parent_product_id": 30}
        return "catalog_product_bundle_selection", {
            **row,
            "product_id": child,
            "position": 0,
            "is_default": 0,
            "selection_price_type": 0,
            "selection_price_value": "0.0000",
            "selection_qty": "1.0000",
            "selection_can_change_qty": 0,
        }

    # Option 1 (required) offers 31 and 32; option 2 (optional) offers 33.
    rows = [
        option(1, 1),
        option(2, 0),
        selection(1, 1, 31),
        selection(2, 1, 32),
        selection(3, 2, 33),
        source_item(1, "default", "PART-33", "4.0000"),  # base: only the optional option sells
        source_item(2, "eu", "PART-32", "2.0000"),  # second: the required one sells
    ]
    expected = {"base": (False, False, False), "second": (True, False, True)}
    for ordered in ([*bundle, *offered, *rows], [*rows, *offered, *bundle]):
        assert stock_fields(run(*ordered), "KIT-30") == expected


def test_a_grouped_product_sells_where_one_of_its_items_does() -> None:
    grouped = product(40, "SET-40", type_id="grouped")
    items = [*product(41, "ITEM-41"), *product(42, "ITEM-42")]
    links = [
        (
            "catalog_product_link",
            {"link_id": 1, "product_id": 40, "linked_product_id": 41, "link_type_id": 3},
        ),
        (
            "catalog_product_link",
            {"link_id": 2, "product_id": 40, "linked_product_id": 42, "link_type_id": 3},
        ),
    ]
    stock = [
        source_item(1, "default", "ITEM-41", "0.0000", status=0),
        source_item(2, "eu", "ITEM-42", "3.0000"),
    ]
    expected = {"base": (False, False, False), "second": (True, False, True)}
    for rows in ([*grouped, *items, *links, *stock], [*stock, *links, *items, *grouped]):
        assert stock_fields(run(*rows), "SET-40") == expected
