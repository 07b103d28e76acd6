"""productOverrides as pure logic (feeds/overrides.py): a product's state and the category
permissions → one item per website and customer group; plus a property test holding it
equal to verify's independent projection."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.catalog import CATALOG_PROJECTOR, catalog_keys
from feeds.memory import MemoryPipeline
from feeds.overrides import PRODUCT_OVERRIDES, build_overrides
from feeds.prices import PRICES
from feeds.products import (
    PRODUCT_REBUILD_ON,
    PRODUCT_TABLES,
    PRODUCTS,
    ProductState,
    apply_product_change,
)
from feeds.reference import Reference, ReferenceKind, apply_reference
from feeds.values import customer_group_code
from feeds.variants import VARIANTS
from feedsync.verify.overrides import project_product_overrides
from tests.unit.feeds.test_permissions import (
    ALLOW,
    DENY,
    NAME_OF,
    FakeCursor,
    Row,
    catalogs,
    changes_of,
    keyed,
    rule,
    store_of,
)
from tests.unit.rows import change

FIELDS = ("displayable", "priceDisplayable", "addToCartAllowed")


def product_rows(
    entity_id: int, websites: tuple[int, ...], categories: tuple[int, ...]
) -> list[tuple[str, Row]]:
    return [
        ("catalog_product_entity", {"entity_id": entity_id, "sku": f"SKU-{entity_id}"}),
        *(
            ("catalog_product_website", {"product_id": entity_id, "website_id": w})
            for w in websites
        ),
        *(
            ("catalog_category_product", {"category_id": c, "product_id": entity_id, "position": 1})
            for c in categories
        ),
    ]


def product(entity_id: int, websites: tuple[int, ...], categories: tuple[int, ...]) -> ProductState:
    state = None
    for table, row in product_rows(entity_id, websites, categories):
        state = apply_product_change(state, change(table, "r", after=row))
    assert state is not None
    return state


def overrides(
    state: ProductState, store: dict[str, Any]
) -> dict[tuple[str, str], tuple[bool, ...]]:
    return {
        (p["websiteCode"], NAME_OF[p["customerGroupCode"]]): tuple(p[f] for f in FIELDS)
        for p in build_overrides(state, Reference(store))
    }


def pipeline(
    rules: tuple[tuple[str, Row], ...], *products: list[tuple[str, Row]]
) -> MemoryPipeline:
    """The catalog projector run by the engine: scopes, tree and ``rules``, then products."""
    run = MemoryPipeline([CATALOG_PROJECTOR], strict=True)
    rows = [row for rows in products for row in rows]
    run.feed([*changes_of(*rules), *(change(table, "r", after=row) for table, row in rows)])
    return run


def overrides_emitted(run: MemoryPipeline, since: int) -> list[Row]:
    return [e.payload for e in run.emitted[since:] if e.feed is PRODUCT_OVERRIDES]


HIDDEN_FROM_GUESTS = rule(1, 10, 1, 0, (DENY, DENY, DENY))
NO_PRICES = rule(2, 11, None, None, (ALLOW, DENY, ALLOW))


def test_a_product_in_no_category_gets_the_default_for_every_website_and_group() -> None:
    built = build_overrides(product(42, (1, 2), ()), Reference(store_of(HIDDEN_FROM_GUESTS)))
    assert len(built) == 2 * 4
    assert built[0] == {
        "productId": 42,
        "sku": "SKU-42",
        "websiteCode": "base",
        "customerGroupCode": customer_group_code(0),  # NOT LOGGED IN
        "displayable": True,
        "priceDisplayable": True,
        "addToCartAllowed": True,
        "deleted": False,
    }
    assert all(all(p[f] for f in FIELDS) for p in built)


def test_a_hidden_category_hides_its_products_from_that_group_only() -> None:
    built = overrides(product(42, (1,), (12,)), store_of(HIDDEN_FROM_GUESTS))
    assert built["base", "NOT LOGGED IN"] == (False, False, False)
    assert built["base", "General"] == (True, True, True)


def test_any_category_that_allows_a_grant_allows_it_for_the_product() -> None:
    store = store_of(HIDDEN_FROM_GUESTS, NO_PRICES)
    # 12 (below 11): visible, no prices; 30 is in website 2's tree only; 2 is unrestricted.
    assert overrides(product(42, (1,), (12, 30)), store)["base", "General"] == (True, False, False)
    assert overrides(product(42, (1,), (12, 2)), store)["base", "General"] == (True, True, True)
    assert overrides(product(42, (1,), (12, 2)), store)["base", "NOT LOGGED IN"] == (
        True,
        True,
        True,
    )


def test_categories_outside_the_websites_tree_do_not_count_there() -> None:
    built = overrides(product(42, (1, 2), (11,)), store_of(NO_PRICES))
    assert built["base", "Retailer"] == (True, False, False)
    assert built["second", "Retailer"] == (True, True, True)  # no category of website 2


def test_links_to_a_deleted_categorys_subtree_are_ignored() -> None:
    store = store_of(HIDDEN_FROM_GUESTS)
    state = product(42, (1,), (11,))
    assert overrides(state, store)["base", "NOT LOGGED IN"] == (False, False, False)
    deleted = {"entity_id": 10, "parent_id": 2, "path": "1/2/10"}
    apply_reference(store, change("catalog_category_entity", "d", before=deleted))
    assert overrides(state, store)["base", "NOT LOGGED IN"] == (True, True, True)


def test_a_revoked_permission_flips_exactly_that_groups_items() -> None:
    granted = rule(3, 10, 1, 2, (ALLOW, ALLOW, ALLOW))
    run = pipeline(
        (rule(1, 10, 1, None, (DENY, DENY, DENY)), granted), product_rows(42, (1,), (11,))
    )
    before = list(run.items(PRODUCT_OVERRIDES.name).values())
    assert len(before) == 4
    mark = len(run.emitted)
    # A permissions change rebuilds every product against the new reference state.
    run.feed([change(granted[0], "d", before=granted[1])])
    emit = overrides_emitted(run, mark)
    changed = [p for p in emit if p not in before]
    assert changed == emit  # a rebuild sends only what changed
    assert [(NAME_OF[p["customerGroupCode"]], p["displayable"]) for p in changed] == [
        ("Wholesale", False)
    ]
    assert not [e for e in run.emitted[mark:] if e.feed is not PRODUCT_OVERRIDES]


def test_website_unassignment_deletes_that_websites_items() -> None:
    run = pipeline((), product_rows(42, (1, 2), ()))
    assert len(run.records["products"]["42"].emitted[PRODUCT_OVERRIDES.name]) == 8
    mark = len(run.emitted)
    unlinked = {"product_id": 42, "website_id": 2}
    run.feed([change("catalog_product_website", "d", before=unlinked)])
    emit = overrides_emitted(run, mark)
    assert sorted(p["websiteCode"] for p in emit if p["deleted"]) == ["second"] * 4
    assert len(run.records["products"]["42"].emitted[PRODUCT_OVERRIDES.name]) == 4
    assert {p["websiteCode"] for p in run.items(PRODUCT_OVERRIDES.name).values()} == {"base"}


def test_no_items_until_the_entity_row_arrives() -> None:
    link = {"product_id": 42, "website_id": 1}
    state = apply_product_change(None, change("catalog_product_website", "c", after=link))
    assert state is not None
    assert build_overrides(state, Reference(store_of())) == []


def test_the_catalog_projector_serves_overrides_and_rebuilds_on_permissions() -> None:
    assert CATALOG_PROJECTOR.feeds == (PRODUCTS, PRICES, VARIANTS, PRODUCT_OVERRIDES)
    assert CATALOG_PROJECTOR.keys_of is catalog_keys
    assert CATALOG_PROJECTOR.tables >= PRODUCT_TABLES
    assert {
        ReferenceKind.PERMISSIONS,
        ReferenceKind.CUSTOMER_GROUPS,
        ReferenceKind.CATEGORIES,
    } <= CATALOG_PROJECTOR.rebuild_on
    assert CATALOG_PROJECTOR.rebuild_on >= PRODUCT_REBUILD_ON
    built = CATALOG_PROJECTOR.build(product(42, (1,), ()), Reference(store_of()))
    assert len(built[PRODUCT_OVERRIDES.name]) == 4
    assert built[PRODUCT_OVERRIDES.name] == build_overrides(
        product(42, (1,), ()), Reference(store_of())
    )


@st.composite
def catalogs_with_products(draw: st.DrawFn) -> dict[str, list[Row]]:
    tables = draw(catalogs())
    known = sorted({1, 2, 3, *(r["entity_id"] for r in tables["catalog_category_entity"])})
    for entity_id in range(100, 100 + draw(st.integers(1, 4))):
        tables.setdefault("catalog_product_entity", []).append(
            {"entity_id": entity_id, "sku": f"SKU-{entity_id}"}
        )
        for website_id in draw(st.sets(st.sampled_from((1, 2)))):
            tables.setdefault("catalog_product_website", []).append(
                {"product_id": entity_id, "website_id": website_id}
            )
        for category_id in draw(st.sets(st.sampled_from(known), max_size=3)):
            tables.setdefault("catalog_category_product", []).append(
                {"category_id": category_id, "product_id": entity_id, "position": 0}
            )
    for table in ("catalog_product_website", "catalog_category_product"):
        tables.setdefault(table, [])
    return tables


@settings(max_examples=200, deadline=None)
@given(catalogs_with_products())
def test_stream_overrides_equal_verify_overrides(tables: dict[str, list[Row]]) -> None:
    product_tables = (
        "catalog_product_entity",
        "catalog_product_website",
        "catalog_category_product",
    )
    run = MemoryPipeline([CATALOG_PROJECTOR])
    # The reference data first, then the products' rows, each change through the engine.
    run.feed(
        change(table, "r", after=row)
        for table, rows in tables.items()
        if table not in product_tables
        for row in rows
    )
    run.feed(change(table, "r", after=row) for table in product_tables for row in tables[table])
    built = list(run.items(PRODUCT_OVERRIDES.name).values())
    expected = project_product_overrides(FakeCursor(tables))  # type: ignore[arg-type]
    identity = PRODUCT_OVERRIDES.identity
    assert keyed(built, identity) == keyed(expected, identity)
