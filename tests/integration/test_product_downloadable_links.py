"""Downloadable products' links on the real stack (issue #14): the snapshot carries every link
the tables hold in each store view, a store view's new title reaches that store view alone, a
website's new price the store views of that website alone, and a deleted link leaves every
store view, each converging to what verify projects. On the shared ``feeds_pipeline``: no
sync of its own."""

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
    assert 0 < sampled < links
    entries = [entry for item in items for entry in _links_entry(item)]
    assert len(entries) == views  # one per downloadable and store view
    values = [value for entry in entries for value in entry["values"]]
    assert len(values) == links
    assert sum(value["infoUrl"] is not None for value in values) == sampled
    assert all(
        "/downloadable/download/linkSample/link_id/" in v["infoUrl"] for v in values if v["infoUrl"]
    )
    assert {entry["label"] for entry in entries} >= {"Downloads"}


def _link_values(pipeline: Pipeline, sku: str, link_id: int) -> dict[str, dict[str, Any]]:
    """store view → the link's value in the product's downloadable entry there."""
    found = {}
    for code, item in of_product(pipeline, sku).items():
        for entry in _links_entry(item):
            for value in entry["values"]:
                if value["id"] == _uid(link_id):
                    found[code] = value
    return found


def test_a_title_a_website_price_and_a_deleted_link(feeds_pipeline: Pipeline, sql: Any) -> None:
    """Title and price rows name their link only: the link's entity carries them to the
    product; the link's delete cascades them away without a binlog event."""
    # A link of a product in two websites, a store view of it without a title of its own.
    [(link_id, sku, store_id, view, website_id)] = execute(
        sql,
        "SELECT l.link_id, p.sku, s.store_id, s.code, s.website_id FROM downloadable_link l "
        "JOIN catalog_product_entity p ON p.entity_id = l.product_id "
        "JOIN catalog_product_website w ON w.product_id = p.entity_id "
        "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0 "
        "WHERE (SELECT COUNT(*) FROM catalog_product_website o WHERE o.product_id = p.entity_id) "
        "= 2 AND NOT EXISTS (SELECT 1 FROM downloadable_link_title t "
        "WHERE t.link_id = l.link_id AND t.store_id = s.store_id) "
        "ORDER BY l.link_id, s.store_id LIMIT 1",
    )
    in_website = {
        code for (code,) in execute(sql, "SELECT code FROM store WHERE website_id = %s", website_id)
    }
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    before = _link_values(feeds_pipeline, sku, link_id)
    assert len(before) >= 2
    others = set(before) - {view}

    title = f"Complete {uuid.uuid4().hex[:6]}"
    execute(
        sql,
        "INSERT INTO downloadable_link_title (link_id, store_id, title) VALUES (%s, %s, %s)",
        link_id,
        store_id,
        title,
    )
    feeds_pipeline.wait_until(
        lambda: _link_values(feeds_pipeline, sku, link_id)[view]["label"] == title,
        "the store view's new title",
    )
    labels = {code: v["label"] for code, v in _link_values(feeds_pipeline, sku, link_id).items()}
    assert {labels[code] for code in others} == {before[code]["label"] for code in others}
    assert title not in {labels[code] for code in others}

    # A price of the store view's website, as the admin saves it (delete, then insert).
    execute(
        sql,
        "DELETE FROM downloadable_link_price WHERE link_id = %s AND website_id = %s",
        link_id,
        website_id,
    )
    execute(
        sql,
        "INSERT INTO downloadable_link_price (link_id, website_id, price) VALUES (%s, %s, %s)",
        link_id,
        website_id,
        "987.6500",
    )

    def prices() -> dict[str, float]:
        return {
            code: float(v["price"])
            for code, v in _link_values(feeds_pipeline, sku, link_id).items()
        }

    feeds_pipeline.wait_until(
        lambda: {prices()[code] for code in in_website & set(before)} == {987.65},
        "the website's new price in its store views",
    )
    outside = set(before) - in_website
    assert outside
    assert all(prices()[code] == float(before[code]["price"]) for code in outside)
    feeds_pipeline.wait_clean(FEEDS)

    execute(sql, "DELETE FROM downloadable_link WHERE link_id = %s", link_id)
    feeds_pipeline.wait_until(
        lambda: not _link_values(feeds_pipeline, sku, link_id),
        "the deleted link gone from every view",
    )
    assert len(of_product(feeds_pipeline, sku)) == len(before)  # the product's items stay
    feeds_pipeline.wait_clean(FEEDS)
