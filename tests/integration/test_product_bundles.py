"""Bundle products on the real stack (issue #14): the snapshot carries every bundle option
and selection the tables hold with the exporter's type ``bundle_fixed``; an option's title
edit, a selection's price and a new selection reach the bundle's ``optionsV2``; an offered
product's rename reaches the bundle; each converging to what verify projects. On the shared
``feeds_pipeline``: no sync of its own."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.magento_ops import execute
from tests.integration.pipeline import Pipeline
from tests.integration.test_product_media_urls import FEEDS, of_product

pytestmark = pytest.mark.integration

# Each store view of a bundle's websites.
_BUNDLE_VIEWS = (
    "JOIN catalog_product_entity p ON p.entity_id = {parent} AND p.type_id = 'bundle' "
    "JOIN catalog_product_website w ON w.product_id = p.entity_id "
    "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0"
)


def _bundle_entries(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in item["optionsV2"] if o["type"] == "bundle"]


def test_the_snapshot_carries_every_bundle_option(feeds_pipeline: Pipeline, sql: Any) -> None:
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    items = [i for i in feeds_pipeline.receiver.items("products").values() if not i["deleted"]]
    (options,) = execute(
        sql,
        "SELECT COUNT(*) FROM catalog_product_bundle_option o "
        + _BUNDLE_VIEWS.format(parent="o.parent_id"),
    )[0]
    (selections,) = execute(
        sql,
        "SELECT COUNT(*) FROM catalog_product_bundle_selection b "
        + _BUNDLE_VIEWS.format(parent="b.parent_product_id"),
    )[0]
    ((fixed, bundles),) = execute(
        sql,
        "SELECT SUM(pt.value = 1), COUNT(*) FROM catalog_product_entity p "
        "JOIN catalog_product_website w ON w.product_id = p.entity_id "
        "JOIN store s ON s.website_id = w.website_id AND s.store_id > 0 "
        "JOIN catalog_product_entity_int pt ON pt.entity_id = p.entity_id AND pt.store_id = 0 "
        "JOIN eav_attribute a ON a.attribute_id = pt.attribute_id "
        "AND a.attribute_code = 'price_type' WHERE p.type_id = 'bundle'",
    )
    assert options > 0
    assert selections > options
    assert 0 < fixed < bundles
    assert sum(len(_bundle_entries(i)) for i in items) == options
    assert sum(len(o["values"]) for i in items for o in _bundle_entries(i)) == selections
    assert sum(i["type"] == "bundle_fixed" for i in items) == fixed
    assert sum(i["type"] == "bundle" for i in items) == bundles - fixed
    price_types = {v["priceType"] for i in items for o in _bundle_entries(i) for v in o["values"]}
    assert price_types == {"fixed", "percent"}


def test_a_bundle_option_edit_updates_options_v2(feeds_pipeline: Pipeline, sql: Any) -> None:
    """A store-0 title edit reaches every store view without a title of its own; a new
    selection of another product joins the option with that product's SKU, name and the
    website's selection price; the product's rename reaches the bundle; a deleted selection
    leaves it."""
    [(option_id, bundle, sku)] = execute(
        sql,
        "SELECT o.option_id, p.entity_id, p.sku FROM catalog_product_bundle_option o "
        "JOIN catalog_product_entity p ON p.entity_id = o.parent_id "
        "WHERE NOT EXISTS (SELECT 1 FROM catalog_product_website w "
        "WHERE w.product_id = p.entity_id AND w.website_id <> 1) "
        "ORDER BY o.option_id LIMIT 1",
    )
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    own_titles = {
        code
        for (code,) in execute(
            sql,
            "SELECT s.code FROM catalog_product_bundle_option_value t "
            "JOIN store s ON s.store_id = t.store_id WHERE t.option_id = %s AND t.store_id > 0",
            option_id,
        )
    }

    def option() -> dict[str, dict[str, Any]]:
        return {
            code: next(o for o in item["optionsV2"] if o["id"] == str(option_id))
            for code, item in of_product(feeds_pipeline, sku).items()
        }

    title = f"Pick one {uuid.uuid4().hex[:6]}"
    execute(
        sql,
        "UPDATE catalog_product_bundle_option_value SET title = %s "
        "WHERE option_id = %s AND store_id = 0",
        title,
        option_id,
    )
    feeds_pipeline.wait_until(
        lambda: all(o["label"] == title for c, o in option().items() if c not in own_titles),
        "the new store-0 title in every store view without its own",
    )
    assert all(o["label"] != title for c, o in option().items() if c in own_titles)

    # A new selection of a product the bundle does not offer yet, priced for website 1.
    [(child, child_sku, name)] = execute(
        sql,
        "SELECT c.entity_id, c.sku, v.value FROM catalog_product_entity c "
        "JOIN catalog_product_entity_varchar v ON v.entity_id = c.entity_id AND v.store_id = 0 "
        "JOIN eav_attribute a ON a.attribute_id = v.attribute_id AND a.attribute_code = 'name' "
        "AND a.entity_type_id = 4 "
        "WHERE c.type_id = 'simple' AND c.entity_id NOT IN "
        "(SELECT product_id FROM catalog_product_bundle_selection WHERE parent_product_id = %s) "
        "ORDER BY c.entity_id LIMIT 1",
        bundle,
    )
    selection_id = execute(
        sql,
        "INSERT INTO catalog_product_bundle_selection (option_id, parent_product_id, product_id, "
        "position, is_default, selection_price_type, selection_price_value, selection_qty, "
        "selection_can_change_qty) VALUES (%s, %s, %s, 99, 0, 0, '3.0000', '2.0000', 1) "
        "RETURNING selection_id",
        option_id,
        bundle,
        child,
    )[0][0]
    execute(
        sql,
        "INSERT INTO catalog_product_bundle_selection_price (selection_id, website_id, "
        "selection_price_type, selection_price_value, parent_product_id) "
        "VALUES (%s, 1, 0, '2.5000', %s)",
        selection_id,
        bundle,
    )

    def added() -> list[dict[str, Any]]:
        return [v for o in option().values() for v in o["values"] if v["sku"] == child_sku]

    feeds_pipeline.wait_until(
        lambda: len(added()) == len(option()) and all(float(v["price"]) == 2.5 for v in added()),
        "the new selection, at website 1's price, in every store view",
    )
    assert all(v["qty"] == 2 for v in added())
    assert name in {v["label"] for v in added()}
    feeds_pipeline.wait_clean(FEEDS)

    renamed = f"Renamed {uuid.uuid4().hex[:6]}"
    execute(
        sql,
        "UPDATE catalog_product_entity_varchar v JOIN eav_attribute a "
        "ON a.attribute_id = v.attribute_id AND a.attribute_code = 'name' "
        "AND a.entity_type_id = 4 SET v.value = %s WHERE v.entity_id = %s AND v.store_id = 0",
        renamed,
        child,
    )
    feeds_pipeline.wait_until(
        lambda: renamed in {v["label"] for v in added()}, "the offered product's new name"
    )
    feeds_pipeline.wait_clean(FEEDS)

    execute(
        sql, "DELETE FROM catalog_product_bundle_selection WHERE selection_id = %s", selection_id
    )
    feeds_pipeline.wait_until(lambda: not added(), "the deleted selection gone from every view")
    feeds_pipeline.wait_clean(FEEDS)
