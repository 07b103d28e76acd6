"""productAttributes built from reference data: labels, options, flags, scopes."""

from __future__ import annotations

import itertools
from typing import Any, Literal

from feeds.attributes import PRODUCT_ATTRIBUTES, PRODUCT_ATTRIBUTES_FEED, build_product_attributes
from feeds.change import RowChange, SourcePosition
from feeds.memory import MemoryPipeline
from feeds.reference import Reference, apply_reference

_POSITIONS = itertools.count(1)


def change(table: str, before: Any = None, after: Any = None) -> RowChange:
    op: Literal["c", "u", "d"] = "d" if after is None else ("c" if before is None else "u")
    return RowChange(
        table=table,
        op=op,
        key={},
        before=before,
        after=after,
        position=SourcePosition("mariadb-bin.000001", next(_POSITIONS) * 10, 0, None, None),
        ts_ms=0,
    )


def attribute(attribute_id: int, code: str, **columns: Any) -> dict[str, Any]:
    return {
        "attribute_id": attribute_id,
        "entity_type_id": 4,
        "attribute_code": code,
        "backend_type": "int",
        "frontend_input": "select",
        "frontend_label": code.title(),
        "is_user_defined": 1,
        "is_required": 0,
        "is_unique": 0,
        **columns,
    }


def flags(attribute_id: int, **columns: Any) -> dict[str, Any]:
    return {
        "attribute_id": attribute_id,
        "is_global": 1,
        "is_visible_on_front": 1,
        "is_searchable": 1,
        "is_filterable": 1,
        "is_comparable": 0,
        "used_in_product_listing": 1,
        "used_for_sort_by": 0,
        "is_visible_in_advanced_search": 1,
        "is_filterable_in_search": 0,
        "is_used_for_promo_rules": 1,
        "search_weight": 3.0,
        **columns,
    }


def option_value(value_id: int, option_id: int, store_id: int, value: str | None) -> Any:
    row = {"value_id": value_id, "option_id": option_id, "store_id": store_id, "value": value}
    return ("eav_attribute_option_value", row)


def option(option_id: int, sort_order: int) -> Any:
    row = {"option_id": option_id, "attribute_id": 92, "sort_order": sort_order}
    return ("eav_attribute_option", row)


def label(label_id: int, store_id: int, value: str) -> Any:
    row = {"attribute_label_id": label_id, "attribute_id": 92, "store_id": store_id, "value": value}
    return ("eav_attribute_label", row)


ROWS: list[tuple[str, dict[str, Any]]] = [
    ("store_website", {"website_id": 0, "code": "admin"}),
    ("store_website", {"website_id": 1, "code": "base"}),
    ("store_group", {"group_id": 0, "website_id": 0, "code": "default", "root_category_id": 0}),
    ("store_group", {"group_id": 1, "website_id": 1, "code": "main", "root_category_id": 2}),
    ("store", {"store_id": 0, "code": "admin", "website_id": 0, "group_id": 0}),
    ("store", {"store_id": 1, "code": "default", "website_id": 1, "group_id": 1}),
    ("store", {"store_id": 2, "code": "fr", "website_id": 1, "group_id": 1}),
    ("eav_attribute", attribute(92, "color")),
    ("catalog_eav_attribute", flags(92)),
    label(1, 2, "Couleur"),
    # Option 7 sorts before option 5 (sort_order), option 6 ties with 5 and follows it (id).
    option(5, 1),
    option(6, 1),
    option(7, 0),
    option_value(1, 5, 0, "Red"),
    option_value(2, 5, 2, "Rouge"),
    option_value(3, 6, 0, "Blue"),
    option_value(4, 6, 2, None),
    option_value(5, 7, 0, "Black"),
    # A category attribute is not a product attribute.
    ("eav_attribute", attribute(41, "name", entity_type_id=3)),
    ("catalog_eav_attribute", flags(41)),
]


def store(*extra: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    reference: dict[str, Any] = {}
    for table, row in (*ROWS, *extra):
        apply_reference(reference, change(table, after=row))
    return reference


def pipeline(*extra: tuple[str, dict[str, Any]]) -> MemoryPipeline:
    """The productAttributes reference feed run by the engine, fed ROWS (and ``extra``)."""
    run = MemoryPipeline([], [PRODUCT_ATTRIBUTES_FEED], strict=True)
    run.feed(change(table, after=row) for table, row in (*ROWS, *extra))
    return run


def by_view(reference: dict[str, Any], code: str = "color") -> dict[str, dict[str, Any]]:
    return {
        item["storeViewCode"]: item
        for item in build_product_attributes(Reference(reference))
        if item["attributeCode"] == code
    }


def test_one_item_per_product_attribute_and_store_view() -> None:
    items = build_product_attributes(Reference(store()))
    assert [(i["attributeCode"], i["storeViewCode"]) for i in items] == [
        ("color", "default"),
        ("color", "fr"),
    ]
    assert items[0]["storeCode"] == "main"
    assert items[0]["websiteCode"] == "base"
    assert items[0]["id"] == "92"


def test_label_is_the_store_label_falling_back_to_the_frontend_label() -> None:
    items = by_view(store())
    assert items["fr"]["label"] == "Couleur"
    assert items["default"]["label"] == "Color"


def test_duplicate_store_labels_resolve_to_the_newest_row() -> None:
    assert by_view(store(label(9, 2, "Teinte")))["fr"]["label"] == "Teinte"


def test_option_labels_are_not_sent_as_upstream_stopped_sending_them() -> None:
    """magento/commerce-data-export MDEE-882 removed ``attributeOptions`` from the record."""
    for item in by_view(store()).values():
        assert "attributeOptions" not in item


def test_flags_follow_the_catalog_columns() -> None:
    item = by_view(store())["default"]
    assert item["attributeType"] == "catalog_product"
    assert item["dataType"] == "int"
    assert item["multi"] is False
    assert item["global"] is True
    assert item["visible"] is True
    assert item["visibleInCompareList"] is False
    assert item["usedForRules"] is True
    assert item["searchWeight"] == 3.0
    assert item["systemAttribute"] is False
    assert item["numeric"] is False  # a select stores an option id, not a number
    assert item["deleted"] is False


def test_website_scope_is_not_global_and_float_weights_keep_their_precision() -> None:
    reference = store(
        ("catalog_eav_attribute", flags(92, is_global=2, search_weight=1.100000023841858))
    )
    item = by_view(reference)["default"]
    assert item["global"] is False
    assert item["searchWeight"] == 1.1


def test_boolean_numeric_and_multi_inputs() -> None:
    reference = store(
        ("eav_attribute", attribute(300, "is_new", frontend_input="boolean", is_user_defined=0)),
        ("catalog_eav_attribute", flags(300)),
        (
            "eav_attribute",
            attribute(301, "weight", backend_type="decimal", frontend_input="weight"),
        ),
        ("catalog_eav_attribute", flags(301)),
        (
            "eav_attribute",
            attribute(302, "tags", backend_type="varchar", frontend_input="multiselect"),
        ),
        ("catalog_eav_attribute", flags(302)),
    )
    boolean, weight, tags = (by_view(reference, c)["default"] for c in ("is_new", "weight", "tags"))
    assert (boolean["boolean"], boolean["numeric"], boolean["systemAttribute"]) == (
        True,
        False,
        True,
    )
    assert (weight["boolean"], weight["numeric"]) == (False, True)
    assert (tags["multi"], tags["numeric"]) == (True, False)


def test_attribute_waits_for_its_catalog_row() -> None:
    reference = store(("eav_attribute", attribute(310, "late")))
    assert by_view(reference, "late") == {}
    apply_reference(reference, change("catalog_eav_attribute", after=flags(310)))
    assert set(by_view(reference, "late")) == {"default", "fr"}


def test_deleted_attribute_is_sent_as_deleted_though_its_catalog_row_lingers() -> None:
    run = pipeline()
    assert len(run.items(PRODUCT_ATTRIBUTES.name)) == 2
    before = len(run.emitted)
    # The catalog_eav_attribute, label and option rows cascade away unseen; only this arrives.
    run.feed([change("eav_attribute", before=attribute(92, "color"))])
    emit = [e.payload for e in run.emitted[before:]]
    assert run.reference_emitted[PRODUCT_ATTRIBUTES.name] == {}
    assert run.items(PRODUCT_ATTRIBUTES.name) == {}
    assert sorted(p["storeViewCode"] for p in emit) == ["default", "fr"]
    assert all(p == {**p, "attributeCode": "color", "deleted": True} for p in emit)


def test_store_views_of_a_deleted_website_are_sent_as_deleted() -> None:
    run = pipeline()
    before = len(run.emitted)
    # Deleting the website cascades its group and stores away without binlog events.
    run.feed([change("store_website", before={"website_id": 1, "code": "base"})])
    emit = [e.payload for e in run.emitted[before:]]
    assert run.reference_emitted[PRODUCT_ATTRIBUTES.name] == {}
    assert run.items(PRODUCT_ATTRIBUTES.name) == {}
    assert sorted(p["storeViewCode"] for p in emit if p["deleted"]) == ["default", "fr"]
