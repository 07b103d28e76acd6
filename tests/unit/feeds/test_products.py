"""Projection as pure logic: row changes → state → items, without services."""

from __future__ import annotations

import itertools
from typing import Any

from feeds.feed import changed_items, diff_items
from feeds.item import item_id
from feeds.products import PRODUCTS, apply_product_change, build_products, product_key
from feeds.reference import Reference, ReferenceKind, apply_reference
from feeds.scopes import SCOPES_WEBSITE, build_customer_groups, build_websites
from streams.decode import RowChange, SourcePosition

_POSITIONS = itertools.count(1)


def change(table: str, op: str, before: Any = None, after: Any = None) -> RowChange:
    position = next(_POSITIONS)
    return RowChange(
        table=table,
        op=op,
        key={},
        before=before,
        after=after,  # type: ignore[arg-type]
        position=SourcePosition("mariadb-bin.000001", position * 10, 0, None, None),
        ts_ms=0,
    )


def reference() -> dict[str, Any]:
    store: dict[str, Any] = {}
    rows = [
        ("store_website", {"website_id": 0, "code": "admin"}),
        ("store_website", {"website_id": 1, "code": "base"}),
        ("store_website", {"website_id": 2, "code": "second"}),
        ("store_group", {"group_id": 1, "website_id": 1, "code": "main", "root_category_id": 2}),
        ("store_group", {"group_id": 2, "website_id": 2, "code": "other", "root_category_id": 3}),
        ("store", {"store_id": 0, "code": "admin", "website_id": 0, "group_id": 0}),
        ("store", {"store_id": 1, "code": "default", "website_id": 1, "group_id": 1}),
        ("store", {"store_id": 2, "code": "fr", "website_id": 1, "group_id": 1}),
        ("store", {"store_id": 3, "code": "de", "website_id": 2, "group_id": 2}),
        ("customer_group", {"customer_group_id": 0, "customer_group_code": "NOT LOGGED IN"}),
        (
            "eav_attribute",
            {
                "attribute_id": 73,
                "entity_type_id": 4,
                "attribute_code": "name",
                "backend_type": "varchar",
                "frontend_input": "text",
                "is_user_defined": 0,
            },
        ),
        (
            "eav_attribute",
            {
                "attribute_id": 200,
                "entity_type_id": 4,
                "attribute_code": "color",
                "backend_type": "int",
                "frontend_input": "select",
                "is_user_defined": 1,
            },
        ),
        ("eav_attribute_option", {"option_id": 5, "attribute_id": 200, "sort_order": 0}),
        (
            "eav_attribute_option_value",
            {"value_id": 1, "option_id": 5, "store_id": 0, "value": "Red"},
        ),
        (
            "eav_attribute_option_value",
            {"value_id": 2, "option_id": 5, "store_id": 2, "value": "Rouge"},
        ),
        (
            "catalog_category_entity",
            {"entity_id": 10, "parent_id": 2, "path": "1/2/10", "level": 2, "position": 1},
        ),
    ]
    for table, row in rows:
        apply_reference(store, change(table, "r", after=row))
    return store


def product(*rows: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    state = None
    for table, row in rows:
        state = apply_product_change(state, change(table, "r", after=row))
    assert state is not None
    return state


BASE_PRODUCT = (
    (
        "catalog_product_entity",
        {
            "entity_id": 42,
            "sku": "SKU-42",
            "type_id": "simple",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-02T00:00:00.000Z",
        },
    ),
    (
        "catalog_product_entity_varchar",
        {"value_id": 1, "attribute_id": 73, "store_id": 0, "entity_id": 42, "value": "Shirt"},
    ),
    (
        "catalog_product_entity_varchar",
        {"value_id": 2, "attribute_id": 73, "store_id": 2, "entity_id": 42, "value": "Chemise"},
    ),
    (
        "catalog_product_entity_int",
        {"value_id": 3, "attribute_id": 200, "store_id": 0, "entity_id": 42, "value": 5},
    ),
    ("catalog_product_website", {"product_id": 42, "website_id": 1}),
    (
        "catalog_category_product",
        {"entity_id": 9, "category_id": 10, "product_id": 42, "position": 3},
    ),
    (
        "catalog_category_product",
        {"entity_id": 8, "category_id": 99, "product_id": 42, "position": 1},
    ),
)


def test_rows_are_rekeyed_to_their_product() -> None:
    assert (
        product_key(
            change("catalog_product_website", "c", after={"product_id": 42, "website_id": 1})
        )
        == "42"
    )
    assert product_key(change("store", "c", after={"store_id": 1})) is None


def test_one_item_per_store_view_of_the_products_websites_with_fallback() -> None:
    items = build_products(product(*BASE_PRODUCT), Reference(reference()))
    by_view = {item["storeViewCode"]: item for item in items}
    assert set(by_view) == {"default", "fr"}  # website 2's "de" is not linked
    assert by_view["default"]["name"] == "Shirt"
    assert by_view["fr"]["name"] == "Chemise"
    assert by_view["fr"]["storeCode"] == "main"
    assert by_view["fr"]["websiteCode"] == "base"
    assert by_view["default"]["updatedAt"] == "2026-01-02T00:00:00Z"


def test_select_attributes_resolve_option_labels_per_store_view() -> None:
    items = build_products(product(*BASE_PRODUCT), Reference(reference()))
    by_view = {item["storeViewCode"]: item for item in items}
    assert by_view["default"]["attributes"] == [
        {"attributeCode": "color", "value": ["Red"], "valueId": ["5"]}
    ]
    assert by_view["fr"]["attributes"][0]["value"] == ["Rouge"]


def test_links_to_deleted_categories_are_dropped() -> None:
    (item, _) = build_products(product(*BASE_PRODUCT), Reference(reference()))
    assert item["categoryIds"] == ["10"]
    assert item["categoryData"] == [
        {"categoryId": "10", "categoryPath": "1/2/10", "productPosition": 3}
    ]


def test_deleting_the_product_drops_its_state_and_every_item_is_deleted() -> None:
    state = product(*BASE_PRODUCT)
    payloads = build_products(state, Reference(reference()))
    _, held = diff_items(PRODUCTS, {}, payloads)
    assert (
        apply_product_change(state, change("catalog_product_entity", "d", before={"entity_id": 42}))
        is None
    )
    emit, now_held = diff_items(PRODUCTS, held, [])
    assert now_held == {}
    assert sorted(p["storeViewCode"] for _, p in emit) == ["default", "fr"]
    assert all(
        p == {"sku": "SKU-42", "storeViewCode": p["storeViewCode"], "deleted": True}
        for _, p in emit
    )
    assert {i for i, _ in emit} == {item_id(["SKU-42", "default"]), item_id(["SKU-42", "fr"])}


def test_website_unassignment_deletes_that_websites_items() -> None:
    state = product(*BASE_PRODUCT, ("catalog_product_website", {"product_id": 42, "website_id": 2}))
    ref = Reference(reference())
    _, held = diff_items(PRODUCTS, {}, build_products(state, ref))
    assert len(held) == 3
    state = apply_product_change(
        state, change("catalog_product_website", "d", before={"product_id": 42, "website_id": 2})
    )
    assert state is not None
    emit, held = diff_items(PRODUCTS, held, build_products(state, ref))
    assert [p for _, p in emit if p.get("deleted")] == [
        {"sku": "SKU-42", "storeViewCode": "de", "deleted": True}
    ]
    assert len(held) == 2


def test_a_rebuild_emits_only_what_changed_and_what_went() -> None:
    state = product(*BASE_PRODUCT)
    ref = Reference(reference())
    first, held = changed_items(PRODUCTS, {}, build_products(state, ref))
    assert len(first) == 2
    again, same = changed_items(PRODUCTS, held, build_products(state, ref))
    assert again == []
    assert same == held
    renamed = apply_product_change(
        state,
        change(
            "catalog_product_entity_varchar",
            "c",
            after={"attribute_id": 73, "store_id": 2, "entity_id": 42, "value": "Nom"},
        ),
    )
    assert renamed is not None
    emit, _ = changed_items(PRODUCTS, held, build_products(renamed, ref))
    assert [(p["storeViewCode"], p["name"]) for _, p in emit] == [("fr", "Nom")]
    gone, now_held = changed_items(PRODUCTS, held, [])
    assert now_held == {}
    assert sorted(p["storeViewCode"] for _, p in gone if p["deleted"]) == ["default", "fr"]


def test_option_delete_drops_its_labels_and_reports_the_kind() -> None:
    store = reference()
    kind = apply_reference(
        store, change("eav_attribute_option", "d", before={"option_id": 5, "attribute_id": 200})
    )
    assert kind is ReferenceKind.OPTIONS
    assert Reference(store).option_label(5, 0) is None


def test_reference_version_only_grows() -> None:
    store = reference()
    version = Reference(store).version
    apply_reference(
        store,
        change(
            "store",
            "u",
            before={"store_id": 2},
            after={"store_id": 2, "code": "fr2", "website_id": 1, "group_id": 1},
        ),
    )
    assert Reference(store).version > version


def test_scope_feeds_leave_out_admin_and_nest_groups_and_views() -> None:
    ref = Reference(reference())
    websites = build_websites(ref)
    assert [w["websiteCode"] for w in websites] == ["base", "second"]
    assert websites[0]["stores"] == [
        {
            "storeId": 1,
            "storeCode": "main",
            "storeViews": [
                {"storeViewId": 1, "storeViewCode": "default"},
                {"storeViewId": 2, "storeViewCode": "fr"},
            ],
        }
    ]
    groups = build_customer_groups(ref)
    assert groups == [
        {
            "customerGroupId": 0,
            "customerGroupCode": "NOT LOGGED IN",
            "websites": ["base", "second"],
            "deleted": False,
        }
    ]
    assert SCOPES_WEBSITE.id_of(websites[0]) == item_id([1])
