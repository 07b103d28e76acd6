"""categoryPermissions and the shared permission resolution, as pure logic (feeds/permissions.py),
plus a property test holding it equal to verify's independent resolution."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.change import RowChange
from feeds.memory import MemoryPipeline
from feeds.permissions import (
    CATEGORY_PERMISSIONS,
    CATEGORY_PERMISSIONS_FEED,
    build_category_permissions,
)
from feeds.reference import Reference, ReferenceKind, apply_reference
from feeds.values import customer_group_code
from feedsync.verify.permissions import project_category_permissions
from tests.unit.rows import change

GROUP_NAMES = ("NOT LOGGED IN", "General", "Wholesale", "Retailer")
# Items name groups by the exporter's code (the SHA-1 of the id); the tests by name.
NAME_OF = {customer_group_code(g): name for g, name in enumerate(GROUP_NAMES)}

ALLOW, DENY, PARENT = -1, -2, 0
Row = dict[str, Any]

# Websites 1 (root 2) and 2 (root 3); groups 0-3; the tree 1 ─ 2 ─ 10 ─ 11 ─ 12, 1 ─ 3 ─ 30.
SCOPES: list[tuple[str, Row]] = [
    ("store_website", {"website_id": 0, "code": "admin"}),
    ("store_website", {"website_id": 1, "code": "base"}),
    ("store_website", {"website_id": 2, "code": "second"}),
    ("store_group", {"group_id": 0, "website_id": 0, "code": "default", "root_category_id": 0}),
    ("store_group", {"group_id": 1, "website_id": 1, "code": "main", "root_category_id": 2}),
    ("store_group", {"group_id": 2, "website_id": 2, "code": "other", "root_category_id": 3}),
    *(
        ("customer_group", {"customer_group_id": g, "customer_group_code": code})
        for g, code in enumerate(GROUP_NAMES)
    ),
]
TREE = {1: "1", 2: "1/2", 3: "1/3", 10: "1/2/10", 11: "1/2/10/11", 12: "1/2/10/11/12", 30: "1/3/30"}


def category(entity_id: int, path: str) -> tuple[str, Row]:
    parent = int(path.split("/")[-2]) if "/" in path else 0
    return "catalog_category_entity", {"entity_id": entity_id, "parent_id": parent, "path": path}


def rule(
    permission_id: int,
    category_id: int,
    website_id: int | None,
    group_id: int | None,
    grants: tuple[int, int, int],
) -> tuple[str, Row]:
    view, price, checkout = grants
    return "magento_catalogpermissions", {
        "permission_id": permission_id,
        "category_id": category_id,
        "website_id": website_id,
        "customer_group_id": group_id,
        "grant_catalog_category_view": view,
        "grant_catalog_product_price": price,
        "grant_checkout_items": checkout,
    }


def changes_of(*rows: tuple[str, Row]) -> list[RowChange]:
    """Snapshot reads of the scopes, the tree and ``rows``, in that order."""
    tree = [category(entity_id, path) for entity_id, path in TREE.items()]
    return [change(table, "r", after=row) for table, row in [*SCOPES, *tree, *rows]]


def store_of(*rows: tuple[str, Row]) -> dict[str, Any]:
    store: dict[str, Any] = {}
    for row_change in changes_of(*rows):
        apply_reference(store, row_change)
    return store


def pipeline_of(*rows: tuple[str, Row]) -> MemoryPipeline:
    """The categoryPermissions reference feed run by the engine, fed ``changes_of(rows)``."""
    run = MemoryPipeline([], [CATEGORY_PERMISSIONS_FEED], strict=True)
    run.feed(changes_of(*rows))
    return run


def items(store: dict[str, Any]) -> dict[tuple[str, str, str], Row]:
    return {
        (p["categoryId"], p["websiteCode"], NAME_OF[p["customerGroupCode"]]): p
        for p in build_category_permissions(Reference(store))
    }


def grants_of(item: Row) -> tuple[str, str, str]:
    permission = item["permission"]
    return (
        permission["displayCategory"],
        permission["displayProductPrices"],
        permission["allowAddToCart"],
    )


def test_the_most_specific_row_on_a_category_wins() -> None:
    built = items(
        store_of(
            rule(1, 10, None, None, (ALLOW, ALLOW, ALLOW)),
            rule(2, 10, None, 1, (ALLOW, ALLOW, DENY)),
            rule(3, 10, 1, None, (ALLOW, DENY, ALLOW)),
            rule(4, 10, 1, 1, (DENY, ALLOW, ALLOW)),
        )
    )
    assert grants_of(built["10", "base", "General"]) == ("DENY", "DENY", "DENY")  # exact
    assert grants_of(built["10", "base", "Wholesale"]) == ("ALLOW", "DENY", "DENY")  # W + all
    # Category 10 lies only in website 1's tree: website 2 gets no items for it.
    assert not [key for key in built if key[1] == "second"]
    assert grants_of(built["11", "base", "Retailer"]) == ("ALLOW", "DENY", "DENY")


def test_all_websites_with_a_group_beats_all_websites_and_groups() -> None:
    built = items(
        store_of(
            rule(1, 2, None, None, (ALLOW, ALLOW, ALLOW)),
            rule(2, 2, None, 1, (ALLOW, ALLOW, DENY)),
            rule(3, 3, None, None, (ALLOW, DENY, ALLOW)),
        )
    )
    assert grants_of(built["2", "base", "General"]) == ("ALLOW", "ALLOW", "DENY")
    assert grants_of(built["2", "base", "Retailer"]) == ("ALLOW", "ALLOW", "ALLOW")
    # NULL website and group: every group of every website whose tree holds the category.
    assert {key[2] for key in built if key[:2] == ("30", "second")} == {
        "NOT LOGGED IN",
        "General",
        "Wholesale",
        "Retailer",
    }
    assert ("30", "base", "General") not in built


def test_a_website_row_for_all_groups_beats_a_group_row_for_all_websites() -> None:
    built = items(
        store_of(
            rule(1, 10, None, 1, (ALLOW, ALLOW, DENY)),
            rule(2, 10, 1, None, (ALLOW, DENY, ALLOW)),
        )
    )
    assert grants_of(built["10", "base", "General"]) == ("ALLOW", "DENY", "DENY")
    assert built["10", "base", "General"]["inheritedFrom"]["displayProductPrices"] == "10"


def test_use_parent_inherits_each_grant_from_the_nearest_deciding_ancestor() -> None:
    built = items(
        store_of(
            rule(1, 10, 1, None, (ALLOW, DENY, ALLOW)),
            rule(2, 11, 1, 1, (PARENT, ALLOW, PARENT)),
        )
    )
    item = built["12", "base", "General"]
    assert grants_of(item) == ("ALLOW", "ALLOW", "ALLOW")
    assert item["inheritedFrom"] == {
        "displayCategory": "10",
        "displayProductPrices": "11",
        "allowAddToCart": "10",
    }
    assert item["categoryPath"] == "1/2/10/11/12"
    # Another group only has category 10's row: prices denied, so add to cart is denied too.
    assert grants_of(built["12", "base", "Retailer"]) == ("ALLOW", "DENY", "DENY")
    assert built["12", "base", "Retailer"]["inheritedFrom"]["allowAddToCart"] == "10"


def test_the_specific_row_shadows_the_general_one_even_where_it_says_use_parent() -> None:
    built = items(
        store_of(
            rule(1, 2, 1, 1, (ALLOW, DENY, PARENT)),
            rule(2, 10, None, None, (DENY, DENY, DENY)),
            rule(3, 10, 1, 1, (PARENT, ALLOW, PARENT)),  # view: from 2, not the NULL row
        )
    )
    item = built["10", "base", "General"]
    assert grants_of(item) == ("ALLOW", "ALLOW", "ALLOW")
    assert item["inheritedFrom"] == {
        "displayCategory": "2",
        "displayProductPrices": "10",
        "allowAddToCart": None,  # nothing decides it: the configuration default
    }


def test_a_row_that_decides_nothing_is_skipped() -> None:
    built = items(
        store_of(
            rule(1, 10, None, None, (DENY, DENY, DENY)),
            rule(2, 10, 1, 1, (PARENT, PARENT, PARENT)),
        )
    )
    assert grants_of(built["10", "base", "General"]) == ("DENY", "DENY", "DENY")


def test_denied_view_denies_prices_and_add_to_cart_from_the_same_category() -> None:
    built = items(
        store_of(rule(1, 10, 1, 0, (DENY, ALLOW, ALLOW)), rule(2, 11, 1, 0, (PARENT, ALLOW, ALLOW)))
    )
    item = built["11", "base", "NOT LOGGED IN"]
    assert grants_of(item) == ("DENY", "DENY", "DENY")
    assert set(item["inheritedFrom"].values()) == {"10"}


def test_categories_without_any_row_above_them_have_no_items() -> None:
    built = items(store_of(rule(1, 11, 2, 3, (ALLOW, ALLOW, ALLOW))))
    assert built == {}  # website 2's tree does not hold category 11
    built = items(store_of(rule(1, 11, 1, 3, (ALLOW, ALLOW, ALLOW))))
    assert sorted(built) == [("11", "base", "Retailer"), ("12", "base", "Retailer")]


def test_revoking_a_permission_for_one_group_changes_exactly_its_items() -> None:
    granted = rule(2, 10, 1, 2, (ALLOW, ALLOW, ALLOW))
    hidden = rule(1, 10, 1, 0, (DENY, DENY, DENY))
    run = pipeline_of(hidden, granted)
    before = list(run.items(CATEGORY_PERMISSIONS.name).values())
    assert len(before) == 6
    mark = len(run.emitted)
    run.feed([change(granted[0], "d", before=granted[1])])
    emit = [e.payload for e in run.emitted[mark:]]
    changed = [p for p in emit if p not in before]
    assert changed == emit  # a rebuild sends only what changed
    assert sorted(
        (p["categoryId"], NAME_OF[p["customerGroupCode"]], p["deleted"]) for p in changed
    ) == [
        ("10", "Wholesale", True),
        ("11", "Wholesale", True),
        ("12", "Wholesale", True),
    ]
    assert len(run.reference_emitted[CATEGORY_PERMISSIONS.name]) == 3  # the guests' subtree
    assert sorted(
        (p["categoryId"], NAME_OF[p["customerGroupCode"]])
        for p in run.items(CATEGORY_PERMISSIONS.name).values()
    ) == [("10", "NOT LOGGED IN"), ("11", "NOT LOGGED IN"), ("12", "NOT LOGGED IN")]


def test_a_deleted_category_takes_its_subtree_and_rows_along() -> None:
    run = pipeline_of(rule(1, 10, 1, 1, (DENY, DENY, DENY)), rule(2, 2, 1, 1, (ALLOW, DENY, DENY)))
    held = run.reference_emitted[CATEGORY_PERMISSIONS.name]
    assert {identity[0] for identity, _ in held.values()} == {"2", "10", "11", "12"}
    mark = len(run.emitted)
    run.feed([change("catalog_category_entity", "d", before=category(10, TREE[10])[1])])
    emit = [e.payload for e in run.emitted[mark:]]
    assert sorted(p["categoryId"] for p in emit if p["deleted"]) == ["10", "11", "12"]
    held = run.reference_emitted[CATEGORY_PERMISSIONS.name]
    assert {identity[0] for identity, _ in held.values()} == {"2"}
    assert [p["categoryId"] for p in run.items(CATEGORY_PERMISSIONS.name).values()] == ["2"]


def test_a_category_being_created_counts_once_its_path_names_itself() -> None:
    store = store_of(rule(1, 10, 1, 1, (DENY, DENY, DENY)), category(13, TREE[10]))
    assert ("13", "base", "General") not in items(store)
    before = category(13, TREE[10])[1]
    after = category(13, f"{TREE[10]}/13")[1]
    apply_reference(store, change("catalog_category_entity", "u", before=before, after=after))
    assert grants_of(items(store)["13", "base", "General"]) == ("DENY", "DENY", "DENY")


def test_rows_of_a_deleted_customer_group_or_website_match_nothing() -> None:
    store = store_of(rule(1, 10, 1, 3, (DENY, DENY, DENY)), rule(2, 30, 2, 1, (DENY, DENY, DENY)))
    group = {"customer_group_id": 3, "customer_group_code": "Retailer"}
    apply_reference(store, change("customer_group", "d", before=group))
    apply_reference(store, change("store_website", "d", before={"website_id": 2, "code": "b"}))
    assert items(store) == {}


def test_the_order_rows_arrive_in_does_not_matter() -> None:
    rows = [
        rule(1, 10, 1, None, (ALLOW, DENY, ALLOW)),
        rule(2, 11, None, 2, (DENY, PARENT, PARENT)),
        *SCOPES,
        *(category(entity_id, path) for entity_id, path in TREE.items()),
    ]
    forwards: dict[str, Any] = {}
    backwards: dict[str, Any] = {}
    for table, row in rows:
        apply_reference(forwards, change(table, "r", after=row))
    for table, row in reversed(rows):
        apply_reference(backwards, change(table, "r", after=row))
    assert items(forwards) == items(backwards) == items(store_of(*rows[:2]))
    assert len(items(forwards)) == 3 * 4


def test_moving_a_subtree_moves_its_items() -> None:
    store = store_of(rule(1, 10, None, 1, (DENY, DENY, DENY)))
    assert sorted(key[0] for key in items(store)) == ["10", "11", "12"]
    # Magento rewrites the path of the moved category and of every descendant.
    for entity_id, path in ((11, "1/3/11"), (12, "1/3/11/12")):
        before = category(entity_id, TREE[entity_id])[1]
        after = category(entity_id, path)[1]
        apply_reference(store, change("catalog_category_entity", "u", before=before, after=after))
    assert sorted(items(store)) == [("10", "base", "General")]


def test_the_reference_feed_rebuilds_on_permissions_tree_scopes_and_groups() -> None:
    assert CATEGORY_PERMISSIONS_FEED.feed is CATEGORY_PERMISSIONS
    assert CATEGORY_PERMISSIONS_FEED.kinds == {
        ReferenceKind.PERMISSIONS,
        ReferenceKind.CATEGORIES,
        ReferenceKind.SCOPES,
        ReferenceKind.CUSTOMER_GROUPS,
    }


class FakeCursor:
    """Answers verify's permission and product queries from in-memory tables, as MariaDB
    would, so that verify's resolution can be held against the stream side's."""

    def __init__(self, tables: dict[str, list[Row]]) -> None:
        self.tables = tables
        self._result: list[tuple[Any, ...]] = []

    def execute(self, sql: str) -> None:
        self._result = self._answer(sql)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._result

    def _answer(self, sql: str) -> list[tuple[Any, ...]]:
        t = self.tables
        categories = {c["entity_id"]: c["path"] for c in t["catalog_category_entity"]}
        if "FROM store_website" in sql:
            return [(w["website_id"], w["code"]) for w in t["store_website"] if w["website_id"]]
        if "SHA1(customer_group_id) FROM customer_group" in sql:
            return [
                (
                    g["customer_group_id"],
                    hashlib.sha1(str(g["customer_group_id"]).encode()).hexdigest(),
                )
                for g in t["customer_group"]
            ]
        if "JOIN catalog_category_entity a" in sql:
            return [
                (entity_id, path)
                for entity_id, path in categories.items()
                if path.split("/")[-1] == str(entity_id)
                and sum(_contains(path, a) for a in categories) == len(path.split("/"))
            ]
        if "FROM store_group g" in sql:
            return sorted(
                {
                    (g["website_id"], entity_id)
                    for g in t["store_group"]
                    for entity_id, path in categories.items()
                    if g["website_id"] > 0 and _contains(path, g["root_category_id"])
                }
            )
        if "FROM magento_catalogpermissions" in sql:
            columns = ("grant_catalog_category_view", "grant_catalog_product_price")
            rows = [
                r
                for r in t["magento_catalogpermissions"]
                if any(r[c] in (ALLOW, DENY) for c in (*columns, "grant_checkout_items"))
            ]
            rows.sort(
                key=lambda r: (
                    r["category_id"],
                    r["website_id"] is not None,
                    r["customer_group_id"] is not None,
                    r["permission_id"],
                )
            )
            return [
                (
                    r["category_id"],
                    r["website_id"],
                    r["customer_group_id"],
                    *(r[c] for c in (*columns, "grant_checkout_items")),
                )
                for r in rows
            ]
        if "FROM catalog_product_website" in sql:
            return [(r["product_id"], r["website_id"]) for r in t["catalog_product_website"]]
        if "FROM catalog_category_product" in sql:
            return [(r["product_id"], r["category_id"]) for r in t["catalog_category_product"]]
        if "FROM catalog_product_entity" in sql:
            return sorted((r["entity_id"], r["sku"]) for r in t["catalog_product_entity"])
        raise AssertionError(f"unexpected query: {sql}")


def _contains(path: str, category_id: int) -> bool:
    """SQL's ``CONCAT('/', path, '/') LIKE CONCAT('%/', id, '/%')``."""
    return f"/{category_id}/" in f"/{path}/"


GRANT = st.sampled_from((ALLOW, DENY, PARENT))


@st.composite
def catalogs(draw: st.DrawFn) -> dict[str, list[Row]]:
    """Scopes, a random tree (some categories deleted, orphaning their subtrees) and random
    rules, including ties of NULL rows and rows naming a website or group that is gone."""
    paths = {1: "1", 2: "1/2", 3: "1/3"}
    for entity_id in range(10, 10 + draw(st.integers(0, 10))):
        parent = draw(st.sampled_from(sorted(paths)[1:]))
        paths[entity_id] = f"{paths[parent]}/{entity_id}"
    if draw(st.booleans()):  # being created: inserted with its parent's path
        paths[99] = paths[draw(st.sampled_from(sorted(paths)))]
    deleted = draw(st.sets(st.sampled_from(sorted(paths)), max_size=2))
    rules: dict[tuple[int, int | None, int | None, int], tuple[str, Row]] = {}
    # Rules crowd onto few categories, so that rows of every scope meet on one category.
    crowded = st.sampled_from(sorted(paths)[1:3] + sorted(paths)[3:5])
    scopes = st.tuples(
        st.one_of(crowded, st.sampled_from(sorted(paths))),
        st.sampled_from((None, 1, 2, 7)),
        st.sampled_from((None, 0, 1, 2, 3, 9)),
    )
    for category_id, website_id, group_id in draw(st.lists(scopes, max_size=14)):
        # The unique key only binds rows without NULLs.
        tie = len(rules) if website_id is None or group_id is None else 0
        grants = (draw(GRANT), draw(GRANT), draw(GRANT))
        rules.setdefault(
            (category_id, website_id, group_id, tie),
            rule(len(rules) + 1, category_id, website_id, group_id, grants),
        )
    tables: dict[str, list[Row]] = {}
    for table, row in [
        *SCOPES,
        *(
            category(entity_id, path)
            for entity_id, path in paths.items()
            if entity_id not in deleted
        ),
        *rules.values(),
    ]:
        tables.setdefault(table, []).append(row)
    tables.setdefault("magento_catalogpermissions", [])
    return tables


def reference_of(tables: dict[str, list[Row]]) -> Reference:
    store: dict[str, Any] = {}
    for table, rows in tables.items():
        for row in rows:
            apply_reference(store, change(table, "r", after=row))
    return Reference(store)


def keyed(payloads: Iterable[Row], identity: Sequence[str]) -> dict[tuple[Any, ...], Row]:
    return {tuple(p[f] for f in identity): p for p in payloads}


@settings(max_examples=300, deadline=None)
@given(catalogs())
def test_stream_resolution_equals_verify_resolution(tables: dict[str, list[Row]]) -> None:
    identity = CATEGORY_PERMISSIONS.identity
    expected = project_category_permissions(FakeCursor(tables))  # type: ignore[arg-type]
    built = build_category_permissions(reference_of(tables))
    assert keyed(built, identity) == keyed(expected, identity)
