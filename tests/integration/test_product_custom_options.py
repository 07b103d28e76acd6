"""Products' custom options on the real stack (issue #14): the snapshot carries every option
and value the tables hold, a store view's new title reaches that store view alone, and a
deleted option leaves every store view with its values, each converging to what verify
projects. On the shared ``feeds_pipeline``: no sync of its own."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.magento_ops import execute
from tests.integration.pipeline import Pipeline
from tests.integration.test_product_media_urls import FEEDS, of_product

pytestmark = pytest.mark.integration

# Options with a store-0 title, in each store view of their product's websites.
_OPTIONS_IN_VIEWS = (
    "SELECT COUNT(*) FROM catalog_product_option o "
    "JOIN catalog_product_option_title t ON t.option_id = o.option_id AND t.store_id = 0 "
    "JOIN catalog_product_website w ON w.product_id = o.product_id "
    "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0 WHERE o.type IN "
)


def test_the_snapshot_carries_every_custom_option(feeds_pipeline: Pipeline, sql: Any) -> None:
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    items = [i for i in feeds_pipeline.receiver.items("products").values() if not i["deleted"]]
    (shopper_input,) = execute(
        sql, _OPTIONS_IN_VIEWS + "('field', 'area', 'file', 'date', 'time', 'date_time')"
    )[0]
    (selectable,) = execute(
        sql, _OPTIONS_IN_VIEWS + "('drop_down', 'radio', 'checkbox', 'multiple')"
    )[0]
    (values,) = execute(
        sql,
        "SELECT COUNT(*) FROM catalog_product_option_type_value v "
        "JOIN catalog_product_option_type_title vt ON vt.option_type_id = v.option_type_id "
        "AND vt.store_id = 0 JOIN catalog_product_option o ON o.option_id = v.option_id "
        "JOIN catalog_product_option_title t ON t.option_id = o.option_id AND t.store_id = 0 "
        "JOIN catalog_product_website w ON w.product_id = o.product_id "
        "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0",
    )[0]
    assert shopper_input > 0
    assert selectable > 0
    assert values > 0
    assert sum(len(i["shopperInputOptions"]) for i in items) == shopper_input
    # optionsV2 holds other providers' entries too (a downloadable's links): custom ones only
    custom = [o for i in items for o in i["optionsV2"] if o["type"] == "custom_option"]
    assert len(custom) == selectable
    assert sum(len(o["values"]) for o in custom) == values
    prices = {v["priceType"] for o in custom for v in o["values"]}
    assert prices == {"fixed", "percent"}


def test_a_store_views_title_and_a_deleted_option(feeds_pipeline: Pipeline, sql: Any) -> None:
    """A title row names its option only: the option's entity carries it to the product; the
    option's delete cascades its titles, prices and values away without a binlog event."""
    [(option_id, sku, store_id, view)] = execute(
        sql,
        "SELECT o.option_id, p.sku, s.store_id, s.code FROM catalog_product_option o "
        "JOIN catalog_product_entity p ON p.entity_id = o.product_id "
        "JOIN catalog_product_website w ON w.product_id = p.entity_id "
        "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0 "
        "WHERE o.type = 'drop_down' AND NOT EXISTS (SELECT 1 FROM catalog_product_option_title t "
        "WHERE t.option_id = o.option_id AND t.store_id = s.store_id) "
        "ORDER BY o.option_id, s.store_id LIMIT 1",
    )
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    title = f"Wrapped {uuid.uuid4().hex[:6]}"
    execute(
        sql,
        "INSERT INTO catalog_product_option_title (option_id, store_id, title) VALUES (%s, %s, %s)",
        option_id,
        store_id,
        title,
    )

    def labels() -> dict[str, list[Any]]:
        return {
            code: [o["label"] for o in item["optionsV2"] if o["id"] == str(option_id)]
            for code, item in of_product(feeds_pipeline, sku).items()
        }

    feeds_pipeline.wait_until(lambda: labels()[view] == [title], "the store view's new title")
    assert all(found != [title] for code, found in labels().items() if code != view)
    feeds_pipeline.wait_clean(FEEDS)
    execute(sql, "DELETE FROM catalog_product_option WHERE option_id = %s", option_id)
    feeds_pipeline.wait_until(
        lambda: not any(labels().values()), "the deleted option gone from every view"
    )
    feeds_pipeline.wait_clean(FEEDS)
