"""Grouped products on the real stack (issue #14): the snapshot carries every grouped item
the links hold in each store view of their website; an item's default quantity and position
(link attributes, which name only the link) reach the grouped product; a deleted link leaves
it; each converging to what verify projects. On the shared ``feeds_pipeline``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.magento_ops import execute
from tests.integration.pipeline import Pipeline
from tests.integration.test_product_media_urls import FEEDS, of_product

pytestmark = pytest.mark.integration


def _grouped_values(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for o in item["optionsV2"] if o["type"] == "grouped" for v in o["values"]]


def test_the_snapshot_carries_every_grouped_item(feeds_pipeline: Pipeline, sql: Any) -> None:
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    items = [i for i in feeds_pipeline.receiver.items("products").values() if not i["deleted"]]
    (values,) = execute(
        sql,
        "SELECT COUNT(*) FROM catalog_product_link l "
        "JOIN catalog_product_entity p ON p.entity_id = l.product_id AND p.type_id = 'grouped' "
        "JOIN catalog_product_website pw ON pw.product_id = l.product_id "
        "JOIN catalog_product_website cw ON cw.product_id = l.linked_product_id "
        "AND cw.website_id = pw.website_id "
        "JOIN store s ON s.website_id = pw.website_id AND s.store_id > 0 "
        "WHERE l.link_type_id = 3",
    )[0]
    assert values > 0
    assert sum(len(_grouped_values(i)) for i in items) == values
    quantities = {v["qty"] for i in items for v in _grouped_values(i)}
    assert len(quantities) > 1  # the link attributes reached the items


def test_an_items_quantity_and_position_and_a_deleted_link(
    feeds_pipeline: Pipeline, sql: Any
) -> None:
    [(link_id, sku, item_sku)] = execute(
        sql,
        "SELECT l.link_id, p.sku, c.sku FROM catalog_product_link l "
        "JOIN catalog_product_entity p ON p.entity_id = l.product_id "
        "JOIN catalog_product_entity c ON c.entity_id = l.linked_product_id "
        "WHERE l.link_type_id = 3 ORDER BY l.link_id LIMIT 1",
    )
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)

    def found() -> list[dict[str, Any]]:
        return [
            v
            for item in of_product(feeds_pipeline, sku).values()
            for v in _grouped_values(item)
            if v["sku"] == item_sku
        ]

    execute(
        sql,
        "UPDATE catalog_product_link_attribute_decimal SET value = 7 WHERE link_id = %s",
        link_id,
    )
    execute(
        sql,
        "UPDATE catalog_product_link_attribute_int SET value = 42 WHERE link_id = %s",
        link_id,
    )
    feeds_pipeline.wait_until(
        lambda: bool(found()) and all(v["qty"] == 7 and v["sortOrder"] == 42 for v in found()),
        "the link's new quantity and position",
    )
    feeds_pipeline.wait_clean(FEEDS)
    execute(sql, "DELETE FROM catalog_product_link WHERE link_id = %s", link_id)
    feeds_pipeline.wait_until(lambda: not found(), "the unlinked item gone from every view")
    feeds_pipeline.wait_clean(FEEDS)
