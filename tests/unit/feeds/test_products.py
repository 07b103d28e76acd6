"""Projection as pure logic: row changes → state → items, without services."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from feeds.catalog import CATALOG_PROJECTOR
from feeds.change import MalformedRow, RowChange, SourcePosition
from feeds.downloadable import SAMPLES_PROJECTOR
from feeds.engine import EntityRecord, Projection
from feeds.item import item_id
from feeds.memory import MemoryPipeline
from feeds.products import PRODUCTS, apply_product_change, build_products, product_keys
from feeds.reference import Reference, ReferenceKind, apply_reference
from feeds.scopes import SCOPES_WEBSITE, build_customer_groups, build_websites

_POSITIONS = itertools.count(1)


def change(table: str, op: str, before: Any = None, after: Any = None) -> RowChange:
    position = next(_POSITIONS)
    return RowChange(
        table=table,
        op=op,  # type: ignore[arg-type]
        key={},
        before=before,
        after=after,
        position=SourcePosition("mariadb-bin.000001", position * 10, 0, None, None),
        ts_ms=0,
    )


REFERENCE_ROWS: list[tuple[str, dict[str, Any]]] = [
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


def reference() -> dict[str, Any]:
    store: dict[str, Any] = {}
    for table, row in REFERENCE_ROWS:
        apply_reference(store, change(table, "r", after=row))
    return store


def pipeline(*rows: tuple[str, dict[str, Any]]) -> MemoryPipeline:
    """The catalog projector run by the engine over the reference rows, then ``rows``."""
    run = MemoryPipeline([CATALOG_PROJECTOR], strict=True)
    run.feed(change(table, "r", after=row) for table, row in (*REFERENCE_ROWS, *rows))
    return run


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
    assert product_keys(
        change("catalog_product_website", "c", after={"product_id": 42, "website_id": 1})
    ) == ["42"]
    assert product_keys(change("store", "c", after={"store_id": 1})) == []
    rewrite = {"url_rewrite_id": 5, "entity_type": "product", "entity_id": 42, "store_id": 1}
    moved = change("url_rewrite", "u", before=rewrite, after={**rewrite, "entity_id": 7})
    assert product_keys(moved) == ["7", "42"]  # both hear of it: one loses, one gains a row
    category = change("url_rewrite", "c", after={**rewrite, "entity_type": "category"})
    assert product_keys(category) == []


def test_one_item_per_store_view_of_the_products_websites_with_fallback() -> None:
    items = build_products(product(*BASE_PRODUCT), Reference(reference()))
    by_view = {item["storeViewCode"]: item for item in items}
    assert set(by_view) == {"default", "fr"}  # website 2's "de" is not linked
    assert by_view["default"]["name"] == "Shirt"
    assert by_view["fr"]["name"] == "Chemise"
    assert by_view["fr"]["storeCode"] == "main"
    assert by_view["fr"]["websiteCode"] == "base"
    assert by_view["default"]["updatedAt"] == "2026-01-02T00:00:00Z"


def weight_unit(config_id: int, scope: str, scope_id: int, unit: str) -> tuple[str, dict[str, Any]]:
    row = {"config_id": config_id, "scope": scope, "scope_id": scope_id}
    return "core_config_data", {**row, "path": "general/locale/weight_unit", "value": unit}


def test_weight_unit_is_the_websites_setting_else_the_default_else_lbs() -> None:
    linked = ("catalog_product_website", {"product_id": 42, "website_id": 2})
    run = pipeline(*BASE_PRODUCT, linked)
    units = {p["storeViewCode"]: p["weightUnit"] for p in run.items(PRODUCTS.name).values()}
    assert units == {"default": "lbs", "fr": "lbs", "de": "lbs"}  # nothing configured
    mark = len(run.emitted)
    table, row = weight_unit(900, "websites", 2, "kgs")
    run.feed([change(table, "c", after=row)])  # a scope change rebuilds every product
    changed = {e.payload["storeViewCode"] for e in run.emitted[mark:] if e.feed is PRODUCTS}
    assert changed == {"de"}
    table, row = weight_unit(901, "default", 0, "kgs")
    run.feed([change(table, "c", after=row)])
    units = {p["storeViewCode"]: p["weightUnit"] for p in run.items(PRODUCTS.name).values()}
    assert units == {"default": "kgs", "fr": "kgs", "de": "kgs"}


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


def system_attribute(attribute_id: int, code: str, backend: str) -> tuple[str, dict[str, Any]]:
    row = {"attribute_id": attribute_id, "entity_type_id": 4, "attribute_code": code}
    return "eav_attribute", {**row, "backend_type": backend, "is_user_defined": 0}


def int_value(
    value_id: int, attribute_id: int, store_id: int, value: int, entity_id: int = 42
) -> tuple[str, Any]:
    row = {"value_id": value_id, "attribute_id": attribute_id, "store_id": store_id}
    return "catalog_product_entity_int", {**row, "entity_id": entity_id, "value": value}


def by_view(run: MemoryPipeline, *fields: str, sku: str = "SKU-42") -> dict[str, Any]:
    """storeViewCode → the field's value (a tuple of several) in the product's items."""
    return {
        p["storeViewCode"]: p[fields[0]] if len(fields) == 1 else tuple(p[f] for f in fields)
        for p in run.items(PRODUCTS.name).values()
        if p["sku"] == sku
    }


@pytest.mark.parametrize(
    ("status", "visibility", "displayable"),
    [
        (1, 4, True),
        (1, 2, True),
        (1, 3, True),
        (1, 1, False),  # not visible individually
        (2, 4, False),  # disabled
        (None, 4, False),
        (1, None, False),
    ],
)
def test_displayable_is_enabled_and_visible_in_catalog_or_search(
    status: int | None, visibility: int | None, displayable: bool
) -> None:
    rows = [system_attribute(97, "status", "int"), system_attribute(99, "visibility", "int")]
    if status is not None:
        rows.append(int_value(50, 97, 0, status))
    if visibility is not None:
        rows.append(int_value(51, 99, 0, visibility))
    run = pipeline(*rows, *BASE_PRODUCT)
    assert {p["displayable"] for p in run.items(PRODUCTS.name).values()} == {displayable}


def test_a_store_views_visibility_decides_its_own_displayable() -> None:
    run = pipeline(
        system_attribute(97, "status", "int"),
        system_attribute(99, "visibility", "int"),
        *BASE_PRODUCT,
        int_value(50, 97, 0, 1),
        int_value(51, 99, 0, 4),
        int_value(52, 99, 2, 1),  # "fr" hides it
    )
    assert by_view(run, "displayable") == {"default": True, "fr": False}


def test_currency_is_the_websites_base_currency_else_the_default_else_usd() -> None:
    linked = ("catalog_product_website", {"product_id": 42, "website_id": 2})
    run = pipeline(*BASE_PRODUCT, linked)
    assert by_view(run, "currency") == {"default": "USD", "fr": "USD", "de": "USD"}
    config = {"config_id": 910, "scope": "websites", "scope_id": 2}
    row = {**config, "path": "currency/options/base", "value": "EUR"}
    run.feed([change("core_config_data", "c", after=row)])
    assert by_view(run, "currency") == {"default": "USD", "fr": "USD", "de": "EUR"}


def test_categories_are_the_linked_categories_paths() -> None:
    (item, _) = build_products(product(*BASE_PRODUCT), Reference(reference()))
    assert item["categories"] == ["1/2/10"]


def test_a_bundles_weight_type_and_price_view_are_sent_as_the_exporter_names_them() -> None:
    run = pipeline(
        system_attribute(130, "weight_type", "int"),
        system_attribute(131, "price_view", "int"),
        *BASE_PRODUCT,
        int_value(60, 130, 0, 1),
        int_value(61, 131, 0, 1),
        int_value(62, 131, 2, 0),
    )
    assert by_view(run, "weightType", "priceView") == {
        "default": (1, "as_low_as"),
        "fr": (1, "price_range"),
    }
    plain = pipeline(*BASE_PRODUCT)  # no such attributes: null, as the exporter leaves them
    assert {(p["weightType"], p["priceView"]) for p in plain.items(PRODUCTS.name).values()} == {
        (None, None)
    }


def test_deleting_the_product_drops_its_state_and_every_item_is_deleted() -> None:
    run = pipeline(*BASE_PRODUCT)
    assert len(run.items(PRODUCTS.name)) == 2
    mark = len(run.emitted)
    run.feed([change("catalog_product_entity", "d", before={"entity_id": 42})])
    assert "42" not in run.states["products"]
    tombstone = run.records["products"]["42"]  # nothing held but when it went
    assert tombstone.tombstone
    assert tombstone.emitted == {}
    assert run.items(PRODUCTS.name) == {}
    emit = [(e.item_id, e.payload) for e in run.emitted[mark:] if e.feed is PRODUCTS]
    assert sorted(p["storeViewCode"] for _, p in emit) == ["default", "fr"]
    assert all(
        p == {"sku": "SKU-42", "storeViewCode": p["storeViewCode"], "deleted": True}
        for _, p in emit
    )
    assert {i for i, _ in emit} == {item_id(["SKU-42", "default"]), item_id(["SKU-42", "fr"])}


def test_website_unassignment_deletes_that_websites_items() -> None:
    run = pipeline(*BASE_PRODUCT, ("catalog_product_website", {"product_id": 42, "website_id": 2}))
    assert len(run.records["products"]["42"].emitted[PRODUCTS.name]) == 3
    mark = len(run.emitted)
    run.feed([change("catalog_product_website", "d", before={"product_id": 42, "website_id": 2})])
    emit = [e.payload for e in run.emitted[mark:] if e.feed is PRODUCTS]
    assert [p for p in emit if p.get("deleted")] == [
        {"sku": "SKU-42", "storeViewCode": "de", "deleted": True}
    ]
    assert len(run.records["products"]["42"].emitted[PRODUCTS.name]) == 2
    assert sorted(p["storeViewCode"] for p in run.items(PRODUCTS.name).values()) == [
        "default",
        "fr",
    ]


def test_a_rebuild_emits_only_what_changed_and_what_went() -> None:
    projection = Projection(CATALOG_PROJECTOR, Reference(reference()), frozenset({PRODUCTS.name}))
    record: EntityRecord | None = None
    for table, row in BASE_PRODUCT:  # folded without building, as a snapshot is
        step = projection.step(
            "42", record, change(table, "r", after=row), partition=0, build=False
        )
        assert step.emits == ()
        record = step.record
    assert record is not None
    first = projection.rebuild(record)
    assert len(first.emits) == 2
    assert first.record is not None
    again = projection.rebuild(first.record)
    assert again.emits == ()
    assert again.record == first.record
    renamed = projection.step(
        "42",
        first.record,
        change(
            "catalog_product_entity_varchar",
            "c",
            after={"attribute_id": 73, "store_id": 2, "entity_id": 42, "value": "Nom"},
        ),
        partition=0,
    )
    assert [(e.payload["storeViewCode"], e.payload["name"]) for e in renamed.emits] == [
        ("fr", "Nom")
    ]
    gone = projection.step(
        "42",
        first.record,
        change("catalog_product_entity", "d", before={"entity_id": 42}),
        partition=0,
    )
    assert gone.record is not None
    assert gone.record.tombstone
    assert sorted(e.payload["storeViewCode"] for e in gone.emits if e.deleted) == ["default", "fr"]


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
            before={"store_id": 2, "code": "fr", "website_id": 1, "group_id": 1},
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
            # The exporter's code: the SHA-1 of the id's digits ("0"), not the group's name.
            "customerGroupCode": "b6589fc6ab0dc82cf12099d1c2d40ab994e8410c",
            "websites": ["base", "second"],
            "deleted": False,
        }
    ]
    assert SCOPES_WEBSITE.id_of(websites[0]) == item_id([1])


@pytest.mark.parametrize(
    ("backend", "value"),
    [("int", "enabled?"), ("int", True), ("decimal", "ten"), ("decimal", "NaN"), ("varchar", 7)],
)
def test_a_value_its_table_cannot_hold_is_refused_when_folded(backend: str, value: Any) -> None:
    """Not when built: once the attribute is known a later rebuild would fail with no change
    to blame, and the product would be stuck (only its rebuild could be dead-lettered)."""
    row = {"value_id": 9, "attribute_id": 97, "store_id": 0, "entity_id": 42, "value": value}
    with pytest.raises(MalformedRow, match=f"holds .* not a {backend} value"):
        product(*BASE_PRODUCT, (f"catalog_product_entity_{backend}", row))


@pytest.mark.parametrize(
    ("backend", "value"),
    [("int", 1), ("decimal", "10.5000"), ("decimal", 3), ("datetime", 1767225600000)],
)
def test_values_of_their_backend_fold(backend: str, value: Any) -> None:
    row = {"value_id": 9, "attribute_id": 97, "store_id": 0, "entity_id": 42, "value": value}
    state = product(*BASE_PRODUCT, (f"catalog_product_entity_{backend}", row))
    assert state["values"]["97:0"] == value


def test_parents_are_listed_in_the_websites_the_parent_is_in_too() -> None:
    def parent(entity_id: int, sku: str, type_id: str, *websites: int) -> list[Any]:
        entity = {"entity_id": entity_id, "sku": sku, "type_id": type_id}
        return [
            ("catalog_product_entity", entity),
            *(
                ("catalog_product_website", {"product_id": entity_id, "website_id": w})
                for w in websites
            ),
            ("catalog_product_relation", {"parent_id": entity_id, "child_id": 42}),
        ]

    run = pipeline(
        system_attribute(131, "price_type", "int"),
        *BASE_PRODUCT,
        ("catalog_product_website", {"product_id": 42, "website_id": 2}),
        *parent(50, "CFG-50", "configurable", 1),
        *parent(60, "BND-60", "bundle", 1, 2),
        int_value(70, 131, 0, 1, entity_id=60),
    )
    listed = by_view(run, "parents")
    both = [
        {"sku": "BND-60", "productType": "bundle_fixed"},  # a fixed-price bundle
        {"sku": "CFG-50", "productType": "configurable"},
    ]
    assert listed == {"default": both, "fr": both, "de": [both[0]]}  # CFG-50 not in website 2
    # The parent joins website 2: its children hear of it.
    run.feed([change("catalog_product_website", "c", after={"product_id": 50, "website_id": 2})])
    assert by_view(run, "parents")["de"] == both


def test_links_list_related_upsell_and_crosssell_products_of_the_website() -> None:
    def linked(entity_id: int, sku: str, *websites: int) -> list[Any]:
        return [
            ("catalog_product_entity", {"entity_id": entity_id, "sku": sku, "type_id": "simple"}),
            *(
                ("catalog_product_website", {"product_id": entity_id, "website_id": w})
                for w in websites
            ),
        ]

    def link(link_id: int, linked_id: int, link_type: int) -> tuple[str, dict[str, Any]]:
        row = {"product_id": 42, "linked_product_id": linked_id, "link_type_id": link_type}
        return ("catalog_product_link", {"link_id": link_id, **row})

    run = pipeline(
        *BASE_PRODUCT,
        ("catalog_product_website", {"product_id": 42, "website_id": 2}),
        link(1, 50, 4),  # a link read before its linked product's row
        link(2, 60, 1),
        link(3, 70, 3),  # a grouped product's member: not a links[] type
        *linked(50, "UP-50", 1, 2),
        *linked(60, "REL-60", 1),
        *linked(70, "GRP-70", 1),
    )
    both = [{"sku": "REL-60", "type": "related"}, {"sku": "UP-50", "type": "upsell"}]
    assert by_view(run, "links") == {"default": both, "fr": both, "de": [both[1]]}
    # The linked product renamed, then deleted (its link rows cascade away unseen).
    renamed = {"entity_id": 50, "sku": "UP-50", "type_id": "simple"}
    run.feed([change("catalog_product_entity", "u", before=renamed, after={**renamed, "sku": "U"})])
    assert by_view(run, "links")["de"] == [{"sku": "U", "type": "upsell"}]
    run.feed([change("catalog_product_entity", "d", before={**renamed, "sku": "U"})])
    assert by_view(run, "links") == {"default": [both[0]], "fr": [both[0]], "de": []}


def test_links_purchased_separately_is_the_downloadables_flag_per_store_view() -> None:
    run = pipeline(system_attribute(140, "links_purchased_separately", "int"), *BASE_PRODUCT)
    assert set(by_view(run, "linksPurchasedSeparately").values()) == {None}  # no value
    run.feed([change("catalog_product_entity_int", "c", after=int_value(90, 140, 0, 1)[1])])
    run.feed([change("catalog_product_entity_int", "c", after=int_value(91, 140, 2, 0)[1])])
    assert by_view(run, "linksPurchasedSeparately") == {"default": True, "fr": False}


def test_samples_by_sort_order_with_store_view_titles_and_their_removal() -> None:
    def sample(sample_id: int, product_id: int, sort_order: int) -> tuple[str, dict[str, Any]]:
        row = {"sample_id": sample_id, "product_id": product_id, "sample_file": "/a/b.pdf"}
        return ("downloadable_sample", {**row, "sample_type": "file", "sort_order": sort_order})

    def title(title_id: int, sample_id: int, store_id: int, text: str) -> tuple[str, Any]:
        row = {"title_id": title_id, "sample_id": sample_id, "store_id": store_id}
        return ("downloadable_sample_title", {**row, "title": text})

    run = MemoryPipeline([CATALOG_PROJECTOR, SAMPLES_PROJECTOR], strict=True)
    rows = (
        *REFERENCE_ROWS,
        title(1, 7, 0, "Trailer"),  # a title read before its sample
        sample(7, 42, 20),
        *BASE_PRODUCT,
        sample(8, 42, 10),
        title(2, 8, 0, "Preview"),
        title(3, 8, 2, "Extrait"),
    )
    run.feed(change(table, "r", after=row) for table, row in rows)
    url = "downloadable/download/sample/sample_id/"
    labels = {
        view: [(s["resource"]["label"], s["sortOrder"], s["resource"]["url"]) for s in samples]
        for view, samples in by_view(run, "samples").items()
    }
    assert labels["fr"] == [("Extrait", "10", f"{url}8"), ("Trailer", "20", f"{url}7")]
    assert labels["default"][0][0] == "Preview"
    # The sample deleted: its titles cascade away unseen; it leaves every store view.
    run.feed([change("downloadable_sample", "d", before=sample(8, 42, 10)[1])])
    assert {view: len(samples) for view, samples in by_view(run, "samples").items()} == {
        "default": 1,
        "fr": 1,
    }


def test_tax_class_goes_by_name_and_none_as_no() -> None:
    tax_attribute = {
        "attribute_id": 132,
        "entity_type_id": 4,
        "attribute_code": "tax_class_id",
        "backend_type": "int",
        "frontend_input": "select",
        "is_user_defined": 0,
    }
    run = pipeline(("eav_attribute", tax_attribute), *BASE_PRODUCT)
    assert {p["taxClassId"] for p in run.items(PRODUCTS.name).values()} == {"no"}
    taxed = {"value_id": 99, "attribute_id": 132, "store_id": 0, "entity_id": 42, "value": 2}
    run.feed([change("catalog_product_entity_int", "c", after=taxed)])
    assert {p["taxClassId"] for p in run.items(PRODUCTS.name).values()} == {"no"}  # no class 2
    goods = {"class_id": 2, "class_name": "Taxable Goods", "class_type": "PRODUCT"}
    run.feed([change("tax_class", "c", after=goods)])  # a reference change rebuilds
    assert {p["taxClassId"] for p in run.items(PRODUCTS.name).values()} == {"Taxable Goods"}
