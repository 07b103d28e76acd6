"""Products' URLs and media on the real stack (issue #14): the snapshot carries them, a URL
key change moves ``url`` and ``urlRewrites`` in every store view, an image role change
shows in ``image``/``smallImage`` and ``images[].roles``, and a deleted gallery entry
leaves every product it was linked to, each converging to what verify projects."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.magento_ops import execute
from tests.integration.pipeline import Pipeline

pytestmark = pytest.mark.integration

FEEDS = ("products",)


def of_product(pipeline: Pipeline, sku: str) -> dict[str, dict[str, Any]]:
    """The receiver's live products items of ``sku``, by store view."""
    return {
        item["storeViewCode"]: item
        for item in pipeline.receiver.items("products").values()
        if item.get("sku") == sku and not item.get("deleted")
    }


def test_the_snapshot_carries_urls_and_media(feeds_pipeline: Pipeline, sql: Any) -> None:
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    items = [i for i in feeds_pipeline.receiver.items("products").values() if not i["deleted"]]
    (rewritten,) = execute(
        sql,
        "SELECT COUNT(DISTINCT u.entity_id, u.store_id) FROM url_rewrite u "
        "JOIN catalog_product_entity p ON p.entity_id = u.entity_id "
        "JOIN store s ON s.store_id = u.store_id "
        "JOIN catalog_product_website w ON w.product_id = p.entity_id "
        "AND w.website_id = s.website_id WHERE u.entity_type = 'product'",
    )[0]
    assert rewritten > 0
    assert sum(1 for i in items if i["urlRewrites"]) == rewritten
    assert sum(1 for i in items if i["images"]) > 0
    assert sum(1 for i in items if i["videos"]) > 0
    assert all(i["url"].startswith("http") for i in items)
    # Related, up-sell and cross-sell products: one entry per link and store view where
    # both products are.
    (linked,) = execute(
        sql,
        "SELECT COUNT(*) FROM catalog_product_link l JOIN store s ON s.store_id > 0 "
        "JOIN catalog_product_website pw ON pw.product_id = l.product_id "
        "AND pw.website_id = s.website_id "
        "JOIN catalog_product_website qw ON qw.product_id = l.linked_product_id "
        "AND qw.website_id = s.website_id WHERE l.link_type_id IN (1, 4, 5)",
    )[0]
    assert linked > 0
    assert sum(len(i["links"]) for i in items) == linked
    # Downloadable samples: one entry per sample and store view of its product's websites.
    (sampled,) = execute(
        sql,
        "SELECT COUNT(*) FROM downloadable_sample d JOIN store s ON s.store_id > 0 "
        "JOIN catalog_product_website pw ON pw.product_id = d.product_id "
        "AND pw.website_id = s.website_id",
    )[0]
    assert sampled > 0
    assert sum(len(i["samples"]) for i in items) == sampled


def test_a_samples_title_and_its_delete_reach_every_store_view(
    feeds_pipeline: Pipeline, sql: Any
) -> None:
    """A title row names its sample only: the sample's entity carries it to the product."""
    [(sample_id, sku)] = execute(
        sql,
        "SELECT d.sample_id, p.sku FROM downloadable_sample d "
        "JOIN catalog_product_entity p ON p.entity_id = d.product_id "
        "ORDER BY d.sample_id LIMIT 1",
    )
    feeds_pipeline.wait_clean(FEEDS, timeout_s=300)
    title = f"Renamed {uuid.uuid4().hex[:6]}"
    execute(
        sql,
        "UPDATE downloadable_sample_title SET title = %s WHERE sample_id = %s AND store_id = 0",
        title,
        sample_id,
    )
    url = f"downloadable/download/sample/sample_id/{sample_id}"

    def labels() -> set[Any]:
        return {
            s["resource"]["label"]
            for item in of_product(feeds_pipeline, sku).values()
            for s in item["samples"]
            if s["resource"]["url"].endswith(url)
        }

    feeds_pipeline.wait_until(lambda: title in labels(), "the new title")
    feeds_pipeline.wait_clean(FEEDS)
    execute(sql, "DELETE FROM downloadable_sample WHERE sample_id = %s", sample_id)
    feeds_pipeline.wait_until(lambda: not labels(), "the deleted sample gone from every view")
    feeds_pipeline.wait_clean(FEEDS)


def test_a_url_key_change_moves_url_and_rewrites_in_every_store_view(
    feeds_pipeline: Pipeline, sql: Any
) -> None:
    # A product with a canonical rewrite in each store view of its websites and no store
    # view's own url_key: renaming store 0's moves all of them.
    rows = execute(
        sql,
        "SELECT p.entity_id, p.sku, v.value FROM catalog_product_entity p "
        "JOIN catalog_product_entity_varchar v ON v.entity_id = p.entity_id AND v.store_id = 0 "
        "JOIN eav_attribute a ON a.attribute_id = v.attribute_id "
        "AND a.attribute_code = 'url_key' AND a.entity_type_id = 4 "
        "WHERE NOT EXISTS (SELECT 1 FROM catalog_product_entity_varchar o "
        "WHERE o.entity_id = p.entity_id AND o.attribute_id = v.attribute_id AND o.store_id > 0) "
        "AND (SELECT COUNT(*) FROM url_rewrite u WHERE u.entity_type = 'product' "
        "AND u.entity_id = p.entity_id AND u.redirect_type = 0 AND u.metadata IS NULL) > 1 "
        "ORDER BY p.entity_id LIMIT 1",
    )
    entity_id, sku, old_key = rows[0]
    new_key = f"{old_key}-{uuid.uuid4().hex[:6]}"
    views = execute(
        sql,
        "SELECT u.store_id, u.request_path, s.code FROM url_rewrite u "
        "JOIN store s ON s.store_id = u.store_id WHERE u.entity_type = 'product' "
        "AND u.entity_id = %s AND u.redirect_type = 0 AND u.metadata IS NULL",
        entity_id,
    )
    # What Magento's URL rewrite module does on save: the canonical paths move, and each old
    # path becomes a permanent redirect to the new one.
    execute(
        sql,
        "UPDATE catalog_product_entity_varchar v JOIN eav_attribute a "
        "ON a.attribute_id = v.attribute_id AND a.attribute_code = 'url_key' "
        "AND a.entity_type_id = 4 SET v.value = %s WHERE v.entity_id = %s AND v.store_id = 0",
        new_key,
        entity_id,
    )
    for store_id, request_path, _ in views:
        execute(
            sql,
            "UPDATE url_rewrite SET request_path = %s WHERE entity_type = 'product' "
            "AND entity_id = %s AND store_id = %s AND request_path = %s",
            f"{new_key}.html",
            entity_id,
            store_id,
            request_path,
        )
        execute(
            sql,
            "INSERT INTO url_rewrite (entity_type, entity_id, request_path, target_path, "
            "redirect_type, store_id, is_autogenerated) VALUES ('product', %s, %s, %s, 301, %s, 0)",
            entity_id,
            request_path,
            f"{new_key}.html",
            store_id,
        )
    codes = {code for _, _, code in views}

    def moved() -> bool:
        items = of_product(feeds_pipeline, sku)
        return all(
            code in items
            and items[code]["url"].endswith(f"/{new_key}.html")
            and items[code]["urlKey"] == new_key
            and any(r["url"].endswith(f"/{old_key}.html") for r in items[code]["urlRewrites"])
            for code in codes
        )

    feeds_pipeline.wait_until(moved, "the new URL in every store view")
    assert len(codes) > 1
    feeds_pipeline.wait_clean(FEEDS)


def test_image_roles_and_a_deleted_gallery_entry(feeds_pipeline: Pipeline, sql: Any) -> None:
    rows = execute(
        sql,
        "SELECT e.entity_id, p.sku, MIN(g.value_id), MAX(g.value_id) "
        "FROM catalog_product_entity_media_gallery_value_to_entity e "
        "JOIN catalog_product_entity_media_gallery g ON g.value_id = e.value_id "
        "AND g.media_type = 'image' "
        "JOIN catalog_product_entity p ON p.entity_id = e.entity_id "
        "JOIN catalog_product_website w ON w.product_id = p.entity_id "
        "WHERE NOT EXISTS (SELECT 1 FROM catalog_product_entity_varchar o "
        "JOIN eav_attribute a ON a.attribute_id = o.attribute_id AND a.entity_type_id = 4 "
        "AND a.attribute_code IN ('image', 'small_image') "
        "WHERE o.entity_id = p.entity_id AND o.store_id > 0) "
        "AND NOT EXISTS (SELECT 1 FROM catalog_product_entity_media_gallery_value_to_entity x "
        "WHERE x.value_id = g.value_id AND x.entity_id <> e.entity_id) "
        "GROUP BY e.entity_id, p.sku HAVING COUNT(*) > 1 ORDER BY e.entity_id LIMIT 1",
    )
    entity_id, sku, first, second = rows[0]
    (file,) = execute(
        sql, "SELECT value FROM catalog_product_entity_media_gallery WHERE value_id = %s", second
    )[0]
    for code in ("image", "small_image"):
        execute(
            sql,
            "INSERT INTO catalog_product_entity_varchar (attribute_id, store_id, entity_id, value) "
            "SELECT attribute_id, 0, %s, %s FROM eav_attribute WHERE attribute_code = %s "
            "AND entity_type_id = 4 ON DUPLICATE KEY UPDATE value = VALUES(value)",
            entity_id,
            file,
            code,
        )

    def in_role() -> bool:
        items = of_product(feeds_pipeline, sku)
        return bool(items) and all(
            item["image"] is not None
            and item["image"]["url"].endswith(file)
            and item["smallImage"]["url"].endswith(file)
            and any(
                i["resource"]["url"].endswith(file)
                and {"image", "small_image"} <= set(i["resource"]["roles"])
                for i in item["images"]
            )
            for item in items.values()
        )

    feeds_pipeline.wait_until(in_role, "the second image in the base and small roles")
    feeds_pipeline.wait_clean(FEEDS)
    before = {code: len(item["images"]) for code, item in of_product(feeds_pipeline, sku).items()}
    # Removing an image from the gallery deletes its entry; InnoDB cascades its links and
    # labels away without a binlog event.
    execute(sql, "DELETE FROM catalog_product_entity_media_gallery WHERE value_id = %s", first)

    def dropped() -> bool:
        items = of_product(feeds_pipeline, sku)
        return all(len(items[code]["images"]) == n - 1 for code, n in before.items())

    feeds_pipeline.wait_until(dropped, "the deleted entry gone from every store view")
    feeds_pipeline.wait_clean(FEEDS)
