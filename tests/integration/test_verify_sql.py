"""The verify projection against the local MariaDB (small profile), checked with simple SQL.

Read-only: these tests only SELECT, so they can run beside the CDC tests on the same database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.database import connect
from feeds.item import item_id
from feedsync.settings import load_settings
from feedsync.verify import project

pytestmark = pytest.mark.integration

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
DECIMAL = re.compile(r"^-?\d+\.\d+$")


@pytest.fixture(scope="module")
def db() -> Iterator[Any]:
    connection = connect(load_settings(), autocommit=True)
    try:
        yield connection
    finally:
        connection.close()


@pytest.fixture(scope="module")
def products(db: Any) -> dict[str, dict[str, Any]]:
    return project(db, "products")


def rows(db: Any, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with db.cursor() as cursor:
        cursor.execute(sql, args or None)
        return list(cursor.fetchall())


def by_sku(products: dict[str, dict[str, Any]], sku: str, view: str) -> dict[str, Any]:
    return products[item_id([sku, view])]


def test_one_product_item_per_sku_and_store_view_of_its_websites(
    db: Any, products: dict[str, dict[str, Any]]
) -> None:
    [(count,)] = rows(
        db,
        "SELECT COUNT(*) FROM catalog_product_website pw "
        "JOIN store_website w ON w.website_id = pw.website_id "
        "JOIN store s ON s.website_id = pw.website_id AND s.store_id > 0",
    )
    assert count > 0
    assert len(products) == count
    for key, payload in products.items():
        assert key == item_id([payload["sku"], payload["storeViewCode"]])
        assert payload["deleted"] is False
        assert "modifiedAt" not in payload


def test_store_view_name_overrides_and_falls_back(
    db: Any, products: dict[str, dict[str, Any]]
) -> None:
    [(sku, override, default)] = rows(
        db,
        "SELECT e.sku, sv.value, dv.value FROM catalog_product_entity e "
        "JOIN eav_attribute a ON a.entity_type_id = 4 AND a.attribute_code = 'name' "
        "JOIN catalog_product_entity_varchar sv ON sv.entity_id = e.entity_id "
        "  AND sv.attribute_id = a.attribute_id AND sv.store_id = 2 "
        "JOIN catalog_product_entity_varchar dv ON dv.entity_id = e.entity_id "
        "  AND dv.attribute_id = a.attribute_id AND dv.store_id = 0 "
        "JOIN catalog_product_website pw ON pw.product_id = e.entity_id AND pw.website_id = 1 "
        "WHERE sv.value <> dv.value ORDER BY e.entity_id LIMIT 1",
    )
    assert by_sku(products, sku, "fr")["name"] == override
    assert by_sku(products, sku, "default")["name"] == default


def test_store_view_status_override(db: Any, products: dict[str, dict[str, Any]]) -> None:
    [(sku, status)] = rows(
        db,
        "SELECT e.sku, v.value FROM catalog_product_entity e "
        "JOIN eav_attribute a ON a.entity_type_id = 4 AND a.attribute_code = 'status' "
        "JOIN catalog_product_entity_int v ON v.entity_id = e.entity_id "
        "  AND v.attribute_id = a.attribute_id AND v.store_id = 3 "
        "ORDER BY e.entity_id LIMIT 1",
    )
    assert by_sku(products, sku, "second_en")["status"] == {1: "Enabled", 2: "Disabled"}[status]


def test_select_attribute_uses_the_store_view_option_label(
    db: Any, products: dict[str, dict[str, Any]]
) -> None:
    [(sku, code, option_id, label_fr, label_default)] = rows(
        db,
        "SELECT e.sku, a.attribute_code, v.value, lf.value, l0.value "
        "FROM catalog_product_entity e "
        "JOIN catalog_product_website pw ON pw.product_id = e.entity_id AND pw.website_id = 1 "
        "JOIN catalog_product_entity_int v ON v.entity_id = e.entity_id AND v.store_id = 0 "
        "JOIN eav_attribute a ON a.attribute_id = v.attribute_id "
        "  AND a.is_user_defined = 1 AND a.frontend_input = 'select' "
        "JOIN eav_attribute_option_value lf ON lf.option_id = v.value AND lf.store_id = 2 "
        "JOIN eav_attribute_option_value l0 ON l0.option_id = v.value AND l0.store_id = 0 "
        "WHERE lf.value <> l0.value ORDER BY e.entity_id LIMIT 1",
    )
    for view, label in (("fr", label_fr), ("default", label_default)):
        [entry] = [
            a for a in by_sku(products, sku, view)["attributes"] if a["attributeCode"] == code
        ]
        assert entry == {"attributeCode": code, "value": [label], "valueId": [str(option_id)]}


def test_product_field_formats(products: dict[str, dict[str, Any]]) -> None:
    for payload in products.values():
        assert TIMESTAMP.match(payload["createdAt"])
        assert TIMESTAMP.match(payload["updatedAt"])
        assert payload["weight"] is None or DECIMAL.match(payload["weight"])
        assert isinstance(payload["productId"], int)
        assert isinstance(payload["taxClassId"], str)
        codes = [a["attributeCode"] for a in payload["attributes"]]
        assert codes == sorted(codes)
        ids = payload["categoryIds"]
        assert ids == sorted(ids, key=int)
        assert ids == [c["categoryId"] for c in payload["categoryData"]]


def test_timestamps_are_utc(db: Any, products: dict[str, dict[str, Any]]) -> None:
    # UNIX_TIMESTAMP of a TIMESTAMP column is the true epoch whatever the session time zone.
    epochs = {
        entity_id: (created, updated)
        for entity_id, created, updated in rows(
            db,
            "SELECT entity_id, UNIX_TIMESTAMP(created_at), UNIX_TIMESTAMP(updated_at) "
            "FROM catalog_product_entity",
        )
    }

    def utc(epoch: Any) -> str:
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    for payload in products.values():
        created, updated = epochs[payload["productId"]]
        assert (payload["createdAt"], payload["updatedAt"]) == (utc(created), utc(updated))


def test_scopes_website_lists_store_views_per_website(db: Any) -> None:
    items = project(db, "scopesWebsite")
    websites = rows(db, "SELECT website_id, code FROM store_website WHERE website_id > 0")
    assert len(items) == len(websites)
    for website_id, code in websites:
        item = items[item_id([website_id])]
        assert item["websiteCode"] == code
        views = [view["storeViewCode"] for store in item["stores"] for view in store["storeViews"]]
        expected = rows(
            db,
            "SELECT s.code FROM store s JOIN store_group g ON g.group_id = s.group_id "
            "WHERE g.website_id = %s AND s.store_id > 0 AND g.group_id > 0 "
            "ORDER BY g.group_id, s.store_id",
            website_id,
        )
        assert views == [code for (code,) in expected]


def test_scopes_customer_group_lists_every_website(db: Any) -> None:
    items = project(db, "scopesCustomerGroup")
    groups = rows(db, "SELECT customer_group_id FROM customer_group")
    codes = sorted(
        code for (code,) in rows(db, "SELECT code FROM store_website WHERE website_id > 0")
    )
    assert len(items) == len(groups)
    for (group_id,) in groups:
        assert items[item_id([group_id])] == {
            "customerGroupId": group_id,
            "customerGroupCode": hashlib.sha1(str(group_id).encode()).hexdigest(),
            "websites": codes,
            "deleted": False,
        }
