"""categories built from reference data: tree scoping, value fallback, URL paths, moves and
subtree deletes."""

from __future__ import annotations

import itertools
from typing import Any, Literal

from feeds.categories import CATEGORIES, CATEGORIES_FEED, build_categories
from feeds.change import RowChange, SourcePosition
from feeds.item import item_id
from feeds.memory import MemoryPipeline
from feeds.reference import Reference, apply_reference

_POSITIONS = itertools.count(1)
_VALUE_IDS = itertools.count(1)

# Category attribute ids as Magento installs them (connectors/magento/sample/fixed_ids.py).
NAME, IS_ACTIVE, IS_ANCHOR, SORT_BY, URL_KEY, URL_PATH = 41, 42, 50, 55, 66, 67
_ATTRIBUTES = {
    NAME: ("name", "varchar"),
    IS_ACTIVE: ("is_active", "int"),
    IS_ANCHOR: ("is_anchor", "int"),
    SORT_BY: ("available_sort_by", "text"),
    URL_KEY: ("url_key", "varchar"),
    URL_PATH: ("url_path", "varchar"),
}


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


def category(entity_id: int, path: str, position: int = 1) -> dict[str, Any]:
    ids = path.split("/")
    return {
        "entity_id": entity_id,
        "parent_id": int(ids[-2]) if len(ids) > 1 else 0,
        "path": path,
        "level": len(ids) - 1,
        "position": position,
        "children_count": 0,
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-02-01T00:00:00.000Z",
    }


def value(entity_id: int, attribute_id: int, value: Any, store_id: int = 0) -> Any:
    backend = _ATTRIBUTES[attribute_id][1]
    row = {
        "value_id": next(_VALUE_IDS),
        "attribute_id": attribute_id,
        "store_id": store_id,
        "entity_id": entity_id,
        "value": value,
    }
    return (f"catalog_category_entity_{backend}", row)


SCOPES: list[tuple[str, dict[str, Any]]] = [
    ("store_website", {"website_id": 1, "code": "base"}),
    ("store_website", {"website_id": 2, "code": "second"}),
    ("store_group", {"group_id": 0, "website_id": 0, "code": "default", "root_category_id": 0}),
    ("store_group", {"group_id": 1, "website_id": 1, "code": "main", "root_category_id": 2}),
    ("store_group", {"group_id": 2, "website_id": 2, "code": "other", "root_category_id": 3}),
    ("store", {"store_id": 0, "code": "admin", "website_id": 0, "group_id": 0}),
    ("store", {"store_id": 1, "code": "default", "website_id": 1, "group_id": 1}),
    ("store", {"store_id": 2, "code": "fr", "website_id": 1, "group_id": 1}),
    ("store", {"store_id": 3, "code": "de", "website_id": 2, "group_id": 2}),
    *(
        (
            "eav_attribute",
            {"attribute_id": i, "entity_type_id": 3, "attribute_code": code, "backend_type": bt},
        )
        for i, (code, bt) in _ATTRIBUTES.items()
    ),
]
TREE = [
    ("catalog_category_entity", category(1, "1")),
    ("catalog_category_entity", category(2, "1/2")),
    ("catalog_category_entity", category(3, "1/3")),
    ("catalog_category_entity", category(10, "1/2/10")),
    ("catalog_category_entity", category(11, "1/2/10/11")),
    ("catalog_category_entity", category(12, "1/2/12", position=2)),
    ("catalog_category_entity", category(20, "1/3/20")),
    value(10, NAME, "Men"),
    value(10, NAME, "Hommes", store_id=2),
    value(10, NAME, None, store_id=1),  # a NULL store value falls back like a missing one
    value(10, URL_KEY, "men"),
    value(11, URL_KEY, "shirts"),
    value(11, IS_ACTIVE, 1),
    value(11, SORT_BY, "position,,price"),
    value(12, URL_KEY, "sale"),
    value(20, URL_KEY, "outlet"),
]


def store(*extra: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    reference: dict[str, Any] = {}
    for table, row in (*SCOPES, *TREE, *extra):
        apply_reference(reference, change(table, after=row))
    return reference


def apply(reference: dict[str, Any], table: str, before: Any = None, after: Any = None) -> None:
    apply_reference(reference, change(table, before=before, after=after))


def pipeline(*extra: tuple[str, dict[str, Any]]) -> MemoryPipeline:
    """The categories reference feed run by the engine, fed the scopes and the tree."""
    run = MemoryPipeline([], [CATEGORIES_FEED], strict=True)
    run.feed(change(table, after=row) for table, row in (*SCOPES, *TREE, *extra))
    return run


def received(run: MemoryPipeline) -> dict[tuple[str, str], dict[str, Any]]:
    """The categories items a receiver holds, by (urlPath, storeViewCode)."""
    return {
        (item["urlPath"], item["storeViewCode"]): item
        for item in run.items(CATEGORIES.name).values()
    }


def items(reference: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (item["urlPath"], item["storeViewCode"]): item
        for item in build_categories(Reference(reference))
    }


def test_categories_below_the_store_roots_go_to_the_store_views_of_their_tree() -> None:
    assert sorted(items(store())) == [
        ("men", "default"),
        ("men", "fr"),
        ("men/shirts", "default"),
        ("men/shirts", "fr"),
        ("outlet", "de"),
        ("sale", "default"),
        ("sale", "fr"),
    ]
    outlet = items(store())["outlet", "de"]
    assert (outlet["storeCode"], outlet["websiteCode"], outlet["categoryId"]) == (
        "other",
        "second",
        "20",
    )


def test_values_fall_back_to_the_default_store() -> None:
    built = items(store())
    assert built["men", "fr"]["name"] == "Hommes"
    assert built["men", "default"]["name"] == "Men"
    assert built["men/shirts", "fr"]["name"] is None
    assert built["men/shirts", "fr"]["isActive"] == 1
    assert built["men", "fr"]["isActive"] is None


def test_tree_fields_sort_by_and_timestamps() -> None:
    men, shirts = items(store())["men", "default"], items(store())["men/shirts", "default"]
    assert (men["level"], men["path"], men["parentId"], men["children"]) == (2, "1/2/10", 2, ["11"])
    assert shirts["availableSortBy"] == ["position", "price"]
    assert men["availableSortBy"] == []
    assert (men["createdAt"], men["updatedAt"]) == ("2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
    assert men["deleted"] is False


def test_stored_url_path_wins_over_the_derived_one_per_store_view() -> None:
    reference = store(value(11, URL_PATH, "men-shirts"), value(11, URL_PATH, "hemden", store_id=2))
    assert {key for key in items(reference) if key[0] != "men" and key[0] != "sale"} == {
        ("men-shirts", "default"),
        ("hemden", "fr"),
        ("outlet", "de"),
    }


def test_children_are_the_existing_direct_children_in_id_order() -> None:
    reference = store(
        ("catalog_category_entity", category(9, "1/2/10/9")),
        ("catalog_category_entity", category(30, "1/2/10/30")),
        ("catalog_category_entity", category(31, "1/2/10/30/31")),
    )
    assert items(reference)["men", "default"]["children"] == ["9", "11", "30"]
    apply(reference, "catalog_category_entity", before=category(30, "1/2/10/30"))
    assert items(reference)["men", "default"]["children"] == ["9", "11"]


def test_moving_a_category_rekeys_it_and_its_descendants() -> None:
    run = pipeline()
    before = len(run.emitted)
    # Magento moves 10 under 12: the path, parent and level of 10 and of every descendant change.
    run.feed(
        change("catalog_category_entity", category(entity_id, old), category(entity_id, new))
        for entity_id, old, new in ((10, "1/2/10", "1/2/12/10"), (11, "1/2/10/11", "1/2/12/10/11"))
    )
    emit = [e.payload for e in run.emitted[before:]]
    gone = sorted((p["urlPath"], p["storeViewCode"]) for p in emit if p["deleted"])
    assert gone == [
        ("men", "default"),
        ("men", "fr"),
        ("men/shirts", "default"),
        ("men/shirts", "fr"),
    ]
    built = received(run)
    assert built == items(run.store)
    assert built["sale/men/shirts", "fr"]["level"] == 4
    assert built["sale/men", "default"]["parentId"] == 12
    assert built["sale", "default"]["children"] == ["10"]
    assert item_id(["sale/men", "fr"]) in run.reference_emitted[CATEGORIES.name]


def test_moving_a_category_follows_the_url_paths_magento_rewrites() -> None:
    reference = store(value(10, URL_PATH, "men"), value(11, URL_PATH, "men/shirts"))
    for entity_id, old, new in ((10, "1/2/10", "1/2/12/10"), (11, "1/2/10/11", "1/2/12/10/11")):
        apply(
            reference, "catalog_category_entity", category(entity_id, old), category(entity_id, new)
        )

    def default_view() -> list[str]:
        return sorted(path for path, view in items(reference) if view == "default")

    # The stored url_path decides the identity: until Magento rewrites it, the item keeps it.
    assert default_view() == ["men", "men/shirts", "sale"]
    for entity_id, old_path, new_path in (
        (10, "men", "sale/men"),
        (11, "men/shirts", "sale/men/shirts"),
    ):
        table, old = value(entity_id, URL_PATH, old_path)
        apply(reference, table, old, value(entity_id, URL_PATH, new_path)[1])
    assert default_view() == ["sale", "sale/men", "sale/men/shirts"]


def test_deleting_a_category_deletes_its_whole_subtree() -> None:
    run = pipeline()
    before = len(run.emitted)
    # Only the top's delete has arrived; the child rows are still held (or never get deleted).
    run.feed([change("catalog_category_entity", before=category(10, "1/2/10"))])
    emit = [e.payload for e in run.emitted[before:]]
    assert sorted(p["urlPath"] for p in emit if p["deleted"]) == [
        "men",
        "men",
        "men/shirts",
        "men/shirts",
    ]
    assert all(
        p == {"urlPath": p["urlPath"], "storeViewCode": p["storeViewCode"], "deleted": True}
        for p in emit
        if p["deleted"]
    )
    assert sorted(received(run)) == [("outlet", "de"), ("sale", "default"), ("sale", "fr")]
    assert received(run)["sale", "default"]["children"] == []


def test_a_new_category_waits_until_its_path_names_itself() -> None:
    # Magento inserts a category with its parent's path, then appends its own id.
    reference = store(value(40, URL_KEY, "new"))
    apply(reference, "catalog_category_entity", after=category(40, "1/2"))
    assert ("new", "default") not in items(reference)
    apply(reference, "catalog_category_entity", category(40, "1/2"), category(40, "1/2/40"))
    assert items(reference)["new", "default"]["level"] == 2


def test_store_views_of_a_deleted_store_group_lose_their_items() -> None:
    reference = store()
    # The group's stores cascade away unseen; the group's delete is all the binlog carries.
    apply(reference, "store_group", before={"group_id": 2, "website_id": 2, "root_category_id": 3})
    assert ("outlet", "de") not in items(reference)
