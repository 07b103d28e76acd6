"""The sample's bundles (fixed-price and dynamic, with Magento_Bundle's attributes, options
of every type titled at store 0 and some in a store view, selections of standalone simple
products of the bundle's websites, relation rows, fixed and percent prices, a second
website's price) and grouped products (items with a position and a default quantity)."""

from __future__ import annotations

from collections import Counter

from connectors.magento.sample import SampleData
from connectors.magento.sample.fixed_ids import BUNDLE_ATTRIBUTE_IDS
from tests.unit.connectors.conftest import rows_of


def test_bundles_fixed_and_dynamic_with_their_attributes(small: SampleData) -> None:
    bundles = {
        p["entity_id"] for p in rows_of(small, "catalog_product_entity") if p["type_id"] == "bundle"
    }
    assert len(bundles) >= 2
    values = {
        (v["entity_id"], v["attribute_id"]): v["value"]
        for v in rows_of(small, "catalog_product_entity_int")
        if v["store_id"] == 0
    }
    for bundle in bundles:
        assert all((bundle, a) in values for a in BUNDLE_ATTRIBUTE_IDS.values())
    price_types = Counter(values[b, BUNDLE_ATTRIBUTE_IDS["price_type"]] for b in bundles)
    assert set(price_types) == {0, 1}


def test_options_and_selections_name_what_exists(small: SampleData) -> None:
    products = {p["entity_id"]: p for p in rows_of(small, "catalog_product_entity")}
    websites: dict[int, set[int]] = {}
    for row in rows_of(small, "catalog_product_website"):
        websites.setdefault(int(row["product_id"]), set()).add(int(row["website_id"]))
    options = {o["option_id"]: o for o in rows_of(small, "catalog_product_bundle_option")}
    assert {o["type"] for o in options.values()} == {"select", "radio", "checkbox", "multi"}
    assert all(products[o["parent_id"]]["type_id"] == "bundle" for o in options.values())
    titles = rows_of(small, "catalog_product_bundle_option_value")
    assert {t["option_id"] for t in titles if t["store_id"] == 0} == set(options)
    assert any(t["store_id"] != 0 for t in titles)
    assert all(options[t["option_id"]]["parent_id"] == t["parent_product_id"] for t in titles)
    selections = rows_of(small, "catalog_product_bundle_selection")
    per_option = Counter(s["option_id"] for s in selections)
    assert set(per_option) == set(options)
    assert min(per_option.values()) >= 2
    relations = {
        (r["parent_id"], r["child_id"]) for r in rows_of(small, "catalog_product_relation")
    }
    for s in selections:
        assert options[s["option_id"]]["parent_id"] == s["parent_product_id"]
        assert products[s["product_id"]]["type_id"] == "simple"
        assert websites[s["parent_product_id"]] <= websites[s["product_id"]]
        assert (s["parent_product_id"], s["product_id"]) in relations
    assert {s["selection_price_type"] for s in selections} == {0, 1}
    by_id = {s["selection_id"]: s for s in selections}
    prices = rows_of(small, "catalog_product_bundle_selection_price")
    assert prices
    for p in prices:
        assert p["website_id"] in websites[by_id[p["selection_id"]]["parent_product_id"]]


def test_grouped_products_link_standalone_items_with_a_position_and_quantity(
    small: SampleData,
) -> None:
    products = {p["entity_id"]: p for p in rows_of(small, "catalog_product_entity")}
    grouped = {e for e, p in products.items() if p["type_id"] == "grouped"}
    links = [r for r in rows_of(small, "catalog_product_link") if r["link_type_id"] == 3]
    assert {r["product_id"] for r in links} == grouped
    assert all(products[r["linked_product_id"]]["type_id"] == "simple" for r in links)
    assert len({r["link_id"] for r in rows_of(small, "catalog_product_link")}) == len(
        rows_of(small, "catalog_product_link")
    )
    relations = {
        (r["parent_id"], r["child_id"]) for r in rows_of(small, "catalog_product_relation")
    }
    assert all((r["product_id"], r["linked_product_id"]) in relations for r in links)
    for table, attribute_id in (
        ("catalog_product_link_attribute_int", 4),
        ("catalog_product_link_attribute_decimal", 5),
    ):
        rows = rows_of(small, table)
        assert {r["link_id"] for r in rows} == {r["link_id"] for r in links}, table
        assert {r["product_link_attribute_id"] for r in rows} == {attribute_id}, table
    prices = {
        v["entity_id"]
        for v in rows_of(small, "catalog_product_entity_decimal")
        if v["attribute_id"] == 77
    }
    assert not prices & grouped  # a grouped product has no price of its own
