"""Grouped products as pure logic: a link entity carrying the link attributes (which name
only the link) to the grouped product, the items' SKUs and websites from their summaries,
and the exporter's optionsV2 entry (feeds/grouped.py)."""

from __future__ import annotations

from typing import Any

import pytest

from feeds.catalog import CATALOG_PROJECTOR
from feeds.change import MalformedRow
from feeds.grouped import GROUPED_LINKS_PROJECTOR
from feeds.memory import MemoryPipeline
from tests.unit.feeds.test_products import REFERENCE_ROWS, by_view, change

Rows = tuple[str, dict[str, Any]]
GROUPED = 60

ATTRIBUTES: list[Rows] = [
    (
        "catalog_product_link_attribute",
        {
            "product_link_attribute_id": 4,
            "link_type_id": 3,
            "product_link_attribute_code": "position",
            "data_type": "int",
        },
    ),
    (
        "catalog_product_link_attribute",
        {
            "product_link_attribute_id": 5,
            "link_type_id": 3,
            "product_link_attribute_code": "qty",
            "data_type": "decimal",
        },
    ),
]


def product(entity_id: int, sku: str, kind: str, *websites: int) -> list[Rows]:
    row = {"entity_id": entity_id, "sku": sku, "type_id": kind}
    return [
        ("catalog_product_entity", {**row, "created_at": None, "updated_at": None}),
        *(
            ("catalog_product_website", {"product_id": entity_id, "website_id": w})
            for w in websites
        ),
    ]


def link(link_id: int, child: int, link_type: int = 3) -> Rows:
    row = {"link_id": link_id, "product_id": GROUPED, "linked_product_id": child}
    return "catalog_product_link", {**row, "link_type_id": link_type}


def attribute(value_id: int, link_id: int, attribute_id: int, value: Any) -> Rows:
    table = (
        "catalog_product_link_attribute_int"
        if attribute_id == 4
        else ("catalog_product_link_attribute_decimal")
    )
    row = {"value_id": value_id, "product_link_attribute_id": attribute_id, "link_id": link_id}
    return table, {**row, "value": value}


# Attributes before their links, links before their products; item 62 is in website 2 only,
# and 63 is linked as related, not grouped.
ROWS = (
    *ATTRIBUTES,
    attribute(1, 1, 4, 2),  # the int and decimal tables number their values apart
    attribute(1, 1, 5, "1.000000"),
    attribute(3, 2, 4, 1),
    attribute(4, 2, 5, "3.000000"),
    link(1, 61),
    link(2, 64),
    link(3, 62),
    link(4, 63, link_type=1),
    *product(GROUPED, "SET-60", "grouped", 1, 2),
    *product(61, "ITEM-61", "simple", 1),
    *product(62, "ITEM-62", "simple", 2),
    *product(63, "ITEM-63", "simple", 1),
    *product(64, "ITEM-64", "simple", 1),
)


def run(*rows: Rows) -> MemoryPipeline:
    pipeline = MemoryPipeline([CATALOG_PROJECTOR, GROUPED_LINKS_PROJECTOR], strict=True)
    pipeline.feed(change(t, "r", after=row) for t, row in (*REFERENCE_ROWS, *rows))
    return pipeline


def test_the_grouped_entry_lists_the_items_of_the_store_views_website() -> None:
    entries = by_view(run(*ROWS), "optionsV2", sku="SET-60")
    [entry] = entries["default"]
    assert {k: v for k, v in entry.items() if k != "values"} == {
        "id": GROUPED,
        "label": None,
        "sortOrder": None,
        "required": None,
        "renderType": None,
        "type": "grouped",
        "swatchType": None,
    }
    # by position: 64 (1) before 61 (2); 62 is not in website 1, 63 is a related link
    assert [(v["sku"], v["qty"], v["sortOrder"]) for v in entry["values"]] == [
        ("ITEM-64", "3.000000", 1),
        ("ITEM-61", "1.000000", 2),
    ]
    assert entry["values"][0]["id"] == 64
    assert entry["values"][0]["qtyMutability"] is True
    [second] = entries["de"]  # website 2: only 62, with no link attributes
    assert [(v["sku"], v["qty"], v["sortOrder"]) for v in second["values"]] == [
        ("ITEM-62", None, None)
    ]


def test_a_link_attribute_edit_and_a_deleted_link_reach_the_grouped_product() -> None:
    pipeline = run(*ROWS)
    table, row = attribute(1, 1, 5, "1.000000")
    pipeline.feed([change(table, "u", before=row, after={**row, "value": "5.000000"})])
    values = by_view(pipeline, "optionsV2", sku="SET-60")["default"][0]["values"]
    assert [v["qty"] for v in values] == ["3.000000", "5.000000"]
    table, row = link(2, 64)
    pipeline.feed([change(table, "d", before=row)])  # its attributes cascade away
    values = by_view(pipeline, "optionsV2", sku="SET-60")["default"][0]["values"]
    assert [v["sku"] for v in values] == ["ITEM-61"]
    assert "2" not in pipeline.states["grouped_links"]


def test_an_items_delete_drops_it_and_no_items_no_entry() -> None:
    pipeline = run(*ROWS)
    for child, sku in ((61, "ITEM-61"), (64, "ITEM-64")):
        gone = {"entity_id": child, "sku": sku, "type_id": "simple"}
        pipeline.feed([change("catalog_product_entity", "d", before=gone)])
    assert by_view(pipeline, "optionsV2", sku="SET-60")["default"] == []


def test_a_malformed_link_id_names_its_table() -> None:
    table, row = attribute(9, 1, 4, 1)
    with pytest.raises(MalformedRow, match="catalog_product_link_attribute_int"):
        list(GROUPED_LINKS_PROJECTOR.keys_of(change(table, "c", after={**row, "link_id": "x"})))
