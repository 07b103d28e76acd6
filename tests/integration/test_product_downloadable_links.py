"""Downloadable products' links on the real stack (issue #14): the snapshot carries every link
the tables hold in each store view, a new link reaches every store view, its store view's new
title that store view alone, a website's new price the store views of that website alone, and
its delete every store view, each converging to what verify projects. On the shared
``feeds_pipeline``: no sync of its own."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest

from tests.integration.magento_ops import execute
from tests.integration.pipeline import Pipeline
from tests.integration.test_product_media_urls import FEEDS, of_product

pytestmark = pytest.mark.integration

# Each (downloadable product, store view of its websites), and each link there.
_VIEWS = (
    "(SELECT p.entity_id FROM catalog_product_entity p "
    "JOIN catalog_product_website w ON w.product_id = p.entity_id "
    "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0 "
    "WHERE p.type_id = 'downloadable') v"
)
_LINKS_IN_VIEWS = (
    f"SELECT COUNT(*) FROM downloadable_link l JOIN {_VIEWS} ON v.entity_id = l.product_id"
)


def _uid(link_id: int) -> str:
    return base64.b64encode(f"downloadable/{link_id}".encode()).decode()


def _links_entry(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in item["optionsV2"] if o["type"] == "downloadable"]


def test_the_snapshot_carries_every_link_in_every_store_view(
    feeds_pipeline: Pipeline, sql: Any
) -> None:
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    items = [i for i in feeds_pipeline.receiver.items("products").values() if not i["deleted"]]
    (views,) = execute(sql, f"SELECT COUNT(*) FROM {_VIEWS}")[0]
    (links,) = execute(sql, _LINKS_IN_VIEWS)[0]
    (sampled,) = execute(
        sql, _LINKS_IN_VIEWS + " WHERE l.sample_url IS NOT NULL OR l.sample_file IS NOT NULL"
    )[0]
    assert links > 0
    entries = [entry for item in items for entry in _links_entry(item)]
    assert len(entries) == views  # one per downloadable and store view
    values = [value for entry in entries for value in entry["values"]]
    assert len(values) == links
    assert sum(value["infoUrl"] is not None for value in values) == sampled
    assert all(
        "/downloadable/download/linkSample/link_id/" in v["infoUrl"] for v in values if v["infoUrl"]
    )
    # links_purchased_separately (global): a boolean in every store view of a downloadable
    # with a value, null on every other product
    (separately,) = execute(
        sql,
        f"SELECT COUNT(*) FROM {_VIEWS} JOIN catalog_product_entity_int i "
        "ON i.entity_id = v.entity_id AND i.store_id = 0 JOIN eav_attribute a "
        "ON a.attribute_id = i.attribute_id AND a.attribute_code = 'links_purchased_separately' "
        "WHERE i.value = 1",
    )[0]
    flags = [item.get("linksPurchasedSeparately") for item in items]
    assert 0 < flags.count(True) == separately
    assert flags.count(False) == views - separately
    assert flags.count(None) == len(items) - views


def _link_values(pipeline: Pipeline, sku: str, link_id: int) -> dict[str, dict[str, Any]]:
    """store view → the link's value in the product's downloadable entry there."""
    found = {}
    for code, item in of_product(pipeline, sku).items():
        for entry in _links_entry(item):
            for value in entry["values"]:
                if value["id"] == _uid(link_id):
                    found[code] = value
    return found


def test_a_new_link_its_title_its_website_price_and_its_delete(
    feeds_pipeline: Pipeline, sql: Any
) -> None:
    """Title and price rows name their link only: the link's entity carries them to the
    product; the link's delete cascades them away without a binlog event. The test makes its
    own link, on a downloadable it puts in both websites, so that the property test's
    mutations before it (which delete links) cannot leave it nothing to edit."""
    [(product_id, sku)] = execute(
        sql,
        "SELECT entity_id, sku FROM catalog_product_entity WHERE type_id = 'downloadable' "
        "ORDER BY entity_id LIMIT 1",
    )
    views = {
        code: (int(store_id), int(website_id))
        for store_id, code, website_id in execute(
            sql, "SELECT store_id, code, website_id FROM store WHERE website_id IN (1, 2)"
        )
    }
    [(store_id, view)] = execute(
        sql, "SELECT store_id, code FROM store WHERE website_id = 1 ORDER BY store_id LIMIT 1"
    )
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    execute(
        sql,
        "INSERT IGNORE INTO catalog_product_website (product_id, website_id) "
        "VALUES (%s, 1), (%s, 2)",
        product_id,
        product_id,
    )
    execute(
        sql,
        "INSERT INTO downloadable_link (product_id, sort_order, number_of_downloads, "
        "link_file, link_type) VALUES (%s, 99, 4, '/l/i/test.zip', 'file')",
        product_id,
    )
    [(link_id,)] = execute(sql, "SELECT MAX(link_id) FROM downloadable_link")
    name = f"Edition {uuid.uuid4().hex[:6]}"
    execute(
        sql,
        "INSERT INTO downloadable_link_title (link_id, store_id, title) VALUES (%s, 0, %s)",
        link_id,
        name,
    )
    execute(
        sql,
        "INSERT INTO downloadable_link_price (link_id, website_id, price) VALUES (%s, 0, %s)",
        link_id,
        "12.5000",
    )

    def found() -> dict[str, tuple[Any, float, int]]:
        return {
            code: (value["label"], float(value["price"]), value["qty"])
            for code, value in _link_values(feeds_pipeline, sku, link_id).items()
        }

    feeds_pipeline.wait_until(
        lambda: found() == dict.fromkeys(views, (name, 12.5, 4)), "the new link in every view"
    )

    title = f"Complete {uuid.uuid4().hex[:6]}"
    execute(
        sql,
        "INSERT INTO downloadable_link_title (link_id, store_id, title) VALUES (%s, %s, %s)",
        link_id,
        store_id,
        title,
    )
    feeds_pipeline.wait_until(lambda: found()[view][0] == title, "the store view's new title")
    assert {code: label for code, (label, _, _) in found().items() if label != name} == {
        view: title
    }

    # A price of website 2, as the admin saves it (delete, then insert).
    execute(
        sql, "DELETE FROM downloadable_link_price WHERE link_id = %s AND website_id = 2", link_id
    )
    execute(
        sql,
        "INSERT INTO downloadable_link_price (link_id, website_id, price) VALUES (%s, 2, %s)",
        link_id,
        "987.6500",
    )
    expected = {code: 987.65 if website == 2 else 12.5 for code, (_, website) in views.items()}
    feeds_pipeline.wait_until(
        lambda: {code: price for code, (_, price, _) in found().items()} == expected,
        "the website's new price in its store views alone",
    )
    feeds_pipeline.wait_clean(FEEDS)

    execute(sql, "DELETE FROM downloadable_link WHERE link_id = %s", link_id)
    feeds_pipeline.wait_until(lambda: not found(), "the deleted link gone from every view")
    assert set(of_product(feeds_pipeline, sku)) == set(views)  # the product's items stay
    feeds_pipeline.wait_clean(FEEDS)
