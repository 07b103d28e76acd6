"""productOverrides as pure logic (feeds/overrides.py): a product's state and the category
permissions → one item per website and customer group; plus a property test holding it
equal to verify's independent projection."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.feed import diff_items
from feeds.overrides import OVERRIDES_ONLY_PROJECTOR, PRODUCT_OVERRIDES, build_overrides
from feeds.products import PRODUCT_PROJECTOR, ProductState, apply_product_change
from feeds.reference import Reference, ReferenceKind, apply_reference
from feedsync.verify.overrides import project_product_overrides
from tests.unit.test_permissions_feed import (
    ALLOW,
    DENY,
    FakeCursor,
    Row,
    catalogs,
    change,
    keyed,
    reference_of,
    rule,
    store_of,
)

FIELDS = ("displayable", "priceDisplayable", "addToCartAllowed")


def product(entity_id: int, websites: tuple[int, ...], categories: tuple[int, ...]) -> ProductState:
    rows: list[tuple[str, Row]] = [
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
    state = None
    for table, row in rows:
        state = apply_product_change(state, change(table, "r", after=row))
    assert state is not None
    return state


def overrides(
    state: ProductState, store: dict[str, Any]
) -> dict[tuple[str, str], tuple[bool, ...]]:
    return {
        (p["websiteCode"], p["customerGroupCode"]): tuple(p[f] for f in FIELDS)
        for p in build_overrides(state, Reference(store))
    }


HIDDEN_FROM_GUESTS = rule(1, 10, 1, 0, (DENY, DENY, DENY))
NO_PRICES = rule(2, 11, None, None, (ALLOW, DENY, ALLOW))


def test_a_product_in_no_category_gets_the_default_for_every_website_and_group() -> None:
    built = build_overrides(product(42, (1, 2), ()), Reference(store_of(HIDDEN_FROM_GUESTS)))
    assert len(built) == 2 * 4
    assert built[0] == {
        "productId": 42,
        "sku": "SKU-42",
        "websiteCode": "base",
        "customerGroupCode": "NOT LOGGED IN",
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
    store = store_of(rule(1, 10, 1, None, (DENY, DENY, DENY)), granted)
    state = product(42, (1,), (11,))
    before = build_overrides(state, Reference(store))
    _, held = diff_items(PRODUCT_OVERRIDES, {}, before)
    apply_reference(store, change(granted[0], "d", before=granted[1]))
    after = build_overrides(state, Reference(store))  # a new reference state: not the cache
    emit, _ = diff_items(PRODUCT_OVERRIDES, held, after)
    changed = [p for _, p in emit if p not in before]
    assert [(p["customerGroupCode"], p["displayable"]) for p in changed] == [("Wholesale", False)]


def test_website_unassignment_deletes_that_websites_items() -> None:
    store = store_of()
    state = product(42, (1, 2), ())
    _, held = diff_items(PRODUCT_OVERRIDES, {}, build_overrides(state, Reference(store)))
    unlinked = {"product_id": 42, "website_id": 2}
    after = apply_product_change(state, change("catalog_product_website", "d", before=unlinked))
    assert after is not None
    emit, held = diff_items(PRODUCT_OVERRIDES, held, build_overrides(after, Reference(store)))
    assert sorted(p["websiteCode"] for _, p in emit if p["deleted"]) == ["second"] * 4
    assert len(held) == 4


def test_no_items_until_the_entity_row_arrives() -> None:
    link = {"product_id": 42, "website_id": 1}
    state = apply_product_change(None, change("catalog_product_website", "c", after=link))
    assert state is not None
    assert build_overrides(state, Reference(store_of())) == []


def test_the_projector_serves_only_product_overrides_and_rebuilds_on_permissions() -> None:
    assert OVERRIDES_ONLY_PROJECTOR.feeds == (PRODUCT_OVERRIDES,)
    assert OVERRIDES_ONLY_PROJECTOR.keys_of is PRODUCT_PROJECTOR.keys_of
    assert {ReferenceKind.PERMISSIONS, ReferenceKind.CUSTOMER_GROUPS, ReferenceKind.CATEGORIES} <= (
        OVERRIDES_ONLY_PROJECTOR.rebuild_on
    )
    built = OVERRIDES_ONLY_PROJECTOR.build(product(42, (1,), ()), Reference(store_of()))
    assert list(built) == ["productOverrides"]


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
    reference = reference_of({t: rows for t, rows in tables.items() if t not in product_tables})
    states: dict[int, ProductState | None] = {}
    for table in product_tables:
        for row in tables[table]:
            key = int(row["entity_id"] if table == "catalog_product_entity" else row["product_id"])
            states[key] = apply_product_change(states.get(key), change(table, "r", after=row))
    built = [p for s in states.values() if s for p in build_overrides(s, reference)]
    expected = project_product_overrides(FakeCursor(tables))  # type: ignore[arg-type]
    identity = PRODUCT_OVERRIDES.identity
    assert keyed(built, identity) == keyed(expected, identity)
