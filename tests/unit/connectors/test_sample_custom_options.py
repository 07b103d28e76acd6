"""The sample's custom options: every kind, on products sold on their own, with the shapes the
products feed has rules for (store-view titles and prices, fixed and percent prices)."""

from __future__ import annotations

from collections import Counter

from connectors.magento.sample import SampleData
from tests.unit.connectors.conftest import rows_of

SELECTABLE = {"drop_down", "radio", "checkbox", "multiple"}


def test_custom_options_of_every_kind_on_products_shown_alone(small: SampleData) -> None:
    options = rows_of(small, "catalog_product_option")
    kinds = Counter(str(o["type"]) for o in options)
    assert set(kinds) == {"field", "area", "file", "date", "time", "date_time", *SELECTABLE}
    products = {p["entity_id"]: p for p in rows_of(small, "catalog_product_entity")}
    children = {r["product_id"] for r in rows_of(small, "catalog_product_super_link")}
    owners = {o["product_id"] for o in options}
    assert not owners & children
    assert all(products[o]["type_id"] != "configurable" for o in owners)
    assert len(options) > len(owners)  # several options on some products


def test_titles_prices_and_values_name_what_exists(small: SampleData) -> None:
    options = {o["option_id"]: o for o in rows_of(small, "catalog_product_option")}
    titles = rows_of(small, "catalog_product_option_title")
    assert {t["option_id"] for t in titles if t["store_id"] == 0} == set(options)
    assert any(t["store_id"] != 0 for t in titles)
    values = {v["option_type_id"]: v for v in rows_of(small, "catalog_product_option_type_value")}
    assert {options[v["option_id"]]["type"] for v in values.values()} == SELECTABLE
    for table, owner, known in (
        ("catalog_product_option_price", "option_id", options),
        ("catalog_product_option_type_price", "option_type_id", values),
        ("catalog_product_option_type_title", "option_type_id", values),
    ):
        rows = rows_of(small, table)
        assert {r[owner] for r in rows} <= set(known), table
        assert len({(r[owner], r["store_id"]) for r in rows}) == len(rows), table  # unique key
        assert any(r["store_id"] != 0 for r in rows), table
    priced = rows_of(small, "catalog_product_option_price")
    assert all(options[p["option_id"]]["type"] not in SELECTABLE for p in priced)
    kinds = {p["price_type"] for p in rows_of(small, "catalog_product_option_type_price")}
    assert kinds == {"fixed", "percent"}
